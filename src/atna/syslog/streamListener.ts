/**
 * Syslog over a stream: TLS (RFC 5425, node authentication by client certificate when configured) or
 * plain TCP for local testing, octet-counted framing. Every frame goes to the sink as it completes; a
 * connection silent for the idle timeout, or whose frame does not end within the frame deadline
 * (however slowly its bytes keep coming), is closed and what it sent of the frame is handed over as
 * unfinished, so nothing is lost and nobody holds a connection forever. A refused TLS handshake is
 * reported (the caller audits it); no byte of it reaches the sink. The listener's connection caps are
 * kept by its gate.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ConnectionGate } from '../../kernel/connectionGate.ts';
import { listen } from '../../kernel/listen.ts';
import { onTlsRefused, peerCertificate } from '../../kernel/tls.ts';
import type { CertificateInfo } from '../../kernel/requestContext.ts';
import type { Peer, ReceivedSyslog } from '../iti20/receivedAudit.ts';
import type { Sender } from '../iti20/sender.ts';
import { OctetCountingDecoder } from './octetCounting.ts';

export interface SyslogSink {
  submit(m: ReceivedSyslog): void;
  readonly congested: boolean;
  on(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

export interface SyslogStreamOptions {
  host: string;
  port: number;
  tls?: tls.TlsOptions;
  maxMessageBytes: number;
  idleTimeoutMs: number;
  /** A frame must end within this time of its first byte. */
  frameTimeoutMs: number;
  /** The listener's connection caps. */
  gate?: ConnectionGate;
  /** A TLS client that was refused (no certificate, an untrusted one, a failed handshake). */
  onRefused?: (err: Error, peer: Peer) => void;
  onError?: (err: Error, peer: Peer) => void;
  /** The node a peer is (by its client certificate, else its address), for the marks of what it sends (iti20/sender.ts). */
  senderOf?: (address: string, certificate?: CertificateInfo) => Sender;
}

export class SyslogStreamListener {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  readonly transport: 'syslog-tls' | 'syslog-tcp';

  constructor(
    private readonly opts: SyslogStreamOptions,
    private readonly sink: SyslogSink,
  ) {
    this.transport = opts.tls ? 'syslog-tls' : 'syslog-tcp';
  }

  async listen(): Promise<number> {
    const onConnection = (socket: net.Socket) => this.accept(socket);
    if (this.opts.tls) {
      this.server = tls.createServer(this.opts.tls, onConnection);
      if (this.opts.onRefused) onTlsRefused(this.server, this.opts.onRefused);
    } else this.server = net.createServer(onConnection);
    this.opts.gate?.attach(this.server);
    return listen(this.server, this.opts.port, this.opts.host);
  }

  /** Stops accepting and closes every connection, handing over unfinished frames. */
  async close(): Promise<void> {
    if (!this.server) return;
    const closed = new Promise<void>((resolve) => this.server!.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    const peer: Peer = { address: stripV4Mapped(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 };
    if (socket instanceof tls.TLSSocket) {
      const cert = socket.getPeerCertificate();
      if (cert && cert.subject) peer.certificateSubject = String(cert.subject.CN ?? '');
    }
    if (this.opts.senderOf) peer.sender = this.opts.senderOf(socket.remoteAddress ?? '', peerCertificate(socket));
    const decoder = new OctetCountingDecoder(this.opts.maxMessageBytes);
    const max = this.opts.maxMessageBytes;
    const submit = (bytes: Buffer, problem?: string, receivedAt = new Date().toISOString()) =>
      this.sink.submit({ transport: this.transport, peer, receivedAt, bytes, problem });
    let finished = false;
    const finish = (why: string) => {
      if (finished) return;
      finished = true;
      const u = decoder.unfinished();
      if (u) submit(u.bytes, `${why} after ${u.received} of ${u.expected} bytes of a frame`);
    };
    const onDrain = () => {
      if (!socket.destroyed) socket.resume();
    };
    this.sink.on('drain', onDrain);

    socket.setNoDelay(true);
    let inFrame = false;
    socket.setTimeout(this.opts.idleTimeoutMs);
    socket.on('timeout', () => {
      finish(`connection silent for ${this.opts.idleTimeoutMs} ms`);
      socket.destroy();
    });
    // One timer per connection, restarted (refresh) when a frame starts: no per-byte work.
    let deadline: NodeJS.Timeout | undefined;
    const frameDeadline = () => {
      if (!inFrame || socket.destroyed) return;
      finish(`frame not completed within ${this.opts.frameTimeoutMs} ms`);
      socket.destroy();
    };
    socket.on('error', (err) => this.opts.onError?.(err, peer));
    socket.on('close', () => {
      clearTimeout(deadline);
      finish('connection closed');
      this.sockets.delete(socket);
      this.sink.off('drain', onDrain);
    });
    socket.on('data', (chunk: Buffer) => {
      // The frames completed by one chunk were all received when it was.
      const receivedAt = new Date().toISOString();
      const frames = decoder.push(chunk);
      for (const f of frames) {
        if (f.kind === 'message') submit(f.bytes, undefined, receivedAt);
        else if (f.kind === 'oversize') submit(f.head, `frame of ${f.size} bytes exceeds the limit of ${max} bytes; its first ${f.head.length} bytes kept`, receivedAt);
        else {
          submit(f.bytes, f.reason, receivedAt);
          // Without framing nothing more can be read from this stream.
          finished = true;
          socket.destroy();
          return;
        }
      }
      if (this.sink.congested) socket.pause();
      if (decoder.midFrame) {
        // A frame started in this chunk (none was open, or one ended in it): its deadline starts now.
        if (!deadline) deadline = setTimeout(frameDeadline, this.opts.frameTimeoutMs);
        else if (!inFrame || frames.length > 0) deadline.refresh();
        inFrame = true;
      } else inFrame = false;
    });
  }
}

export function stripV4Mapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
