/**
 * One pass over an SS-MIX2 storage tree: each file not yet taken in (by its path, size and
 * modification time in the checkpoint) is checked, decoded and handed to the clinical sharing
 * service; patients are worked on in parallel, each patient's files in order. Every file ends up
 * counted: taken in, already taken, or rejected with its reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DomainDirectory } from '../../identity/domainDirectory.ts';
import type { Domain } from '../../identity/types.ts';
import type { Config } from '../../kernel/config.ts';
import type { Store } from '../../store/types.ts';
import { Rejection, type ClinicalItem, type ItemOutcome, type RejectReason, type Sharing } from '../sharing.ts';
import { dataType, PATIENT_DATA_TYPE } from './dataTypes.ts';
import { ReaderPool } from './readerPool.ts';
import { walkStorage, type PatientFolder } from './treeWalker.ts';

export interface RejectedFile {
  path: string;
  reason: RejectReason;
  detail: string;
}

export interface IngestCounts {
  /** Files seen. */
  files: number;
  /** Already in the checkpoint, unchanged. */
  unchanged: number;
  patients: number;
  documents: number;
  /** Of the documents: registered Deprecated (deleted data, or an older version). */
  deprecated: number;
  /** Of the documents: replacing an earlier version (RPLC). */
  replacing: number;
  removed: number;
  /** Found registered already (a lost checkpoint): recorded, not registered again. */
  alreadyRegistered: number;
  rejected: number;
}

export interface IngestReport {
  counts: IngestCounts;
  rejected: RejectedFile[];
  elapsedMs: number;
}

export interface IngestRunOptions {
  root: string;
  facility: Domain;
  concurrency: number;
  /** Called after every file. */
  onFile?: (counts: IngestCounts, total: number) => void;
  /** Stops taking new files (those in progress finish). */
  signal?: AbortSignal;
  /** Reader threads; by default one less than the cores (at most 4) for trees of 2,000 files or more, else none. */
  readerThreads?: number;
}

/** Documents of one patient shared in one submission, at most. */
const GROUP = 64;

/** Trees of at least this many files are read by worker threads. */
const POOL_THRESHOLD = 2000;

export const emptyCounts = (): IngestCounts => ({ files: 0, unchanged: 0, patients: 0, documents: 0, deprecated: 0, replacing: 0, removed: 0, alreadyRegistered: 0, rejected: 0 });

function count(c: IngestCounts, o: ItemOutcome): void {
  switch (o.kind) {
    case 'patient':
      c.patients++;
      break;
    case 'document':
      c.documents++;
      if (o.status === 'Deprecated') c.deprecated++;
      if (o.replaced) c.replacing++;
      break;
    case 'removed':
      c.removed++;
      break;
    case 'already-registered':
      c.alreadyRegistered++;
      break;
  }
}

export class Ssmix2Ingest {
  constructor(
    private readonly store: Store,
    private readonly sharing: Sharing,
    /**
     * The individual-number rule (identity.individualNumber) every file is checked against, and the
     * blob folder reader threads stage documents into (in-process ingest only).
     */
    private readonly options: { domains: DomainDirectory; config: Config['identity']; blobDir?: string },
  ) {}

  async run(opts: IngestRunOptions): Promise<IngestReport> {
    const started = Date.now();
    const folders: PatientFolder[] = [];
    folders.push(...walkStorage(opts.root));
    const total = folders.reduce((n, f) => n + f.files.length + f.stray.length, 0);
    // Reader threads pay for themselves on large trees only (each starts in about a second).
    const pool = new ReaderPool(this.options.domains, this.options.config, opts.readerThreads ?? (total >= POOL_THRESHOLD ? undefined : 0), this.options.blobDir);
    const counts = emptyCounts();
    const rejected: RejectedFile[] = [];
    const reject = (p: string, reason: RejectReason, detail: string) => {
      counts.rejected++;
      rejected.push({ path: p, reason, detail });
    };
    let next = 0;
    const worker = async () => {
      while (next < folders.length && !opts.signal?.aborted) {
        const folder = folders[next++];
        for (const s of folder.stray) {
          counts.files++;
          reject(s, 'misplaced', 'not at the storage depth ROOT/PID[0:3]/PID[3:6]/PID/CareDate/DataType/file');
          opts.onFile?.(counts, total);
        }
        // A patient's documents go to the registry together (as a Document Source submits a set),
        // at most `group` at a time; ADT-00 feeds the patient at once.
        let pending: ClinicalItem[] = [];
        const flush = async () => {
          if (pending.length === 0) return;
          const batch = pending;
          pending = [];
          const outcomes = await this.sharing.shareDocuments(batch);
          outcomes.forEach((o, k) => {
            if (o instanceof Rejection) reject(batch[k].source, o.reason, o.message);
            else count(counts, o);
            opts.onFile?.(counts, total);
          });
        };
        // Stat and checkpoint here; the files that changed are read and parsed ahead by the pool.
        const prepared = folder.files.map((rel) => {
          const item = this.prepare(pool, opts.root, rel, opts.facility);
          item.catch(() => undefined); // awaited below, in order; a rejection is not unhandled meanwhile
          return { rel, item };
        });
        for (const p of prepared) {
          if (opts.signal?.aborted) break;
          counts.files++;
          try {
            const item = await p.item;
            if (item === 'unchanged') counts.unchanged++;
            else if (item.dataType.code === PATIENT_DATA_TYPE) {
              await flush();
              count(counts, await this.sharing.take(item));
            } else {
              pending.push(item);
              if (pending.length >= GROUP) await flush();
              continue;
            }
          } catch (e) {
            if (e instanceof Rejection) reject(p.rel, e.reason, e.message);
            else throw e;
          }
          opts.onFile?.(counts, total);
        }
        await flush();
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
    } finally {
      await pool.close();
    }
    rejected.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { counts, rejected, elapsedMs: Date.now() - started };
  }

  /** The item of a file, 'unchanged' when the checkpoint has it as it is, or a Rejection naming the file. */
  private prepare(pool: ReaderPool, root: string, rel: string, facility: Domain): Promise<ClinicalItem | 'unchanged'> {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(path.join(root, ...rel.split('/')));
    } catch (e) {
      return Promise.reject(new Rejection('unreadable', (e as Error).message));
    }
    const mtimeMs = Math.trunc(stat.mtimeMs);
    return this.store
      .read((tx) => tx.ingest.ingestItem(facility.key, rel))
      .then(async (known) => {
        if (known && known.size === stat.size && known.mtimeMs === mtimeMs) return 'unchanged';
        const r = await pool.read(root, rel);
        if (!r.ok) throw new Rejection(r.reason, r.detail);
        const f = r.file;
        if (known && known.sha1 === f.sha1) return 'unchanged';
        // Completed in place, not spread into a new object: see withFields (ebxml/rim.ts).
        const item = Object.assign(f as Omit<typeof f, 'dataType' | 'bytes'>, { dataType: dataType(f.dataType)!, bytes: f.bytes as Buffer, facility, source: rel, size: stat.size, mtimeMs });
        return item satisfies ClinicalItem;
      });
  }
}
