/** The SS-MIX2 ingest checkpoint on SQLite: one row per file or feed message taken in. */
import type Database from 'better-sqlite3';
import type { IngestItem, IngestWriter } from '../types.ts';
import { Statements } from './statements.ts';
import { type IngestRow, toItem } from '../rows/ingest.ts';

export class SqliteIngestRepo implements IngestWriter {
  private readonly st: Statements;

  constructor(db: Database.Database) {
    this.st = new Statements(db);
  }

  async ingestItem(facility: string, source: string): Promise<IngestItem | undefined> {
    const r = this.st.get<IngestRow>('SELECT * FROM ingest_items WHERE facility = ? AND source = ?', facility, source);
    return r && toItem(r);
  }

  async latestDocumentVersion(facility: string, versionKey: string): Promise<IngestItem | undefined> {
    const r = this.st.get<IngestRow>(
      `SELECT * FROM ingest_items WHERE facility = ? AND version_key = ? AND entry_uuid IS NOT NULL
       ORDER BY timestamp DESC, source DESC LIMIT 1`,
      facility,
      versionKey,
    );
    return r && toItem(r);
  }

  async ingestItemCount(facility?: string): Promise<number> {
    const r = facility
      ? this.st.get<{ n: number }>('SELECT count(*) AS n FROM ingest_items WHERE facility = ?', facility)
      : this.st.get<{ n: number }>('SELECT count(*) AS n FROM ingest_items');
    return r!.n;
  }

  async putIngestItem(i: IngestItem): Promise<void> {
    this.st.run(
      `INSERT OR REPLACE INTO ingest_items(facility, source, size, mtime_ms, sha1, version_key, timestamp, condition, outcome, entry_uuid, unique_id, ingested_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      i.facility,
      i.source,
      i.size,
      i.mtimeMs,
      i.sha1,
      i.versionKey,
      i.timestamp,
      i.condition,
      i.outcome,
      i.entryUuid,
      i.uniqueId,
      new Date().toISOString(),
    );
  }
}
