import { expect } from 'chai';
import { HOSP_A, HOSP_B, readFixture, type ReadFixture } from '../../../test/helpers/readFixture.ts';
import { NIST_AFFINITY } from '../../../test/helpers/xds.ts';
import { Hl7v2Message } from '../../hl7v2/message.ts';
import type { PixConsumerConfig } from '../../kernel/config.ts';
import { ITI10_CHANNEL, PixNotifier } from './notifier.ts';

const consumer = (name: string, domains: string[]): PixConsumerConfig => ({ name, host: '127.0.0.1', port: 9, application: `${name.toUpperCase()}_APP`, facility: `${name.toUpperCase()}_FAC`, domains });

describe('ITI-10 notifier: what goes into the outbox for which PIX Consumer (PixNotifier)', () => {
  let f: ReadFixture;
  let person: number;
  before(async () => {
    f = await readFixture();
    person = await f.patient('R10-1', [
      { authority: HOSP_A, id: 'A10-1' },
      { authority: HOSP_B, id: 'B10-1' },
    ]);
  });
  after(() => f?.close());

  /** Enqueues for a person in a write of its own; returns what was enqueued, by consumer. */
  async function enqueue(consumers: PixConsumerConfig[], personId = person) {
    let n = 0;
    const notifier = new PixNotifier(consumers, f.config.node, f.identity, () => `C${++n}`);
    const before = await f.store.read((tx) => tx.outbox.dueMessages(ITI10_CHANNEL, Date.now() + 3_600_000, 1000));
    await f.store.write((tx) => notifier.enqueue(tx, personId));
    const after = await f.store.read((tx) => tx.outbox.dueMessages(ITI10_CHANNEL, Date.now() + 3_600_000, 1000));
    const added = after.filter((m) => !before.some((b) => b.id === m.id));
    for (const m of added) await f.store.write((tx) => tx.outbox.markSent(m.id));
    return added.map((m) => {
      const msg = Hl7v2Message.parse(m.payload.toString('utf8'));
      return { to: m.destination, receiver: [msg.header.receivingApplication, msg.header.receivingFacility], controlId: msg.header.controlId, pid3: msg.first('PID')!.reps(3).map((r) => r.raw) };
    });
  }

  const A = 'A10-1^^^HOSP_A&1.2.392.999.1&ISO';
  const B = 'B10-1^^^HOSP_B&1.2.392.999.2&ISO';
  const R = `R10-1^^^AFFINITY&${NIST_AFFINITY}&ISO`;

  it('sends a consumer that names no domain every identifier of the person, addressed to it', async () => {
    const [m, ...rest] = await enqueue([consumer('all', [])]);
    expect(rest).to.deep.equal([]);
    expect(m.to).to.equal('all');
    expect(m.receiver).to.deep.equal(['ALL_APP', 'ALL_FAC']);
    expect(m.pid3).to.have.members([A, B, R]);
  });

  it("filters by each consumer's domains of interest, named by OID or by namespace, one message each with its own control id", async () => {
    const sent = await enqueue([consumer('by-oid', ['1.2.392.999.2']), consumer('by-ns', ['HOSP_A', 'AFFINITY'])]);
    expect(sent.map((m) => [m.to, m.pid3])).to.deep.equal([
      ['by-oid', [B]],
      ['by-ns', [A, R]],
    ]);
    expect(sent[0].controlId).to.not.equal(sent[1].controlId);
  });

  it('enqueues nothing for a consumer none of whose domains the person has an identifier in', async () => {
    const sent = await enqueue([consumer('elsewhere', ['1.2.392.999.99']), consumer('b', ['HOSP_B'])]);
    expect(sent.map((m) => m.to)).to.deep.equal(['b']);
  });

  it('leaves out the medical-field token (not disclosed by default) and follows nothing for an unknown person', async () => {
    const withToken = await f.store.write(async (tx) => {
      const d = await f.identity.domains.findOrRegister(tx, HOSP_A, 0);
      const r = await f.identity.registerFeed(tx, { identifiers: [{ domain: d, id: 'A10-2' }], token: 'TOKEN-10-2', demographics: { fields: {} } });
      return r.personId;
    });
    const [m] = await enqueue([consumer('all', [])], withToken);
    expect(m.pid3).to.include('A10-2^^^HOSP_A&1.2.392.999.1&ISO');
    expect(JSON.stringify(m)).to.not.contain('TOKEN-10-2');
    expect(await enqueue([consumer('all', [])], 999_999)).to.deep.equal([]);
  });

  it('is disabled, and enqueues nothing, without consumers', async () => {
    const notifier = new PixNotifier([], f.config.node, f.identity, () => 'X');
    expect(notifier.enabled).to.equal(false);
    expect(new PixNotifier([consumer('all', [])], f.config.node, f.identity, () => 'X').enabled).to.equal(true);
    const before = await f.store.read((tx) => tx.outbox.pendingCount(ITI10_CHANNEL));
    await f.store.write((tx) => notifier.enqueue(tx, person));
    expect(await f.store.read((tx) => tx.outbox.pendingCount(ITI10_CHANNEL))).to.equal(before);
  });

  it('enqueues in the caller’s write: nothing is left when that write rolls back', async () => {
    const notifier = new PixNotifier([consumer('all', [])], f.config.node, f.identity, () => 'X');
    const before = await f.store.read((tx) => tx.outbox.pendingCount(ITI10_CHANNEL));
    let inside = -1;
    const failure = await f.store
      .write(async (tx) => {
        await notifier.enqueue(tx, person);
        inside = await tx.outbox.pendingCount(ITI10_CHANNEL);
        throw new Error('the change failed');
      })
      .then(
        () => undefined,
        (e: Error) => e.message,
      );
    expect(failure).to.equal('the change failed');
    expect(inside).to.equal(before + 1);
    expect(await f.store.read((tx) => tx.outbox.pendingCount(ITI10_CHANNEL))).to.equal(before);
  });
});
