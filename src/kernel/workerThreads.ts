/**
 * A few worker threads doing one kind of job off the main thread, taken in turn. The jobs a thread
 * has not answered when it fails are done by the caller's `fallback` on the main thread, and the
 * thread is not used again: nothing is lost. Used by the syslog reader threads
 * (atna/iti20/readerPool.ts) and the SOAP decode threads (soap/decodeThreads.ts).
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from './logger.ts';

/** A job and its answer carry the same sequence number. */
export interface ThreadJob {
  seq: number;
}

export interface WorkerThreadsOptions<J extends ThreadJob, R extends ThreadJob> {
  count: number;
  /** The thread's entry module. */
  script: URL;
  workerData: unknown;
  /** The event logged when a thread fails. */
  failureEvent: string;
  log: Logger;
  answered(job: J, reply: R): void;
  fallback(job: J): void;
  /** What of a job goes to the thread (by default the job itself; it must be cloneable). */
  message?(job: J): unknown;
}

interface Thread<J> {
  worker: Worker;
  inFlight: Map<number, J>;
}

export class WorkerThreads<J extends ThreadJob, R extends ThreadJob> {
  private threads: Thread<J>[] = [];
  private turn = 0;

  constructor(private readonly opts: WorkerThreadsOptions<J, R>) {
    for (let i = 0; i < opts.count; i++) this.threads.push(this.start());
  }

  get size(): number {
    return this.threads.length;
  }

  /** Hands the job to the next thread; false when none is left (the caller does the job itself). */
  post(job: J): boolean {
    const t = this.threads[this.turn++ % Math.max(1, this.threads.length)];
    if (!t) return false;
    t.inFlight.set(job.seq, job);
    t.worker.postMessage(this.opts.message ? this.opts.message(job) : job);
    return true;
  }

  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    for (const t of threads) this.takeBack(t);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private start(): Thread<J> {
    const worker = new Worker(this.opts.script, { workerData: this.opts.workerData });
    const t: Thread<J> = { worker, inFlight: new Map() };
    worker.unref();
    worker.on('message', (m: R) => {
      const job = t.inFlight.get(m.seq);
      if (!job) return;
      t.inFlight.delete(m.seq);
      this.opts.answered(job, m);
    });
    const failed = (why: string) => {
      if (!this.threads.includes(t)) return;
      this.opts.log.error(this.opts.failureEvent, { error: why });
      this.threads = this.threads.filter((x) => x !== t);
      this.takeBack(t);
    };
    worker.on('error', (e) => failed(e.message));
    worker.on('exit', (code) => failed(`exited with ${code}`));
    return t;
  }

  private takeBack(t: Thread<J>): void {
    const jobs = [...t.inFlight.values()];
    t.inFlight.clear();
    for (const j of jobs) this.opts.fallback(j);
  }
}
