/**
 * Decode threads: the envelopes of the actions that register a body decoder (the large ones, such as
 * ITI-42 SubmitObjectsRequests) are parsed and decoded on worker threads, so the main thread keeps
 * the sockets and the store. Only what the decoder made of the Body comes back, not the XML tree.
 * Other actions, and requests whose Content-Type names no action, are decoded on the main thread. A
 * thread that fails hands its requests back to the main thread, which decodes them itself.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../server/logger.ts';
import type { XmlLimits } from '../xml/parse.ts';
import type { SoapEnvelope } from './envelope.ts';
import { decodeEnvelope, type BodyDecoder, type DecodedEnvelope, type EnvelopeDecoder } from './envelopeDecoder.ts';
import { SoapFault, type FaultCode, type FaultSubcode } from './fault.ts';

/** What a thread answers for one request. */
export type ThreadReply =
  | { id: number; ok: true; env: SoapEnvelope; predecoded?: unknown }
  | { id: number; ok: false; fault?: { code: FaultCode; reason: string; subcode?: FaultSubcode }; error?: string };

export interface ThreadRequest {
  id: number;
  bytes: Uint8Array;
  limits: XmlLimits;
}

interface Pending {
  request: ThreadRequest;
  resolve: (d: DecodedEnvelope) => void;
  reject: (e: unknown) => void;
}

interface Thread {
  worker: Worker;
  inFlight: Map<number, Pending>;
}

export interface DecodeThreadsOptions {
  count: number;
  /** URL of a module exporting `decoders: Record<action, BodyDecoder>`, loaded by each thread. */
  decodersModule: string;
  /** The same decoders, for the main thread when a thread fails. */
  decoders: Readonly<Record<string, BodyDecoder>>;
  log: Logger;
}

export class DecodeThreads implements EnvelopeDecoder {
  private threads: Thread[] = [];
  private seq = 0;
  private turn = 0;

  constructor(private readonly opts: DecodeThreadsOptions) {
    for (let i = 0; i < opts.count; i++) this.threads.push(this.start());
  }

  get size(): number {
    return this.threads.length;
  }

  decode(bytes: Buffer, limits: XmlLimits, actionHint?: string): Promise<DecodedEnvelope> {
    const t = this.threads[this.turn++ % Math.max(1, this.threads.length)];
    if (!t || !actionHint || !this.opts.decoders[actionHint]) return this.here(bytes, limits);
    // Copied to the thread, not transferred: the main thread keeps the bytes in case the thread fails.
    const request: ThreadRequest = { id: this.seq++, bytes, limits };
    return new Promise((resolve, reject) => {
      t.inFlight.set(request.id, { request, resolve, reject });
      t.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    const threads = this.threads;
    this.threads = [];
    for (const t of threads) this.takeBack(t);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private async here(bytes: Buffer | Uint8Array, limits: XmlLimits): Promise<DecodedEnvelope> {
    return decodeEnvelope(bytes, limits, this.opts.decoders);
  }

  private start(): Thread {
    const worker = new Worker(new URL('./decodeThread.boot.mjs', import.meta.url), { workerData: { decodersModule: this.opts.decodersModule } });
    const t: Thread = { worker, inFlight: new Map() };
    worker.unref();
    worker.on('message', (m: ThreadReply) => {
      const p = t.inFlight.get(m.id);
      if (!p) return;
      t.inFlight.delete(m.id);
      if (m.ok) p.resolve({ env: m.env, predecoded: m.predecoded });
      else if (m.fault) p.reject(new SoapFault(m.fault.code, m.fault.reason, m.fault.subcode));
      // Anything else the thread could not handle, the main thread decodes and answers as it would.
      else this.here(p.request.bytes, p.request.limits).then(p.resolve, p.reject);
    });
    const failed = (why: string) => {
      if (!this.threads.includes(t)) return;
      this.opts.log.error('soap.decode-thread-failed', { error: why });
      this.threads = this.threads.filter((x) => x !== t);
      this.takeBack(t);
    };
    worker.on('error', (e) => failed(e.message));
    worker.on('exit', (code) => failed(`exited with ${code}`));
    return t;
  }

  /** Decodes what a thread still had, here. */
  private takeBack(t: Thread): void {
    const pending = [...t.inFlight.values()];
    t.inFlight.clear();
    for (const p of pending) this.here(p.request.bytes, p.request.limits).then(p.resolve, p.reject);
  }
}
