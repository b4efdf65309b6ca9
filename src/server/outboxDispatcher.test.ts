/**
 * Two dispatchers of one outbox, each on its own store over one PostgreSQL database (two processes):
 * every message is sent once, in order per destination, also while a destination refuses for a
 * while; and a dispatcher on SQLite sends as it always did.
 */
import { expect } from 'chai';
import { silentLogger } from '../kernel/logger.ts';
import { PostgresStore } from '../store/postgres/pgStore.ts';
import { SqliteStore } from '../store/sqlite/sqliteStore.ts';
import type { OutboxMessage, Store } from '../store/types.ts';
import { startPostgres, type PostgresCluster } from '../../test/helpers/postgres.ts';
import { tempDir } from '../../test/helpers/hieServer.ts';
import path from 'node:path';
import { OutboxDispatcher } from './outboxDispatcher.ts';

const enqueue = (store: Store, destinations: string[], n: number) =>
  store.write(async (tx) => {
    for (let i = 0; i < n; i++) for (const d of destinations) await tx.outbox.enqueue('c', d, Buffer.from(`${d}-${i}`));
  });

/** A receiver that records what each dispatcher sent, taking a little time per message; `refuse` fails the first sends to a destination. */
function receiver(refuse: Map<string, number> = new Map()) {
  const got: { by: string; destination: string; payload: string }[] = [];
  const send = (by: string) => async (m: OutboxMessage) => {
    await new Promise((r) => setTimeout(r, 1 + (m.id % 3)));
    const left = refuse.get(m.destination) ?? 0;
    if (left > 0) {
      refuse.set(m.destination, left - 1);
      throw new Error('refused');
    }
    got.push({ by, destination: m.destination, payload: m.payload.toString() });
  };
  return { got, send };
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 20_000;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('OutboxDispatcher', function () {
  this.timeout(120_000);

  describe('two processes on one PostgreSQL database', () => {
    let cluster: PostgresCluster;
    let stores: PostgresStore[] = [];
    const dispatchers: OutboxDispatcher[] = [];
    before(async () => {
      cluster = await startPostgres();
    });
    after(async () => {
      await cluster?.stop();
    });
    beforeEach(async () => {
      const db = await cluster.createDatabase();
      stores = await Promise.all([1, 2].map(() => PostgresStore.open({ url: cluster.url(db), poolSize: 4 })));
    });
    afterEach(async () => {
      await Promise.all(dispatchers.splice(0).map((d) => d.stop()));
      await Promise.all(stores.map((s) => s.close()));
    });

    const start = (send: (by: string) => (m: OutboxMessage) => Promise<void>) => {
      for (const [i, store] of stores.entries()) {
        const d = new OutboxDispatcher({ channel: 'c', store, send: send(`p${i}`), retry: { initialMs: 20, maxMs: 50 }, pollMs: 30, claimMs: 5000, log: silentLogger });
        dispatchers.push(d);
        d.start();
      }
    };
    const inOrder = (got: { destination: string; payload: string }[], destination: string) => got.filter((g) => g.destination === destination).map((g) => g.payload);

    it('sends every message once, in order per destination, with both dispatching', async () => {
      const destinations = ['A', 'B', 'C', 'D', 'E', 'F'];
      const r = receiver();
      start(r.send);
      // Enqueued through both stores while both dispatch.
      await Promise.all([enqueue(stores[0], destinations.slice(0, 3), 40), enqueue(stores[1], destinations.slice(3), 40)]);
      for (const d of dispatchers) d.kick();
      await until('everything sent', async () => (await stores[0].read((tx) => tx.outbox.pendingCount('c'))) === 0);
      expect(r.got).to.have.length(240);
      for (const d of destinations) expect(inOrder(r.got, d), d).to.deep.equal(Array.from({ length: 40 }, (_, i) => `${d}-${i}`));
    });

    it('keeps the order of a destination that refuses for a while, whichever dispatcher retries it', async () => {
      const r = receiver(new Map([['A', 3]]));
      start(r.send);
      await enqueue(stores[0], ['A', 'B'], 10);
      for (const d of dispatchers) d.kick();
      await until('everything sent', async () => (await stores[1].read((tx) => tx.outbox.pendingCount('c'))) === 0);
      expect(inOrder(r.got, 'A')).to.deep.equal(Array.from({ length: 10 }, (_, i) => `A-${i}`));
      expect(inOrder(r.got, 'B')).to.deep.equal(Array.from({ length: 10 }, (_, i) => `B-${i}`));
    });
  });

  it('sends in order on SQLite (one process) without claims', async () => {
    const store = new SqliteStore({ path: path.join(tempDir(), 'hie.db') });
    const r = receiver(new Map([['A', 2]]));
    const d = new OutboxDispatcher({ channel: 'c', store, send: r.send('p'), retry: { initialMs: 20, maxMs: 50 }, pollMs: 30, log: silentLogger });
    try {
      expect((store as Store).outboxClaims).to.equal(undefined);
      await enqueue(store, ['A', 'B'], 5);
      d.start();
      await until('everything sent', async () => (await store.read((tx) => tx.outbox.pendingCount('c'))) === 0);
      expect(inOrderOf(r.got, 'A')).to.deep.equal(['A-0', 'A-1', 'A-2', 'A-3', 'A-4']);
      expect(inOrderOf(r.got, 'B')).to.deep.equal(['B-0', 'B-1', 'B-2', 'B-3', 'B-4']);
    } finally {
      await d.stop();
      await store.close();
    }
  });
});

const inOrderOf = (got: { destination: string; payload: string }[], destination: string) => got.filter((g) => g.destination === destination).map((g) => g.payload);
