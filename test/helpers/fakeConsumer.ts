/** A PIX Consumer for tests: an MLLP listener that records what it receives and answers as told. */
import net from 'node:net';
import { message, msh, segment } from '../../src/hl7v2/builder.ts';
import { Hl7v2Message } from '../../src/hl7v2/message.ts';
import { MllpServer } from '../../src/hl7v2/mllp/server.ts';

export class FakeConsumer {
  readonly received: Hl7v2Message[] = [];
  answer: 'AA' | 'AE' = 'AA';
  private server?: MllpServer;

  constructor(readonly port: number) {}

  /** A port that is free now (nothing listens on it until start()). */
  static async freePort(): Promise<number> {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    return port;
  }

  async start(): Promise<void> {
    this.server = new MllpServer({ host: '127.0.0.1', port: this.port, maxMessageBytes: 1 << 20, idleTimeoutMs: 60_000, frameTimeoutMs: 30_000 }, async (ev) => {
      if (ev.kind !== 'message') return [];
      const m = Hl7v2Message.parse(ev.bytes.toString('utf8'));
      const code = this.answer;
      if (code === 'AA') this.received.push(m);
      const ack = message([
        msh({
          sendingApplication: 'CONSUMER',
          sendingFacility: 'HOSP_C',
          receivingApplication: m.header.sendingApplication,
          receivingFacility: m.header.sendingFacility,
          dateTime: '20240101',
          messageType: ['ACK', 'A31', 'ACK'],
          controlId: 'C' + m.header.controlId,
          processingId: 'P',
          version: '2.5',
        }),
        segment('MSA', [code, m.header.controlId]),
      ]);
      return [Buffer.from(ack)];
    });
    await this.server.listen();
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }
}

export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
