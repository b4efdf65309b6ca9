/**
 * The SS-MIX2 ingest's runs as the operators' console shows them: when, which tree and facility, the
 * counts, and the files rejected with their reasons. Kept in a file of the data folder (the last
 * MAX_RUNS runs, each with at most MAX_REJECTED rejections), written whole and atomically by the
 * process that ran the ingest (`hie ingest ssmix2`, the demo load at start). A --watch pass that took
 * nothing in and rejected nothing new is not a run worth keeping.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IngestCounts, IngestReport, RejectedFile } from './ssmix2/ingestRun.ts';

export const RUN_LOG_FILE = 'ingest-runs.json';
const MAX_RUNS = 50;
const MAX_REJECTED = 200;

export interface IngestRunRecord {
  at: string;
  root: string;
  facility: string;
  elapsedMs: number;
  counts: IngestCounts;
  rejected: RejectedFile[];
  /** More files were rejected than are listed. */
  moreRejected: number;
}

export class IngestRunLog {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.resolve(dataDir, RUN_LOG_FILE);
  }

  /** The runs, newest first; none when there is no log (a broken one is an error, never silently empty). */
  recent(): IngestRunRecord[] {
    try {
      const list = JSON.parse(fs.readFileSync(this.file, 'utf8')) as unknown;
      if (!Array.isArray(list)) throw new Error(`${this.file}: not a list of ingest runs`);
      return list as IngestRunRecord[];
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  append(root: string, facility: string, report: IngestReport, at = new Date()): void {
    const run: IngestRunRecord = {
      at: at.toISOString(),
      root,
      facility,
      elapsedMs: report.elapsedMs,
      counts: report.counts,
      rejected: report.rejected.slice(0, MAX_REJECTED),
      moreRejected: Math.max(0, report.rejected.length - MAX_REJECTED),
    };
    const list = [run, ...this.recent()].slice(0, MAX_RUNS);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(list) + '\n');
    fs.renameSync(tmp, this.file);
  }
}
