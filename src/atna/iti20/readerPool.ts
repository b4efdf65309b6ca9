/**
 * Reader threads: received syslog messages are read and validated on worker threads, and their
 * records come back in the order the messages arrived. A thread that fails hands its batches back to
 * the main thread, which reads them itself: nothing is lost.
 */
import { Worker } from 'node:worker_threads';
import type { Config } from '../../server/config/types.ts';
import type { Logger } from '../../server/logger.ts';
import type { AuditRecord } from '../../store/types.ts';
import { packBatch, readBatch, restoreRecords, type ReaderBatch } from './readerBatch.ts';
import type { ReceivedAuditReader, ReceivedSyslog } from './receivedAudit.ts';

interface Thread {
  worker: Worker;
  inFlight: Map<number, ReaderBatch>;
}

export class ReaderPool {
  private threads: Thread[] = [];
  private seq = 0;
  private nextToDeliver = 0;
  private readonly done = new Map<number, AuditRecord[]>();
  private turn = 0;

  constructor(
    count: number,
    identity: Config['identity'],
    private readonly fallback: ReceivedAuditReader,
    private readonly deliver: (records: AuditRecord[]) => void,
    private readonly log: Logger,
  ) {
    for (let i = 0; i < count; i++) this.threads.push(this.start(identity));
  }

  get size(): number {
    return this.threads.length;
  }

  read(messages: ReceivedSyslog[]): void {
    const batch = packBatch(this.seq++, messages);
    const t = this.threads[this.turn++ % Math.max(1, this.threads.length)];
    if (!t) return this.finish(batch.seq, readBatch(this.fallback, batch));
    t.inFlight.set(batch.seq, batch);
    t.worker.postMessage(batch);
  }

  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    for (const t of threads) this.takeBack(t);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private start(identity: Config['identity']): Thread {
    const worker = new Worker(new URL('./readerWorker.boot.mjs', import.meta.url), { workerData: { identity } });
    const t: Thread = { worker, inFlight: new Map() };
    worker.unref();
    worker.on('message', (m: { seq: number; records: AuditRecord[] }) => {
      if (!t.inFlight.delete(m.seq)) return;
      this.finish(m.seq, restoreRecords(m.records));
    });
    const failed = (why: string) => {
      if (!this.threads.includes(t)) return;
      this.log.error('atna.reader-thread-failed', { error: why });
      this.threads = this.threads.filter((x) => x !== t);
      this.takeBack(t);
    };
    worker.on('error', (e) => failed(e.message));
    worker.on('exit', (code) => failed(`exited with ${code}`));
    return t;
  }

  /** Reads what a thread still had, here. */
  private takeBack(t: Thread): void {
    const batches = [...t.inFlight.values()];
    t.inFlight.clear();
    for (const b of batches) this.finish(b.seq, readBatch(this.fallback, b));
  }

  private finish(seq: number, records: AuditRecord[]): void {
    this.done.set(seq, records);
    while (this.done.has(this.nextToDeliver)) {
      const r = this.done.get(this.nextToDeliver)!;
      this.done.delete(this.nextToDeliver);
      this.nextToDeliver++;
      this.deliver(r);
    }
  }
}
