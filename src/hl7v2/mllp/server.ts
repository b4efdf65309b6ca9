/**
 * MLLP listener: one decoder per connection; messages of a connection are handled one after the
 * other, so their acknowledgements leave in the order the messages came. A connection that sends
 * more than it lets us answer is paused; an idle one is closed.
 */
import net from 'node:net';
import tls from 'node:tls';
import { listen } from '../../server/listen.ts';
import { onTlsRefused } from '../../server/tls.ts';
import { frame, MllpDecoder, type MllpEvent } from './framing.ts';

export interface PeerInfo {
  address: string;
  port: number;
  /** This server's address on the connection (the Destination's network access point in audits). */
  localAddress?: string;
  /** Subject CN of the client certificate, when the listener requires TLS client authentication. */
  certificateSubject?: string;
}

/** Answers one framing event with zero or more encoded messages. Must not throw. */
export type MllpHandler = (event: MllpEvent, peer: PeerInfo) => Promise<Buffer[]>;

export interface MllpServerOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  idleTimeoutMs: number;
  tls?: tls.TlsOptions;
  onError?: (err: Error, peer?: PeerInfo) => void;
  /** A TLS client refused in the handshake (node authentication failed); onError when not given. */
  onRefused?: (err: Error, peer: PeerInfo) => void;
}

const MAX_QUEUED = 64;

export class MllpServer {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly opts: MllpServerOptions,
    private readonly handler: MllpHandler,
  ) {}

  async listen(): Promise<number> {
    const onConnection = (socket: net.Socket) => this.accept(socket);
    this.server = this.opts.tls ? tls.createServer(this.opts.tls, onConnection) : net.createServer(onConnection);
    if (this.opts.tls) {
      onTlsRefused(this.server, (err, peer) => (this.opts.onRefused ? this.opts.onRefused(err, peer) : this.opts.onError?.(err, peer)));
    }
    return listen(this.server, this.opts.port, this.opts.host);
  }

  /** Stops accepting, lets in-flight messages finish, then closes every connection. */
  async close(): Promise<void> {
    if (!this.server) return;
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const s of this.sockets) s.end();
    const timer = setTimeout(() => this.sockets.forEach((s) => s.destroy()), 2000);
    await closed;
    clearTimeout(timer);
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    const peer: PeerInfo = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, localAddress: socket.localAddress };
    if (socket instanceof tls.TLSSocket) {
      const cert = socket.getPeerCertificate();
      if (cert && cert.subject) peer.certificateSubject = String(cert.subject.CN ?? '');
    }
    const decoder = new MllpDecoder(this.opts.maxMessageBytes);
    const queue: MllpEvent[] = [];
    let busy = false;
    let closing = false;

    socket.setNoDelay(true);
    socket.setTimeout(this.opts.idleTimeoutMs, () => socket.end());
    socket.on('error', (err) => this.opts.onError?.(err, peer));

    const pump = async () => {
      if (busy) return;
      busy = true;
      while (queue.length > 0 && !socket.destroyed) {
        const ev = queue.shift()!;
        const replies = await this.handler(ev, peer);
        for (const r of replies) if (!socket.destroyed) socket.write(frame(r));
        if (queue.length < MAX_QUEUED / 2 && socket.isPaused() && !closing) socket.resume();
      }
      busy = false;
      if (closing && queue.length === 0) socket.end();
    };

    socket.on('data', (chunk: Buffer) => {
      for (const ev of decoder.push(chunk)) {
        // Bytes that are not MLLP (an HTTP client, a wrong port): no ACK can be framed for them,
        // so the connection is closed once what came before them is answered.
        if (ev.kind === 'garbage') {
          if (!ev.whitespace) closing = true;
          continue;
        }
        if (!closing) queue.push(ev);
      }
      if (queue.length >= MAX_QUEUED) socket.pause();
      if (closing) socket.pause();
      void pump().then(() => {
        if (closing && !busy && queue.length === 0) socket.end();
      });
    });
  }
}
