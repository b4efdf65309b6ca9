/**
 * The XDS repository's documents on PostgreSQL: which blob holds each document, with its hash and
 * size. The bytes stay in the repository's blob store (xds/repository), as with SQLite; where they
 * should live when several processes share one database (bytea, large objects or a shared folder) is
 * for measurement to decide (issue 17).
 */
import type { RepositoryDocument, RepositoryWriter } from '../types.ts';
import type { Sql } from './sql.ts';

interface Row {
  repository_uid: string;
  unique_id: string;
  mime_type: string;
  hash: string;
  size: number;
  blob: string;
}

export class PgRepositoryRepo implements RepositoryWriter {
  constructor(private readonly sql: Sql) {}

  async documents(repositoryUniqueId: string, uniqueIds: string[]): Promise<RepositoryDocument[]> {
    if (uniqueIds.length === 0) return [];
    const rows = await this.sql.all<Row>(
      `SELECT d.repository_uid, d.unique_id, d.mime_type, d.hash, d.size, d.blob
       FROM unnest(CAST(? AS text[])) WITH ORDINALITY AS u(unique_id, n)
       JOIN xds_repository_documents d ON d.repository_uid = ? AND d.unique_id = u.unique_id ORDER BY u.n`,
      [...new Set(uniqueIds)],
      repositoryUniqueId,
    );
    return rows.map((r) => ({ repositoryUniqueId: r.repository_uid, uniqueId: r.unique_id, mimeType: r.mime_type, hash: r.hash, size: r.size, blob: r.blob }));
  }

  async blobReferences(blob: string): Promise<number> {
    return (await this.sql.get<{ n: number }>('SELECT count(*) AS n FROM xds_repository_documents WHERE blob = ?', blob))!.n;
  }

  async putDocument(d: RepositoryDocument): Promise<boolean> {
    const changed = await this.sql.run(
      'INSERT INTO xds_repository_documents(repository_uid, unique_id, mime_type, hash, size, blob, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      d.repositoryUniqueId,
      d.uniqueId,
      d.mimeType,
      d.hash,
      d.size,
      d.blob,
      new Date().toISOString(),
    );
    return changed > 0;
  }

  async deleteDocument(repositoryUniqueId: string, uniqueId: string): Promise<void> {
    await this.sql.run('DELETE FROM xds_repository_documents WHERE repository_uid = ? AND unique_id = ?', repositoryUniqueId, uniqueId);
  }
}
