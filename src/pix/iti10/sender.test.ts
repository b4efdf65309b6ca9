import { expect } from 'chai';
import { FakeConsumer } from '../../../test/helpers/fakeConsumer.ts';
import { readFixture, type ReadFixture } from '../../../test/helpers/readFixture.ts';
import type { PixConsumerConfig } from '../../kernel/config.ts';
import type { DomainIdentifier } from '../../identity/service.ts';
import type { OutboxMessage, StoredAuditRecord } from '../../store/types.ts';
import { message, msh, segment } from '../../hl7v2/builder.ts';
import { Hl7v2Message } from '../../hl7v2/message.ts';
import { MllpServer } from '../../hl7v2/mllp/server.ts';
import { buildA31 } from './notification.ts';
import { ITI10_CHANNEL } from './notifier.ts';
import { Iti10Sender } from './sender.ts';

const local = (id: string): DomainIdentifier => ({ id, domain: { key: '1.2.392.999.1', namespace: 'HOSP_A', oid: '1.2.392.999.1', type: 'ISO', kind: 'local' } });

/** A PIX Consumer on an ephemeral port: records each notification with the client port it came from, answers as told. */
class Consumer {
  readonly received: { message: Hl7v2Message; clientPort: number }[] = [];
  answer: 'AA' | 'AE' = 'AA';
  private server?: MllpServer;
  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.server = new MllpServer({ host: '127.0.0.1', port: this.port, maxMessageBytes: 1 << 20, idleTimeoutMs: 60_000, frameTimeoutMs: 30_000 }, async (ev, peer) => {
      if (ev.kind !== 'message') return [];
      const m = Hl7v2Message.parse(ev.bytes.toString('utf8'));
      this.received.push({ message: m, clientPort: peer.port });
      const h = { sendingApplication: 'VIEWER', sendingFacility: 'HOSP_C', receivingApplication: 'HIE', receivingFacility: 'REGION', dateTime: '20240101' };
      const ack = message([msh({ ...h, messageType: ['ACK', 'A31', 'ACK'], controlId: `C${m.header.controlId}`, processingId: 'P', version: '2.5' }), segment('MSA', [this.answer, m.header.controlId])]);
      return [Buffer.from(ack)];
    });
    await this.server.listen();
  }

  async stop(): Promise<void> {
    await this.server?.close();
  }

  of(id: string) {
    return this.received.find((r) => r.message.first('PID')!.get(3) === id);
  }
}

describe('ITI-10 sender over MLLP to a local PIX Consumer (Iti10Sender)', () => {
  let f: ReadFixture;
  let consumer: Consumer;
  let closedPort: number;
  let sender: Iti10Sender;
  let next = 0;
  before(async () => {
    f = await readFixture();
    consumer = new Consumer(await FakeConsumer.freePort());
    await consumer.start();
    closedPort = await FakeConsumer.freePort();
    const consumers: PixConsumerConfig[] = [
      { name: 'viewer', host: '127.0.0.1', port: consumer.port, application: 'VIEWER', facility: 'HOSP_C', domains: [] },
      { name: 'gone', host: '127.0.0.1', port: closedPort, application: 'GONE', facility: 'HOSP_D', domains: [] },
    ];
    sender = new Iti10Sender(consumers, f.audit, 5_000);
  });
  afterEach(() => {
    consumer.answer = 'AA';
  });
  after(async () => {
    await sender?.close();
    await consumer?.stop();
    await f?.close();
  });

  /** An outbox message as the dispatcher hands it over. */
  function outboxMessage(destination: string, id: string, attempts = 0): OutboxMessage {
    const controlId = `S${++next}`;
    const payload = Buffer.from(buildA31({ sendingApplication: 'HIE', sendingFacility: 'REGION', receivingApplication: 'VIEWER', receivingFacility: 'HOSP_C' }, [local(id)], controlId));
    return { id: next, channel: ITI10_CHANNEL, destination, payload, attempts, nextAttemptAt: 0, lastError: null };
  }
  const auditsOf = (patient: string): Promise<StoredAuditRecord[]> =>
    f.store.read((tx) => tx.audit.auditEvents({ eventTypeCode: 'ITI-10', patientId: `${patient}^^^HOSP_A&1.2.392.999.1&ISO` }));
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );

  it('delivers the notification and, on AA, audits a Patient Record R with this server as Source (ITI TF-2 3.10.5.1.1)', async () => {
    await sender.send(outboxMessage('viewer', 'A11-1'));
    const got = consumer.of('A11-1')!.message;
    expect(got.header.type).to.include({ code: 'ADT', event: 'A31' });
    expect(got.first('PID')!.raw(3)).to.equal('A11-1^^^HOSP_A&1.2.392.999.1&ISO');
    const [a, ...more] = await auditsOf('A11-1');
    expect(more).to.deep.equal([]);
    expect([a.eventId, a.eventTypeCode, a.action, a.outcome]).to.deep.equal(['110110', 'ITI-10', 'R', 0]);
    const participants = a.xml.match(/<ActiveParticipant [^>]*>/g) ?? [];
    expect(participants).to.have.length(2);
    expect(participants[0]).to.contain(`UserID="${f.audit.hl7UserId}"`).and.to.contain('UserIsRequestor="true"');
    expect(participants[1]).to.contain('UserID="HOSP_C|VIEWER"').and.to.contain('UserIsRequestor="false"').and.to.contain('NetworkAccessPointID="127.0.0.1"');
  });

  it('keeps one connection open for several notifications, and opens a new one once the consumer closed it', async () => {
    await sender.send(outboxMessage('viewer', 'A11-2'));
    await sender.send(outboxMessage('viewer', 'A11-3'));
    expect(consumer.of('A11-3')!.clientPort).to.equal(consumer.of('A11-2')!.clientPort);
    expect((await auditsOf('A11-3')).map((a) => a.outcome)).to.deep.equal([0]);
    await consumer.stop();
    await consumer.start();
    // The client learns of the close asynchronously: a send may meet the old connection once and fail.
    const first = await failure(sender.send(outboxMessage('viewer', 'A11-7', 1)));
    if (first !== undefined) await sender.send(outboxMessage('viewer', 'A11-7', 2));
    expect(consumer.of('A11-7')!.clientPort).to.not.equal(consumer.of('A11-2')!.clientPort);
  });

  it('counts an AE answer as not delivered: fails, audited once as a failure on the first attempt, not again on retries', async () => {
    consumer.answer = 'AE';
    expect(await failure(sender.send(outboxMessage('viewer', 'A11-4', 0)))).to.equal('consumer answered AE');
    expect(await failure(sender.send(outboxMessage('viewer', 'A11-4', 1)))).to.equal('consumer answered AE');
    const audits = await auditsOf('A11-4');
    expect(audits.map((a) => [a.action, a.outcome])).to.deep.equal([['R', 8]]);
    expect(audits[0].xml).to.contain('consumer answered AE');
    consumer.answer = 'AA';
    await sender.send(outboxMessage('viewer', 'A11-4', 2));
    expect((await auditsOf('A11-4')).map((a) => a.outcome)).to.deep.equal([8, 0]);
  });

  it('fails a notification to a consumer that does not listen, audited as a failure', async () => {
    expect(await failure(sender.send(outboxMessage('gone', 'A11-5')))).to.be.a('string');
    expect((await auditsOf('A11-5')).map((a) => [a.action, a.outcome])).to.deep.equal([['R', 8]]);
  });

  it('refuses a destination that is no configured consumer, sending and auditing nothing', async () => {
    const before = consumer.received.length;
    expect(await failure(sender.send(outboxMessage('stranger', 'A11-6')))).to.equal('no PIX Consumer named stranger in config');
    expect(consumer.received.length).to.equal(before);
    expect(await auditsOf('A11-6')).to.deep.equal([]);
  });
});
