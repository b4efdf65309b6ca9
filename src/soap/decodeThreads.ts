/**
 * Decode threads: the envelopes of the actions that register a body decoder (the large ones, such as
 * ITI-42 SubmitObjectsRequests) are parsed and decoded on worker threads, so the main thread keeps
 * the sockets and the store. Only what the decoder made of the Body comes back, not the XML tree.
 * Other actions, and requests whose Content-Type names no action, are decoded on the main thread. A
 * thread that fails hands its requests back to the main thread, which decodes them itself.
 */
import type { Logger } from '../kernel/logger.ts';
import { WorkerThreads } from '../kernel/workerThreads.ts';
import { threadScript } from '../kernel/threadScript.ts';
import type { XmlLimits } from '../xml/parse.ts';
import type { SoapEnvelope } from './envelope.ts';
import { decodeEnvelope, type BodyDecoder, type DecodedEnvelope, type EnvelopeDecoder } from './envelopeDecoder.ts';
import { SoapFault, type FaultCode, type FaultExtras, type FaultSubcode } from './fault.ts';

export interface ThreadRequest {
  seq: number;
  /** Copied to the thread, not transferred: the main thread keeps them in case the thread fails. */
  bytes: Uint8Array;
  limits: XmlLimits;
}

/** What a thread answers for one request. */
export type ThreadReply =
  | { seq: number; ok: true; env: SoapEnvelope; predecoded?: unknown }
  | { seq: number; ok: false; fault?: { code: FaultCode; reason: string; subcode?: FaultSubcode; extras?: FaultExtras }; error?: string };

interface Job extends ThreadRequest {
  resolve: (d: DecodedEnvelope) => void;
  reject: (e: unknown) => void;
}

export interface DecodeThreadsOptions {
  count: number;
  /** URL of a module exporting `decoders: Record<action, BodyDecoder>`, loaded by each thread. */
  decodersModule: string;
  /** The same decoders, for the main thread. */
  decoders: Readonly<Record<string, BodyDecoder>>;
  log: Logger;
}

export class DecodeThreads implements EnvelopeDecoder {
  private readonly threads: WorkerThreads<Job, ThreadReply>;
  private seq = 0;

  constructor(private readonly opts: DecodeThreadsOptions) {
    this.threads = new WorkerThreads<Job, ThreadReply>({
      // Only the request's data crosses to the thread; the callbacks stay here.
      message: ({ seq, bytes, limits }): ThreadRequest => ({ seq, bytes, limits }),
      count: opts.count,
      script: threadScript(import.meta.url, 'decodeThread'),
      workerData: { decodersModule: opts.decodersModule },
      failureEvent: 'soap.decode-thread-failed',
      log: opts.log,
      answered: (job, m) => {
        if (m.ok) job.resolve({ env: m.env, predecoded: m.predecoded });
        else if (m.fault) job.reject(new SoapFault(m.fault.code, m.fault.reason, m.fault.subcode, m.fault.extras));
        // Anything else the thread could not handle, the main thread decodes and answers as it would.
        else this.here(job);
      },
      fallback: (job) => this.here(job),
    });
  }

  get size(): number {
    return this.threads.size;
  }

  decode(bytes: Buffer, limits: XmlLimits, actionHint?: string): Promise<DecodedEnvelope> {
    if (!actionHint || !this.opts.decoders[actionHint] || this.threads.size === 0) return Promise.resolve().then(() => decodeEnvelope(bytes, limits, this.opts.decoders));
    return new Promise((resolve, reject) => {
      this.threads.post({ seq: this.seq++, bytes, limits, resolve, reject });
    });
  }

  close(): Promise<void> {
    return this.threads.close();
  }

  private here(job: Job): void {
    try {
      job.resolve(decodeEnvelope(job.bytes, job.limits, this.opts.decoders));
    } catch (e) {
      job.reject(e);
    }
  }
}
