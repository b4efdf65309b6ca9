/**
 * MLLP listener: one decoder per connection; the acknowledgements of a connection leave in the
 * order its messages came. A connection that sends more than it lets us answer is paused; an idle
 * one is closed, and so is one whose frame does not end within the frame deadline (however slowly its
 * bytes keep coming). The listener's connection caps are kept by its gate.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ConnectionGate } from '../../kernel/connectionGate.ts';
import { listen } from '../../kernel/listen.ts';
import { onTlsRefused, peerCertificate } from '../../kernel/tls.ts';
import type { CertificateInfo } from '../../kernel/requestContext.ts';
import { frame, MllpDecoder, type MllpEvent } from './framing.ts';

export interface PeerInfo {
  address: string;
  port: number;
  /** This server's address on the connection (the Destination's network access point in audits). */
  localAddress?: string;
  /** The client certificate, when the listener requires TLS client authentication. */
  certificate?: CertificateInfo;
  /** The listener the connection came to, as a URI (the object of authorization Security Alerts). */
  listener?: string;
}

/** Answers one framing event with zero or more encoded messages. Must not throw. */
export type MllpHandler = (event: MllpEvent, peer: PeerInfo) => Promise<Buffer[]>;

export interface MllpServerOptions {
  host: string;
  port: number;
  maxMessageBytes: number;
  idleTimeoutMs: number;
  /** A frame must end within this time of its start block. */
  frameTimeoutMs: number;
  /** The listener's connection caps. */
  gate?: ConnectionGate;
  tls?: tls.TlsOptions;
  onError?: (err: Error, peer?: PeerInfo) => void;
  /** A TLS client refused in the handshake (node authentication failed); onError when not given. */
  onRefused?: (err: Error, peer: PeerInfo) => void;
}

/** Messages of one connection handled at once before it is paused. */
const MAX_IN_FLIGHT = 64;

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
    this.opts.gate?.attach(this.server);
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

  private listenerUri(): string {
    const a = this.server?.address();
    const port = a && typeof a === 'object' ? a.port : this.opts.port;
    return `${this.opts.tls ? 'mllp-tls' : 'mllp'}://${this.opts.host}:${port}`;
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    const peer: PeerInfo = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0, localAddress: socket.localAddress, listener: this.listenerUri() };
    const certificate = peerCertificate(socket);
    if (certificate) peer.certificate = certificate;
    const decoder = new MllpDecoder(this.opts.maxMessageBytes);
    let inFlight = 0;
    let answered: Promise<void> = Promise.resolve();
    let closing = false;

    socket.setNoDelay(true);
    socket.setTimeout(this.opts.idleTimeoutMs, () => socket.end());
    socket.on('error', (err) => this.opts.onError?.(err, peer));

    // A sender that does not wait for each ACK (a pipeline) has its messages handled together: each
    // handler starts on arrival, so their writes join one commit in arrival order, and the answers
    // are written strictly in that order.
    const dispatch = (ev: MllpEvent) => {
      inFlight++;
      const replies = this.handler(ev, peer);
      answered = answered.then(async () => {
        for (const r of await replies) if (!socket.destroyed) socket.write(frame(r));
        inFlight--;
        if (inFlight < MAX_IN_FLIGHT / 2 && socket.isPaused() && !closing) socket.resume();
        if (closing && inFlight === 0) socket.end();
      });
    };

    // One timer per connection, restarted (refresh) when a frame starts: no per-byte work.
    let deadline: NodeJS.Timeout | undefined;
    let inFrame = false;
    const frameDeadline = () => {
      if (!inFrame || socket.destroyed) return;
      this.opts.onError?.(new Error(`frame not completed within ${this.opts.frameTimeoutMs} ms: connection closed`), peer);
      socket.destroy();
    };
    socket.on('close', () => clearTimeout(deadline));

    socket.on('data', (chunk: Buffer) => {
      const events = decoder.push(chunk);
      if (decoder.midFrame) {
        // A frame started in this chunk (none was open, or one ended in it): its deadline starts now.
        if (!deadline) deadline = setTimeout(frameDeadline, this.opts.frameTimeoutMs);
        else if (!inFrame || events.length > 0) deadline.refresh();
        inFrame = true;
      } else inFrame = false;
      for (const ev of events) {
        // Bytes that are not MLLP (an HTTP client, a wrong port): no ACK can be framed for them,
        // so the connection is closed once what came before them is answered.
        if (ev.kind === 'garbage') {
          if (!ev.whitespace) closing = true;
          continue;
        }
        if (!closing) dispatch(ev);
      }
      if (inFlight >= MAX_IN_FLIGHT || closing) socket.pause();
      if (closing && inFlight === 0) socket.end();
    });
  }
}
