/** The SS-MIX2 ingest checkpoint as both engines store it: the row and its item. */
import type { IngestItem } from '../types.ts';

export interface IngestRow {
  facility: string;
  source: string;
  size: number;
  mtime_ms: number;
  sha1: string;
  version_key: string;
  timestamp: string;
  condition: number;
  outcome: string;
  entry_uuid: string | null;
  unique_id: string | null;
}

export const toItem = (r: IngestRow): IngestItem => ({
  facility: r.facility,
  source: r.source,
  size: r.size,
  mtimeMs: r.mtime_ms,
  sha1: r.sha1,
  versionKey: r.version_key,
  timestamp: r.timestamp,
  condition: r.condition,
  outcome: r.outcome,
  entryUuid: r.entry_uuid,
  uniqueId: r.unique_id,
});
