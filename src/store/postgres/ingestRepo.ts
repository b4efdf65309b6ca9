/** The SS-MIX2 ingest checkpoint on PostgreSQL: one row per file or feed message taken in (as sqlite/ingestRepo.ts). */
import type { IngestItem, IngestWriter } from '../types.ts';
import type { Sql } from './sql.ts';
import { type IngestRow, toItem } from '../rows/ingest.ts';

const ITEM = 'facility, source, size, mtime_ms, sha1, version_key, timestamp, condition, outcome, entry_uuid, unique_id';

export class PgIngestRepo implements IngestWriter {
  constructor(private readonly sql: Sql) {}

  async ingestItem(facility: string, source: string): Promise<IngestItem | undefined> {
    const r = await this.sql.get<IngestRow>(`SELECT ${ITEM} FROM ingest_items WHERE facility = ? AND source = ?`, facility, source);
    return r && toItem(r);
  }

  async latestDocumentVersion(facility: string, versionKey: string): Promise<IngestItem | undefined> {
    const r = await this.sql.get<IngestRow>(
      `SELECT ${ITEM} FROM ingest_items WHERE facility = ? AND version_key = ? AND entry_uuid IS NOT NULL
       ORDER BY timestamp DESC, source DESC LIMIT 1`,
      facility,
      versionKey,
    );
    return r && toItem(r);
  }

  async ingestItemCount(facility?: string): Promise<number> {
    const r = facility
      ? await this.sql.get<{ n: number }>('SELECT count(*) AS n FROM ingest_items WHERE facility = ?', facility)
      : await this.sql.get<{ n: number }>('SELECT count(*) AS n FROM ingest_items');
    return r!.n;
  }

  async putIngestItem(i: IngestItem): Promise<void> {
    await this.sql.run(
      `INSERT INTO ingest_items(${ITEM}, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (facility, source) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, sha1 = excluded.sha1,
         version_key = excluded.version_key, timestamp = excluded.timestamp, condition = excluded.condition, outcome = excluded.outcome,
         entry_uuid = excluded.entry_uuid, unique_id = excluded.unique_id, ingested_at = excluded.ingested_at`,
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
