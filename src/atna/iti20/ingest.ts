/**
 * The write side of the Audit Record Repository: received messages are read as they arrive and
 * queued; the queue is written in batches, each batch one store write (so one commit, one fsync, for
 * many messages). A message counts as stored only once its batch has committed. While the queue is
 * long the stream listeners stop reading (`congested`), so memory stays bounded and TCP/TLS senders
 * are slowed down rather than lost; a failed write is retried, never dropped.
 */
import { EventEmitter } from 'node:events';
import { DomainDirectory } from '../../identity/domainDirectory.ts';
import type { Config } from '../../kernel/config.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { TransactionObserver, TransactionOutcome } from '../../kernel/transactionObserver.ts';
import type { AuditStatus, Store } from '../../store/types.ts';
import type { SyslogSink } from '../syslog/streamListener.ts';
import { readRecords, type PendingRecords } from './packedRecords.ts';
import { ReaderPool } from './readerPool.ts';
import { ReceivedAuditReader, type ReceivedSyslog } from './receivedAudit.ts';

export interface IngestStats {
  received: number;
  stored: number;
  valid: number;
  invalid: number;
  unparsed: number;
}

export interface IngestOptions {
  /** Records per store write. */
  batchSize?: number;
  /** Queue length from which listeners pause. */
  highWater?: number;
  retryMs?: number;
  /** Threads that read and validate messages off the main thread (0: on it). */
  readerThreads?: number;
  /** Told of every committed batch, per status: ITI-20 over syslog, counted (metrics, the transaction log). */
  observe?: TransactionObserver;
}

/** A message stored as valid was recorded as asked; one that failed validation is kept marked; one not readable is kept raw. */
const OUTCOME_OF_STATUS: Record<AuditStatus, TransactionOutcome> = { valid: 'success', invalid: 'error', unparsed: 'refused' };

export class AuditIngest extends EventEmitter implements SyslogSink {
  readonly stats: IngestStats = { received: 0, stored: 0, valid: 0, invalid: 0, unparsed: 0 };
  /** Read messages waiting to be written, in order; `queued` records in all. */
  private queue: PendingRecords[] = [];
  private queued = 0;
  private writing = false;
  private scheduled = false;
  private retryTimer?: NodeJS.Timeout;
  private readonly batchSize: number;
  private readonly highWater: number;
  private readonly retryMs: number;
  private readonly observe?: TransactionObserver;
  private waiters: (() => void)[] = [];
  private readonly reader: ReceivedAuditReader;
  private pool?: ReaderPool;
  /** Messages handed to the reader threads and not back yet. */
  private reading = 0;
  private toRead: ReceivedSyslog[] = [];

  constructor(
    private readonly store: Store,
    identity: Config['identity'],
    private readonly log: Logger,
    opts: IngestOptions = {},
  ) {
    super();
    this.reader = new ReceivedAuditReader(new DomainDirectory(identity));
    if (opts.readerThreads) {
      this.pool = new ReaderPool(opts.readerThreads, identity, this.reader, (records) => this.delivered(records), log);
    }
    this.batchSize = opts.batchSize ?? BATCH_SIZE;
    this.highWater = opts.highWater ?? 20_000;
    this.retryMs = opts.retryMs ?? 1000;
    this.observe = opts.observe;
  }

  get congested(): boolean {
    return this.queued + this.reading >= this.highWater;
  }

  get pending(): number {
    return this.queued + this.reading;
  }

  /** A syslog message from a listener: read (here or on a reader thread), then stored with the next batch. */
  submit(m: ReceivedSyslog): void {
    this.stats.received++;
    if (!this.pool || this.pool.size === 0) {
      this.enqueue(readRecords([this.reader.fromSyslog(m)]));
      return;
    }
    this.reading++;
    this.toRead.push(m);
    if (this.toRead.length === 1) {
      setImmediate(() => {
        const batch = this.toRead;
        this.toRead = [];
        this.pool!.read(batch);
      });
    }
  }

  private delivered(records: PendingRecords): void {
    this.reading -= records.count;
    this.enqueue(records);
  }

  private enqueue(records: PendingRecords): void {
    this.queue.push(records);
    this.queued += records.count;
    if (!this.writing && !this.scheduled && !this.retryTimer) {
      this.scheduled = true;
      // setImmediate lets everything that arrived in this I/O turn join the batch.
      setImmediate(() => {
        this.scheduled = false;
        void this.drain();
      });
    }
  }

  /** Resolves once everything submitted so far is committed. */
  flushed(): Promise<void> {
    if (this.queued === 0 && this.reading === 0 && !this.writing) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    while (this.reading > 0) await new Promise((r) => setTimeout(r, 5));
    await this.pool?.close();
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.drain();
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        // Whole deliveries, up to batchSize records (at least one delivery).
        let take = 0;
        let count = 0;
        while (take < this.queue.length && (take === 0 || count + this.queue[take].count <= this.batchSize)) count += this.queue[take++].count;
        const batch = this.queue.slice(0, take);
        let statuses: Record<AuditStatus, number> = { valid: 0, invalid: 0, unparsed: 0 };
        const started = performance.now();
        try {
          await this.store.write(async (tx) => {
            // Counted afresh by each run: the store may run the write again (store/types.ts).
            statuses = { valid: 0, invalid: 0, unparsed: 0 };
            for (const pending of batch) {
              for (const r of pending.records()) {
                await tx.audit.appendAudit(r);
                statuses[r.status ?? 'valid']++;
              }
            }
          });
        } catch (e) {
          this.log.error('atna.store-failed', { records: count, error: e instanceof Error ? e.message : String(e) });
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            void this.drain();
          }, this.retryMs);
          return;
        }
        this.queue.splice(0, take);
        this.queued -= count;
        for (const status of ['valid', 'invalid', 'unparsed'] as const) this.stats[status] += statuses[status];
        if (this.observe) {
          const durationMs = performance.now() - started;
          for (const status of ['valid', 'invalid', 'unparsed'] as const) {
            if (statuses[status] > 0) this.observe({ transaction: 'ITI-20', edge: 'syslog', outcome: OUTCOME_OF_STATUS[status], durationMs, count: statuses[status] });
          }
        }
        this.stats.stored += count;
        if (this.queued < this.highWater / 2) this.emit('drain');
      }
    } finally {
      this.writing = false;
    }
    if (this.queued === 0 && this.reading === 0) {
      const w = this.waiters;
      this.waiters = [];
      for (const resolve of w) resolve();
    }
  }
}

/**
 * Records per store write at most (a batch is what waits when the write starts). Each commit rewrites
 * every page its inserts touched, and the patient index takes a different page for nearly every
 * event, so larger commits under sustained load write fewer pages per event. Three back-to-back
 * pairs of `node --max-semi-space-size=64 --import tsx bench/atna/run.ts --only hie` with the size
 * switched by a temporary variable (not kept): 3,000 gave 34,328, 35,691 and 34,037 events/s, 1,000
 * gave 33,686, 32,401 and 33,021 (250: 25,509 and 25,660). The cost: a write of 3,000 events holds
 * the event loop for about 60 ms, and a request committed with it waits that long.
 */
const BATCH_SIZE = 3000;

