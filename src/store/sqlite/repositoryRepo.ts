/** The XDS repository's documents on SQLite: which blob holds each document, with its hash and size. */
import type Database from 'better-sqlite3';
import type { RepositoryDocument, RepositoryWriter } from '../types.ts';
import { Statements } from './statements.ts';

interface Row {
  repository_uid: string;
  unique_id: string;
  mime_type: string;
  hash: string;
  size: number;
  blob: string;
}

export class SqliteRepositoryRepo implements RepositoryWriter {
  private readonly st: Statements;

  constructor(db: Database.Database) {
    this.st = new Statements(db);
  }

  async documents(repositoryUniqueId: string, uniqueIds: string[]): Promise<RepositoryDocument[]> {
    const out: RepositoryDocument[] = [];
    for (const id of new Set(uniqueIds)) {
      const r = this.st.get<Row>('SELECT * FROM xds_repository_documents WHERE repository_uid = ? AND unique_id = ?', repositoryUniqueId, id);
      if (r) out.push({ repositoryUniqueId: r.repository_uid, uniqueId: r.unique_id, mimeType: r.mime_type, hash: r.hash, size: r.size, blob: r.blob });
    }
    return out;
  }

  async blobReferences(blob: string): Promise<number> {
    return this.st.get<{ n: number }>('SELECT count(*) AS n FROM xds_repository_documents WHERE blob = ?', blob)!.n;
  }

  async putDocument(d: RepositoryDocument): Promise<boolean> {
    const info = this.st.run(
      'INSERT INTO xds_repository_documents(repository_uid, unique_id, mime_type, hash, size, blob, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      d.repositoryUniqueId,
      d.uniqueId,
      d.mimeType,
      d.hash,
      d.size,
      d.blob,
      new Date().toISOString(),
    );
    return info.changes > 0;
  }

  async deleteDocument(repositoryUniqueId: string, uniqueId: string): Promise<void> {
    this.st.run('DELETE FROM xds_repository_documents WHERE repository_uid = ? AND unique_id = ?', repositoryUniqueId, uniqueId);
  }
}
