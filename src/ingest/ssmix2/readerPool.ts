/**
 * Storage files read and checked off the main thread: decoding and parsing HL7 v2 costs about as much
 * as registering the document, so worker threads do it while the main thread registers. Without
 * workers (one core, or none could start) the files are read in the main thread.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DomainDirectory } from '../../identity/domainDirectory.ts';
import type { Config } from '../../kernel/config.ts';
import { threadScript } from '../../kernel/threadScript.ts';
import { readStorageFile, type ReadResult } from './fileReader.ts';

interface Pending {
  resolve: (r: ReadResult) => void;
  reject: (e: Error) => void;
}

export class ReaderPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  private turn = 0;

  constructor(
    private readonly policy: DomainDirectory,
    identity: Config['identity'],
    size = Math.max(0, Math.min(4, os.availableParallelism() - 1)),
    /** The repository's blob folder: the threads stage documents' bytes there (BlobStaging). */
    blobDir?: string,
  ) {
    for (let i = 0; i < size; i++) {
      let w: Worker;
      try {
        w = new Worker(threadScript(import.meta.url, 'readerWorker'), { workerData: { identity, blobDir } });
      } catch {
        break;
      }
      w.on('message', (m: { id: number; result?: ReadResult; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.error !== undefined) p.reject(new Error(m.error));
        else {
          if (m.result!.ok) m.result!.file.bytes = Buffer.from(m.result!.file.bytes.buffer, m.result!.file.bytes.byteOffset, m.result!.file.bytes.byteLength);
          p.resolve(m.result!);
        }
      });
      w.on('error', (e) => this.failAll(e));
      w.unref();
      this.workers.push(w);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  read(root: string, rel: string): Promise<ReadResult> {
    if (this.workers.length === 0) return Promise.resolve(readStorageFile(root, rel, this.policy));
    const id = this.next++;
    const w = this.workers[this.turn++ % this.workers.length];
    return new Promise<ReadResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) for (const x of this.workers) x.ref();
      w.postMessage({ id, root, rel });
    }).finally(() => {
      if (this.pending.size === 0) for (const x of this.workers) x.unref();
    });
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }
}
