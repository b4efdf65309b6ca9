/**
 * The primary with a real streaming replica (pg_basebackup -R, a hot standby on another port): reads
 * of the configured transactions go to the replica until the request writes; a replica stopped or
 * with its replay paused past the lag bound is not read from, and the primary answers instead.
 */
import { expect } from 'chai';
import pg from 'pg';
import type { Domain } from '../../identity/types.ts';
import { inRequest } from '../../kernel/requestScope.ts';
import { startPostgres, type PostgresCluster } from '../../../test/helpers/postgres.ts';
import { PostgresStore } from './pgStore.ts';
import { ReplicaRoutedStore } from './replicaRouter.ts';

const domain = (n: number): Domain => ({ key: `1.2.3.${n}`, namespace: `HOSP${n}`, oid: `1.2.3.${n}`, type: 'ISO', kind: 'local' });

async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('PostgreSQL read replicas (a real streaming standby)', function () {
  this.timeout(120_000);
  let primary: PostgresCluster;
  let standby: PostgresCluster;
  let store: ReplicaRoutedStore;
  let db: string;
  const states: string[] = [];

  before(async () => {
    primary = await startPostgres();
    db = await primary.createDatabase();
    const main = await PostgresStore.open({ url: primary.url(db), poolSize: 4 });
    // Created after the database: the base backup copies it, migrated.
    standby = await primary.startStandby();
    store = new ReplicaRoutedStore(main, [PostgresStore.standby({ url: standby.url(db), poolSize: 2, connectTimeoutMs: 2000 })], {
      transactions: ['ITI-18'],
      maxLagMs: 1000,
      checkMs: 100,
      onState: (_replica, state) => states.push(state),
    });
  });
  after(async () => {
    await store?.close();
    await standby?.stop();
    await primary?.stop();
  });

  const counts = () => Object.fromEntries(store.readCounts().map((c) => [`${c.target}:${c.reason}`, c.count]));
  const delta = async <T>(fn: () => Promise<T>): Promise<{ value: T; routed: Record<string, number> }> => {
    const before = counts();
    const value = await fn();
    const after = counts();
    return { value, routed: Object.fromEntries(Object.entries(after).filter(([k, v]) => v !== (before[k] ?? 0)).map(([k, v]) => [k, v - (before[k] ?? 0)])) };
  };
  const onStandby = async (sql: string) => {
    const c = new pg.Client({ connectionString: standby.url(db) });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };

  it('answers the reads of a query transaction from the replica, once it has what the primary wrote', async () => {
    await store.write((tx) => tx.identity.addDomain(domain(1)));
    await until('the replica to be ready and to have the domain', async () => {
      await store.check();
      return (await onStandby(`SELECT 1 FROM domains WHERE key = '1.2.3.1'`).catch(() => [])).length === 1 && states.at(-1) === 'ready';
    });
    const { value, routed } = await delta(() => inRequest('ITI-18', () => store.read((tx) => tx.identity.domain('1.2.3.1'))));
    expect(value?.namespace).to.equal('HOSP1');
    expect(routed).to.deep.equal({ 'replica:none': 1 });
  });

  it('reads from the primary after the request wrote (read-your-writes), outside a request, and for other transactions', async () => {
    const ryw = await delta(() =>
      inRequest('ITI-18', async () => {
        await store.read((tx) => tx.identity.domains());
        await store.write((tx) => tx.identity.addDomain(domain(2)));
        return store.read((tx) => tx.identity.domain('1.2.3.2'));
      }),
    );
    expect(ryw.value?.namespace, 'the request sees its own write').to.equal('HOSP2');
    expect(ryw.routed).to.deep.equal({ 'replica:none': 1, 'primary:wrote': 1 });
    expect((await delta(() => store.read((tx) => tx.identity.domains()))).routed).to.deep.equal({ 'primary:none': 1 });
    expect((await delta(() => inRequest('ITI-41', () => store.read((tx) => tx.identity.domains())))).routed).to.deep.equal({ 'primary:none': 1 });
  });

  it('reads from the primary while the replica lags beyond the bound, and from the replica again once it caught up', async () => {
    await onStandby('SELECT pg_wal_replay_pause()');
    try {
      await store.write((tx) => tx.identity.addDomain(domain(3)));
      await until('the replica to be found lagging', async () => states.at(-1) === 'lagging');
      const { value, routed } = await delta(() => inRequest('ITI-18', () => store.read((tx) => tx.identity.domain('1.2.3.3'))));
      expect(value?.namespace, 'the primary answered, with the newest data').to.equal('HOSP3');
      expect(routed).to.deep.equal({ 'primary:lagging': 1 });
    } finally {
      await onStandby('SELECT pg_wal_replay_resume()');
    }
    await until('the replica to be ready again', () => states.at(-1) === 'ready');
    expect((await delta(() => inRequest('ITI-18', () => store.read((tx) => tx.identity.domain('1.2.3.3'))))).routed).to.deep.equal({ 'replica:none': 1 });
  });

  it('reads from the primary, without failing the request, while the replica is down', async () => {
    await standby.control('halt');
    try {
      // Before the next check finds it down: the read fails over the refused connection, then is answered by the primary.
      const { value, routed } = await delta(() => inRequest('ITI-18', () => store.read((tx) => tx.identity.domain('1.2.3.1'))));
      expect(value?.namespace).to.equal('HOSP1');
      expect(routed).to.deep.equal({ 'primary:down': 1 });
      expect(states.at(-1)).to.equal('down');
      await store.check();
      expect((await delta(() => inRequest('ITI-18', () => store.read((tx) => tx.identity.domains())))).routed).to.deep.equal({ 'primary:down': 1 });
    } finally {
      await standby.control('start');
    }
    await until('the replica to be ready again', () => states.at(-1) === 'ready');
  });
});
