/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
 * crosses its threshold: it copies the WAL's pages into the database file and fsyncs both, on the
 * writer's thread, which is the event loop. Here a thread with its own connection runs PASSIVE
 * checkpoints while commits keep coming, so that pages are copied without a request waiting for it;
 * a PASSIVE checkpoint never blocks the writer or a reader
 * (https://sqlite.org/c3ref/wal_checkpoint_v2.html).
 *
 * The writer keeps an automatic checkpoint, with a higher threshold: under continuous commits the
 * thread's checkpoints never catch up with the last frame, and the WAL only starts over from its
 * beginning once a checkpoint has copied every frame (https://sqlite.org/wal.html#avoiding_excessively_large_wal_files).
 * The writer's own checkpoint, run between two commits, does that, and finds most pages already
 * copied. If the thread fails, the writer checkpoints at SQLite's default threshold again.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** SQLite's own default threshold, in WAL pages, for the fallback. */
const AUTOCHECKPOINT_PAGES = 1000;
/**
 * The writer's threshold while the thread copies pages: about the most the WAL grows to (64 MiB of
 * 4 KiB pages, 128 MiB of the 8 KiB pages of a database made since sqliteStore.ts PAGE_BYTES).
 * Measured with `npm run bench:pix -- --only feed --feeds 20000` and a temporary environment switch
 * for this value (not kept): 1,000 pages 913/s, 4,000 984 to 1,124/s, 16,000 1,111 to 1,227/s,
 * 64,000 1,232 to 1,238/s; with the thread switched off (the writer at 1,000 pages) 832 and 911/s.
 */
export const WRITER_CHECKPOINT_PAGES = 16_000;
/** Pause between two checkpoints while commits keep coming (each one fsyncs the WAL and the database). */
const PAUSE_MS = 50;

// Plain JavaScript evaluated in the thread: it needs nothing of the TypeScript sources.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.postMessage({ closed: true });
    return;
  }
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, busy: r.busy, log: r.log, checkpointed: r.checkpointed });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: e && e.message ? e.message : String(e) });
  }
});
`;

interface Reply {
  ok?: boolean;
  closed?: boolean;
  error?: string;
}

export class WalCheckpointer {
  private worker?: Worker;
  private running = false;
  private dirty = false;
  private timer?: NodeJS.Timeout;
  private idleWaiters: (() => void)[] = [];
  private closing?: () => void;

  constructor(
    private readonly writer: Database.Database,
    file: string,
    private readonly onFailure: (why: string) => void = () => undefined,
    writerCheckpointPages = WRITER_CHECKPOINT_PAGES,
  ) {
    try {
      const worker = new Worker(THREAD, { eval: true, workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3') } });
      worker.unref();
      worker.on('message', (m: Reply) => this.answered(m));
      worker.on('error', (e) => this.fail(e.message));
      worker.on('exit', (code) => {
        if (this.worker) this.fail(`the checkpoint thread exited with ${code}`);
        this.closing?.();
      });
      writer.pragma(`wal_autocheckpoint = ${writerCheckpointPages}`);
      this.worker = worker;
    } catch (e) {
      this.fail(e instanceof Error ? e.message : String(e));
    }
  }

  /** Whether checkpoints run on the thread (false once it failed: the writer does them itself). */
  get active(): boolean {
    return this.worker !== undefined;
  }

  /** A commit added pages to the WAL. */
  committed(): void {
    if (!this.worker) return;
    this.dirty = true;
    if (!this.running && !this.timer) this.start();
  }

  /** Resolves when every commit reported so far has been checkpointed (as far as a PASSIVE one can). */
  idle(): Promise<void> {
    if (!this.worker || (!this.running && !this.dirty)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops the thread and closes its connection, so that the writer is the last to close. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // The writer checkpoints what is left when it closes, as the last connection.
    this.dirty = false;
    const worker = this.worker;
    if (!worker) return;
    if (this.running) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.worker = undefined;
    await new Promise<void>((resolve) => {
      this.closing = resolve;
      worker.postMessage('close');
    });
    await worker.terminate();
  }

  private start(): void {
    this.timer = undefined;
    this.running = true;
    this.dirty = false;
    this.worker!.postMessage('checkpoint');
  }

  private answered(m: Reply): void {
    if (m.closed) {
      this.closing?.();
      return;
    }
    this.running = false;
    if (m.ok === false) return this.fail(m.error ?? 'checkpoint failed');
    if (this.dirty) {
      this.timer = setTimeout(() => this.start(), PAUSE_MS);
      this.timer.unref();
      return;
    }
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((w) => w());
  }

  private fail(why: string): void {
    const worker = this.worker;
    this.worker = undefined;
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writer.open) this.writer.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((w) => w());
    if (worker) void worker.terminate();
    this.onFailure(why);
  }
}
