/**
 * Several processes on one PostgreSQL database, each its own PostgresStore (own pool): outbox claims
 * give each due message to one holder at a time, whole destinations, and an expired claim to another;
 * open interactive queries kept by one are taken by another, with the expiry and limits of memory.
 */
import { expect } from 'chai';
import { startPostgres, type PostgresCluster } from '../../../test/helpers/postgres.ts';
import { PostgresStore } from './pgStore.ts';

describe('PostgreSQL: several processes on one database', function () {
  this.timeout(120_000);
  let cluster: PostgresCluster;
  let one: PostgresStore;
  let two: PostgresStore;

  before(async () => {
    cluster = await startPostgres();
  });
  after(async () => {
    await cluster?.stop();
  });
  beforeEach(async () => {
    const db = await cluster.createDatabase();
    [one, two] = await Promise.all([1, 2].map(() => PostgresStore.open({ url: cluster.url(db), poolSize: 4 })));
  });
  afterEach(async () => {
    await Promise.all([one.close(), two.close()]);
  });

  const enqueue = (store: PostgresStore, destination: string, n: number) =>
    store.write(async (tx) => {
      for (let i = 0; i < n; i++) await tx.outbox.enqueue('c', destination, Buffer.from(`${destination}-${i}`));
    });
  const claim = (store: PostgresStore, holder: string, now: number, until: number, limit = 100) =>
    store.outboxClaims.claimDue('c', now, limit, holder, until);

  describe('outbox claims', () => {
    it('gives each destination to one holder at once, even when both claim at the same moment', async () => {
      await enqueue(one, 'A', 5);
      await enqueue(one, 'B', 5);
      await enqueue(one, 'C', 5);
      const now = Date.now();
      const [a, b] = await Promise.all([claim(one, 'p1', now, now + 60_000), claim(two, 'p2', now, now + 60_000)]);
      const ids = [...a, ...b].map((m) => m.id);
      expect(new Set(ids).size, 'no message claimed twice').to.equal(ids.length);
      expect(ids).to.have.length(15);
      const destinationsOf = (ms: typeof a) => new Set(ms.map((m) => m.destination));
      for (const d of destinationsOf(a)) expect(destinationsOf(b).has(d), `destination ${d} split`).to.equal(false);
      expect(await claim(one, 'p3', now, now + 60_000)).to.deep.equal([]);
    });

    it('keeps a destination cut by the limit from others while its holder has some of it unsent', async () => {
      await enqueue(one, 'A', 6);
      const now = Date.now();
      const first = await claim(one, 'p1', now, now + 60_000, 4);
      expect(first.map((m) => m.payload.toString())).to.deep.equal(['A-0', 'A-1', 'A-2', 'A-3']);
      expect(await claim(two, 'p2', now, now + 60_000)).to.deep.equal([]);
      await one.write(async (tx) => {
        for (const m of first) await tx.outbox.markSent(m.id);
      });
      // What it sent is done: the rest goes to whoever claims next, in order.
      const rest = await claim(two, 'p2', now, now + 60_000);
      expect(rest.map((m) => m.payload.toString())).to.deep.equal(['A-4', 'A-5']);
    });

    it('gives the messages of an expired claim (its holder died) to another holder, and released ones at once', async () => {
      await enqueue(one, 'A', 3);
      await enqueue(one, 'B', 2);
      const now = Date.now();
      const dead = await claim(one, 'dead', now, now + 1000);
      expect(dead).to.have.length(5);
      expect(await claim(two, 'p2', now + 500, now + 60_000)).to.deep.equal([]);
      const taken = await claim(two, 'p2', now + 1001, now + 60_000);
      expect(taken.map((m) => m.payload.toString())).to.deep.equal(['A-0', 'A-1', 'A-2', 'B-0', 'B-1']);
      await two.outboxClaims.releaseClaims(taken.filter((m) => m.destination === 'B').map((m) => m.id), 'p2');
      const b = await claim(one, 'p1', now + 1001, now + 60_000);
      expect(b.map((m) => m.payload.toString())).to.deep.equal(['B-0', 'B-1']);
    });

    it('keeps a destination whose head failed from every holder until it is due again', async () => {
      await enqueue(one, 'A', 2);
      const now = Date.now();
      const [head] = await claim(one, 'p1', now, now + 60_000);
      await one.write((tx) => tx.outbox.markFailed(head.id, 'refused', now + 5000));
      await one.outboxClaims.releaseClaims([head.id + 1], 'p1');
      expect(await claim(two, 'p2', now + 100, now + 60_000)).to.deep.equal([]);
      const again = await claim(two, 'p2', now + 5000, now + 60_000);
      expect(again.map((m) => [m.payload.toString(), m.attempts])).to.deep.equal([
        ['A-0', 1],
        ['A-1', 0],
      ]);
    });
  });

  describe('open interactive queries', () => {
    const query = (pointer: string, node: string, expiresAt = Date.now() + 60_000) => ({ pointer, node, requester: `${node}/app`, queryTag: 'Q1', state: `{"p":"${pointer}"}`, expiresAt });
    const limits = { maxOpen: 100, maxPerNode: 100 };

    it('gives a query kept by one process to another, once, to its requester with its tag only', async () => {
      await one.continuations.put(query('p1', 'HOSP_B'), limits);
      expect(await two.continuations.take('p1', 'Q1', 'HOSP_C/app', Date.now())).to.equal(undefined);
      expect(await two.continuations.take('p1', 'Q2', 'HOSP_B/app', Date.now())).to.equal(undefined);
      expect(await two.continuations.take('p1', 'Q1', 'HOSP_B/app', Date.now())).to.equal('{"p":"p1"}');
      expect(await one.continuations.take('p1', 'Q1', 'HOSP_B/app', Date.now())).to.equal(undefined);
    });

    it('never gives an expired query, and drops it when the next is kept', async () => {
      await one.continuations.put(query('old', 'HOSP_B', Date.now() - 1), limits);
      expect(await two.continuations.count(Date.now())).to.equal(0);
      expect(await two.continuations.take('old', 'Q1', 'HOSP_B/app', Date.now())).to.equal(undefined);
      await two.continuations.put(query('new', 'HOSP_B'), limits);
      expect(await one.continuations.count(0)).to.equal(1);
    });

    it('holds a node to its own limit (its oldest goes) and all nodes to the total (the largest node loses its oldest), across processes', async () => {
      const small = { maxOpen: 5, maxPerNode: 3 };
      const stores = [one, two];
      for (let i = 0; i < 5; i++) await stores[i % 2].continuations.put(query(`b${i}`, 'HOSP_B'), small);
      expect(await one.continuations.count(Date.now(), 'HOSP_B')).to.equal(3);
      expect(await two.continuations.take('b1', 'Q1', 'HOSP_B/app', Date.now()), 'its oldest went').to.equal(undefined);
      await two.continuations.put(query('c0', 'HOSP_C'), small);
      await one.continuations.put(query('c1', 'HOSP_C'), small);
      expect(await two.continuations.count(Date.now())).to.equal(5);
      await two.continuations.put(query('d0', 'HOSP_D'), small);
      expect(await one.continuations.count(Date.now())).to.equal(5);
      expect(await one.continuations.count(Date.now(), 'HOSP_B'), 'the largest node lost one').to.equal(2);
      expect(await one.continuations.take('b2', 'Q1', 'HOSP_B/app', Date.now()), 'its oldest').to.equal(undefined);
    });

    it('keeps the limits when many are kept at once from both processes', async () => {
      const small = { maxOpen: 10, maxPerNode: 4 };
      await Promise.all(Array.from({ length: 40 }, (_, i) => [one, two][i % 2].continuations.put(query(`x${i}`, `N${i % 3}`), small)));
      expect(await one.continuations.count(Date.now())).to.equal(10);
      for (const node of ['N0', 'N1', 'N2']) expect(await two.continuations.count(Date.now(), node)).to.be.at.most(4);
    });

    it('cancels the requester’s queries of a tag, whichever process kept them', async () => {
      await one.continuations.put(query('p1', 'HOSP_B'), limits);
      await two.continuations.put(query('p2', 'HOSP_B'), limits);
      expect(await two.continuations.cancel('Q1', 'HOSP_C/app', 'HOSP_C')).to.equal(false);
      expect(await two.continuations.cancel('Q1', 'HOSP_B/app', 'HOSP_B')).to.equal(true);
      expect(await one.continuations.count(Date.now())).to.equal(0);
    });
  });
});
