import { expect } from 'chai';
import { ITI10_CHANNEL } from '../../src/pix/iti10/notifier.ts';
import { eventually, FakeConsumer } from '../helpers/fakeConsumer.ts';
import { field, startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { adt, HOSP_A, HOSP_B } from '../helpers/messages.ts';

const consumerConfig = (port: number, domains: string[] = []) => ({
  pix: {
    consumers: [{ name: 'clinic', host: '127.0.0.1', port, application: 'CONSUMER', facility: 'HOSP_C', domains }],
    retry: { initialMs: 50, maxMs: 200 },
  },
});

const pending = (s: TestServer) => s.app.store.read((tx) => tx.outbox.pendingCount(ITI10_CHANNEL));

describe('PIX Update Notification (ITI-10)', function () {
  let consumer: FakeConsumer;
  let s: TestServer | undefined;
  beforeEach(async () => {
    consumer = new FakeConsumer(await FakeConsumer.freePort());
  });
  afterEach(async () => {
    await s?.stop();
    s = undefined;
    await consumer.stop();
  });

  it('sends ADT^A31 with the patient\'s identifiers in the consumer\'s domains, PID-5 a space and PV1-2 N', async () => {
    await consumer.start();
    s = await startTestServer(consumerConfig(consumer.port, ['1.2.392.999.2']));
    await s.send(adt({ ids: [`A1^^^${HOSP_A}`, `B1^^^${HOSP_B}`] }));
    const m = await eventually('a notification', () => consumer.received[0]);
    expect(m.header.type).to.deep.equal({ code: 'ADT', event: 'A31', structure: 'ADT_A05' });
    expect(m.header.version).to.equal('2.5');
    expect(m.header.receivingApplication).to.equal('CONSUMER');
    expect(m.first('PID')!.raw(3)).to.equal(`B1^^^${HOSP_B}`);
    expect(m.first('PID')!.raw(5)).to.equal(' ');
    expect(m.first('PV1')!.raw(2)).to.equal('N');
    expect(m.first('EVN')!.get(2)).to.match(/^\d{14}/);
    await eventually('the outbox to empty', async () => (await pending(s!)) === 0);
    const audit = await s.app.store.read((tx) => tx.audit.auditEvents({ eventTypeCode: 'ITI-10' }));
    expect(audit).to.have.length(1);
    expect(audit[0].action).to.equal('R');
    expect(audit[0].patientIds).to.deep.equal([`B1^^^${HOSP_B}`]);
  });

  it('sends nothing for a demographics-only update, and nothing to a consumer with no identifier of interest', async () => {
    await consumer.start();
    s = await startTestServer(consumerConfig(consumer.port, ['1.2.392.999.2']));
    await s.send(adt({ ids: [`A2^^^${HOSP_A}`, `B2^^^${HOSP_B}`] }));
    await eventually('a notification', () => consumer.received[0]);
    await s.send(adt({ event: 'A08', ids: [`A2^^^${HOSP_A}`], name: 'NEW^NAME' }));
    await s.send(adt({ ids: [`A3^^^${HOSP_A}`] }));
    await s.app.iti10.drain();
    expect(await pending(s)).to.equal(0);
    expect(consumer.received).to.have.length(1);
  });

  it('loses nothing while the consumer is down, and delivers in order once it is up', async () => {
    s = await startTestServer(consumerConfig(consumer.port));
    for (let i = 0; i < 5; i++) expect(field(await s.send(adt({ ids: [`D${i}^^^${HOSP_A}`] })), 'MSA', 1)).to.equal('AA');
    await eventually('retries to begin', async () => {
      const [m] = await s!.app.store.read((tx) => tx.outbox.dueMessages(ITI10_CHANNEL, Number.MAX_SAFE_INTEGER, 1));
      return m && m.attempts > 0;
    });
    expect(await pending(s)).to.equal(5);
    await consumer.start();
    await eventually('five notifications', () => consumer.received.length === 5);
    expect(consumer.received.map((m) => m.first('PID')!.reps(3)[0].get(1))).to.deep.equal(['D0', 'D1', 'D2', 'D3', 'D4']);
    await eventually('the outbox to empty', async () => (await pending(s!)) === 0);
  });

  it('keeps undelivered notifications across a restart of the server', async () => {
    const dataDir = tempDir();
    s = await startTestServer(consumerConfig(consumer.port), dataDir);
    await s.send(adt({ ids: [`R1^^^${HOSP_A}`] }));
    await s.send(adt({ ids: [`R2^^^${HOSP_A}`] }));
    await s.stop();
    s = undefined;
    await consumer.start();
    s = await startTestServer(consumerConfig(consumer.port), dataDir);
    await eventually('both notifications after the restart', () => consumer.received.length === 2);
    expect(consumer.received.map((m) => m.first('PID')!.reps(3)[0].get(1))).to.deep.equal(['R1', 'R2']);
  });

  it('retries a notification the consumer answers with AE until it is accepted', async () => {
    await consumer.start();
    consumer.answer = 'AE';
    s = await startTestServer(consumerConfig(consumer.port));
    await s.send(adt({ ids: [`X1^^^${HOSP_A}`] }));
    await eventually('a failed attempt', async () => {
      const [m] = await s!.app.store.read((tx) => tx.outbox.dueMessages(ITI10_CHANNEL, Number.MAX_SAFE_INTEGER, 1));
      return m && m.lastError?.includes('AE');
    });
    consumer.answer = 'AA';
    await eventually('delivery', () => consumer.received.length === 1);
    // The sender records the delivery's audit after the consumer's ACK arrives: wait for it rather
    // than read the trail the moment the consumer has the message (a race seen under load).
    const audit = await eventually('the audit of the delivery', async () => {
      const events = await s!.app.store.read((tx) => tx.audit.auditEvents({ eventTypeCode: 'ITI-10' }));
      return events.some((e) => e.outcome === 0) ? events : undefined;
    });
    expect(audit.map((a) => a.outcome)).to.include.members([8, 0]);
  });
});
