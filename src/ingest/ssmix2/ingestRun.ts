/**
 * One pass over an SS-MIX2 storage tree: each file not yet taken in (by its path, size and
 * modification time in the checkpoint) is checked, decoded and handed to the clinical sharing
 * service; patients are worked on in parallel, each patient's files in order. Every file ends up
 * counted: taken in, already taken, or rejected with its reason.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Domain } from '../../identity/types.ts';
import type { Store } from '../../store/types.ts';
import { Rejection, type ClinicalItem, type ClinicalSharing, type ItemOutcome, type RejectReason } from '../clinicalSharing.ts';
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
    private readonly sharing: ClinicalSharing,
  ) {}

  async run(opts: IngestRunOptions): Promise<IngestReport> {
    const started = Date.now();
    const folders: PatientFolder[] = [];
    for await (const f of walkStorage(opts.root)) folders.push(f);
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
        for (const rel of folder.files) {
          if (opts.signal?.aborted) return;
          counts.files++;
          try {
            const o = await this.ingestFile(opts.root, rel, opts.facility);
            if (o === 'unchanged') counts.unchanged++;
            else count(counts, o);
          } catch (e) {
            if (e instanceof Rejection) reject(rel, e.reason, e.message);
            else throw e;
          }
          opts.onFile?.(counts, total);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
    rejected.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { counts, rejected, elapsedMs: Date.now() - started };
  }

  private async ingestFile(root: string, rel: string, facility: Domain): Promise<ItemOutcome | 'unchanged'> {
    const file = path.join(root, ...rel.split('/'));
    let stat;
    try {
      stat = await fs.stat(file);
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
      bytes = await fs.readFile(file);
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
    return this.sharing.take(item);
  }
}
