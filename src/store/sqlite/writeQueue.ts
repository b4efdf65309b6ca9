/**
 * Group commit for the single SQLite writer. Requests that arrive while a commit is being prepared
 * join it: one BEGIN IMMEDIATE, one SAVEPOINT per request (so one request's failure undoes only its
 * own work), one COMMIT; the requests are answered only once `durable` says the commit is on disk
 * (an fsync shared by every batch committed meanwhile, see walSync.ts). The next batch does not wait
 * for that fsync.
 */
import type Database from 'better-sqlite3';

interface Job<T> {
  run: () => Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
  ok?: boolean;
  value?: T;
  error?: unknown;
}

/** Requests in one commit at most. */
export const MAX_BATCH = 256;

export class WriteQueue {
  private pending: Job<unknown>[] = [];
  private running = false;
  private scheduled = false;

  constructor(
    private readonly db: Database.Database,
    /** Resolves when what was committed so far is durable. */
    private readonly durable: () => Promise<void> = async () => undefined,
    /** Told after each COMMIT (the WAL has grown). */
    private readonly committed: () => void = () => undefined,
    /** Told whenever work is undone (a request rolled back to its savepoint, a failed COMMIT). */
    private readonly rolledBack: () => void = () => undefined,
    private readonly maxBatch = MAX_BATCH,
  ) {}

  enqueue<T>(run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve, reject } as Job<unknown>);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // setImmediate lets every request that arrived in this I/O turn join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.running = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.maxBatch);
        await this.runBatch(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async runBatch(batch: Job<unknown>[]): Promise<void> {
    const db = this.db;
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      for (const j of batch) j.reject(e);
      return;
    }
    for (const job of batch) {
      db.exec('SAVEPOINT request');
      try {
        job.value = await job.run();
        job.ok = true;
        db.exec('RELEASE request');
      } catch (e) {
        job.ok = false;
        job.error = e;
        db.exec('ROLLBACK TO request');
        db.exec('RELEASE request');
        this.rolledBack();
      }
    }
    try {
      db.exec('COMMIT');
    } catch (e) {
      if (db.inTransaction) db.exec('ROLLBACK');
      this.rolledBack();
      for (const j of batch) j.reject(e);
      return;
    }
    this.committed();
    this.durable().then(
      () => {
        for (const j of batch) (j.ok ? j.resolve(j.value) : j.reject(j.error));
      },
      (e) => {
        for (const j of batch) j.reject(e);
      },
    );
  }
}
