/**
 * Syslog over UDP (RFC 5426): one message per datagram. UDP has no flow control: every datagram is
 * handed over as it comes; one larger than the limit is kept cut to the limit, with the problem noted.
 * A datagram's sender is known by its address only (a node's config `addresses`).
 */
import dgram from 'node:dgram';
import type { Sender } from '../iti20/sender.ts';
import type { SyslogSink } from './streamListener.ts';
import { stripV4Mapped } from './streamListener.ts';

export class SyslogDatagramListener {
  private socket?: dgram.Socket;

  constructor(
    private readonly opts: {
      host: string;
      port: number;
      maxMessageBytes: number;
      /** The node a datagram's sender is, by its address (iti20/sender.ts). */
      senderOf?: (address: string) => Sender;
    },
    private readonly sink: SyslogSink,
  ) {}

  async listen(): Promise<number> {
    const socket = dgram.createSocket({ type: this.opts.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 8 * 1024 * 1024 });
    this.socket = socket;
    socket.on('message', (msg, rinfo) => {
      const over = msg.length > this.opts.maxMessageBytes;
      this.sink.submit({
        transport: 'syslog-udp',
        peer: { address: stripV4Mapped(rinfo.address), port: rinfo.port, ...(this.opts.senderOf ? { sender: this.opts.senderOf(rinfo.address) } : {}) },
        receivedAt: new Date().toISOString(),
        bytes: over ? msg.subarray(0, this.opts.maxMessageBytes) : msg,
        problem: over ? `datagram of ${msg.length} bytes exceeds the limit of ${this.opts.maxMessageBytes} bytes` : undefined,
      });
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.opts.port, this.opts.host, () => {
        socket.removeListener('error', reject);
        resolve();
      });
    });
    return socket.address().port;
  }

  async close(): Promise<void> {
    if (!this.socket) return;
    await new Promise<void>((resolve) => this.socket!.close(() => resolve()));
  }
}
