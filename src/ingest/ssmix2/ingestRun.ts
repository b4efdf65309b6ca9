/**
 * One pass over an SS-MIX2 storage tree: each file not yet taken in (by its path, size and
 * modification time in the checkpoint) is checked, decoded and handed to the clinical sharing
 * service; patients are worked on in parallel, each patient's files in order. Every file ends up
 * counted: taken in, already taken, or rejected with its reason.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Domain } from '../../identity/types.ts';
import type { Store } from '../../store/types.ts';
import { Rejection, type ClinicalItem, type ItemOutcome, type RejectReason, type Sharing } from '../sharing.ts';
import { PATIENT_DATA_TYPE } from './dataTypes.ts';
import { FileNameError, parseStoragePath, versionKey } from './fileName.ts';
import { checkMessageType, readStoredMessage, StoredMessageError } from './storedMessage.ts';
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
}

/** Documents of one patient shared in one submission, at most. */
const GROUP = 64;

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
  ) {}

  async run(opts: IngestRunOptions): Promise<IngestReport> {
    const started = Date.now();
    const folders: PatientFolder[] = [];
    folders.push(...walkStorage(opts.root));
    const total = folders.reduce((n, f) => n + f.files.length + f.stray.length, 0);
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
        for (const rel of folder.files) {
          if (opts.signal?.aborted) break;
          counts.files++;
          try {
            const item = await this.readFile(opts.root, rel, opts.facility);
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
            if (e instanceof Rejection) reject(rel, e.reason, e.message);
            else throw e;
          }
          opts.onFile?.(counts, total);
        }
        await flush();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
    rejected.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { counts, rejected, elapsedMs: Date.now() - started };
  }

  /** Synchronous reads: the files are small, and a thread-pool round trip each costs more than the read. */
  private async readFile(root: string, rel: string, facility: Domain): Promise<ClinicalItem | 'unchanged'> {
    const file = path.join(root, ...rel.split('/'));
    let stat;
    try {
      stat = fs.statSync(file);
    } catch (e) {
      throw new Rejection('unreadable', (e as Error).message);
    }
    const mtimeMs = Math.trunc(stat.mtimeMs);
    const known = await this.store.read((tx) => tx.ingest.ingestItem(facility.key, rel));
    if (known && known.size === stat.size && known.mtimeMs === mtimeMs) return 'unchanged';
    let name;
    try {
      name = parseStoragePath(rel);
    } catch (e) {
      if (e instanceof FileNameError) throw new Rejection(e.reason, e.message);
      throw e;
    }
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (e) {
      throw new Rejection('unreadable', (e as Error).message);
    }
    const sha1 = createHash('sha1').update(bytes).digest('hex');
    if (known && known.sha1 === sha1) return 'unchanged';
    let message;
    try {
      message = readStoredMessage(bytes);
      checkMessageType(message, name.dataType);
    } catch (e) {
      if (e instanceof StoredMessageError) throw new Rejection(e.reason, e.message);
      throw e;
    }
    const item: ClinicalItem = {
      ...name,
      facility,
      source: rel,
      size: stat.size,
      mtimeMs,
      sha1,
      bytes,
      message,
      versionKey: versionKey(name),
    };
    return item;
  }
}
