/**
 * Reader threads: received syslog messages are read and validated on worker threads, and their
 * records come back in the order the messages arrived. A thread that fails hands its batches back to
 * the main thread, which reads them itself: nothing is lost.
 */
import type { Config } from '../../kernel/config.ts';
import type { Logger } from '../../kernel/logger.ts';
import { WorkerThreads } from '../../kernel/workerThreads.ts';
import { threadScript } from '../../kernel/threadScript.ts';
import { pendingPacked, readRecords, type PackedRecords, type PendingRecords } from './packedRecords.ts';
import { packBatch, readBatch, type ReaderBatch } from './readerBatch.ts';
import type { ReceivedAuditReader, ReceivedSyslog } from './receivedAudit.ts';

export class ReaderPool {
  private readonly threads: WorkerThreads<ReaderBatch, { seq: number; records: PackedRecords }>;
  private seq = 0;
  private nextToDeliver = 0;
  private readonly done = new Map<number, PendingRecords>();

  constructor(
    count: number,
    identity: Config['identity'],
    private readonly fallback: ReceivedAuditReader,
    private readonly deliver: (records: PendingRecords) => void,
    log: Logger,
  ) {
    this.threads = new WorkerThreads({
      count,
      script: threadScript(import.meta.url, 'readerWorker'),
      workerData: { identity },
      failureEvent: 'atna.reader-thread-failed',
      log,
      answered: (batch, m) => this.finish(batch.seq, pendingPacked(m.records, batch.bytes)),
      // What a failed thread still had is read here.
      fallback: (batch) => this.finish(batch.seq, readRecords(readBatch(this.fallback, batch))),
    });
  }

  get size(): number {
    return this.threads.size;
  }

  read(messages: ReceivedSyslog[]): void {
    const batch = packBatch(this.seq++, messages);
    if (!this.threads.post(batch)) this.finish(batch.seq, readRecords(readBatch(this.fallback, batch)));
  }

  close(): Promise<void> {
    return this.threads.close();
  }

  private finish(seq: number, records: PendingRecords): void {
    this.done.set(seq, records);
    while (this.done.has(this.nextToDeliver)) {
      const r = this.done.get(this.nextToDeliver)!;
      this.done.delete(this.nextToDeliver);
      this.nextToDeliver++;
      this.deliver(r);
    }
  }
}
