/**
 * MLLP client: sends framed messages and hands back the replies in order. Used by `hie send`, the
 * ITI-10 notifier and the tests.
 */
import net from 'node:net';
import tls from 'node:tls';
import { frame, MllpDecoder } from './framing.ts';

export interface MllpClientOptions {
  host: string;
  port: number;
  tls?: tls.ConnectionOptions;
  /** How long to wait for each reply. */
  replyTimeoutMs?: number;
  connectTimeoutMs?: number;
  maxMessageBytes?: number;
}

interface Waiter {
  resolve: (b: Buffer) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
}

export class MllpClient {
  private readonly waiters: Waiter[] = [];
  private readonly early: Buffer[] = [];
  private closedError?: Error;

  private constructor(
    private readonly socket: net.Socket,
    private readonly replyTimeoutMs: number,
    maxMessageBytes: number,
  ) {
    const decoder = new MllpDecoder(maxMessageBytes);
    socket.on('data', (chunk: Buffer) => {
      for (const ev of decoder.push(chunk)) {
        if (ev.kind !== 'message') continue;
        const w = this.waiters.shift();
        if (w) {
          clearTimeout(w.timer);
          w.resolve(ev.bytes);
        } else this.early.push(ev.bytes);
      }
    });
    const fail = (err: Error) => {
      this.closedError = err;
      for (const w of this.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(err);
      }
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed by peer')));
  }

  static connect(opts: MllpClientOptions): Promise<MllpClient> {
    return new Promise((resolve, reject) => {
      const timeout = opts.connectTimeoutMs ?? 10_000;
      const onReady = () => {
        socket.setNoDelay(true);
        socket.setTimeout(0);
        socket.removeListener('error', reject);
        resolve(new MllpClient(socket, opts.replyTimeoutMs ?? 30_000, opts.maxMessageBytes ?? 16 * 1024 * 1024));
      };
      const socket = opts.tls
        ? tls.connect({ host: opts.host, port: opts.port, ...opts.tls }, onReady)
        : net.connect({ host: opts.host, port: opts.port }, onReady);
      socket.setTimeout(timeout, () => socket.destroy(new Error(`connect to ${opts.host}:${opts.port} timed out`)));
      socket.once('error', reject);
    });
  }

  /** Sends one message and resolves with the next reply frame. */
  send(payload: Uint8Array): Promise<Buffer> {
    const p = this.nextReply();
    this.socket.write(frame(payload));
    return p;
  }

  /** Writes raw bytes (tests use it for broken frames). */
  writeRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  nextReply(): Promise<Buffer> {
    const ready = this.early.shift();
    if (ready) return Promise.resolve(ready);
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const w: Waiter = { resolve, reject };
      w.timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no reply within ${this.replyTimeoutMs} ms`));
      }, this.replyTimeoutMs);
      this.waiters.push(w);
    });
  }

  /** Resolves when the peer closes the connection. */
  closed(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }
}
