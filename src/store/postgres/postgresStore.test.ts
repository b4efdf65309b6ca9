import { expect } from 'chai';
import pg from 'pg';
import { startPostgres, type PostgresCluster } from '../../../test/helpers/postgres.ts';
import { consentStoreSuite } from '../consent.suite.ts';
import { registryStoreSuite } from '../registry.suite.ts';
import { storeSuite, type StoreFactory } from '../store.suite.ts';
import { MIGRATIONS } from './migrations.ts';
import { PostgresStore } from './pgStore.ts';

let cluster: PostgresCluster;
before(async function () {
  this.timeout(120_000);
  cluster = await startPostgres();
});
after(async () => {
  await cluster?.stop();
});

let database = '';
const postgres: StoreFactory = {
  async open() {
    database = await cluster.createDatabase();
    return PostgresStore.open({ url: cluster.url(database), poolSize: 4 });
  },
  async reopen() {
    return PostgresStore.open({ url: cluster.url(database), poolSize: 4 });
  },
};
storeSuite('postgres', postgres);
registryStoreSuite('postgres', postgres);
consentStoreSuite('postgres', postgres);

describe('PostgreSQL store specifics', () => {
  it('migrates once when several processes start together on one database', async () => {
    const db = await cluster.createDatabase();
    const stores = await Promise.all([1, 2, 3, 4].map(() => PostgresStore.open({ url: cluster.url(db), poolSize: 2 })));
    await Promise.all(stores.map((s) => s.close()));
    await (await PostgresStore.open({ url: cluster.url(db), poolSize: 1 })).close();
    const c = new pg.Client({ connectionString: cluster.url(db) });
    await c.connect();
    try {
      const rows = (await c.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')).rows;
      expect(rows.map((r) => r.version)).to.deep.equal(MIGRATIONS.map((m) => m.version));
    } finally {
      await c.end();
    }
  });

  it('says where it could not connect, without the password', async () => {
    const error = await PostgresStore.open({ url: 'postgres://hie:secret@127.0.0.1:1/hie', connectTimeoutMs: 2000 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.name).to.equal('StoreUnavailableError');
    expect(error?.message).to.match(/^cannot connect to PostgreSQL at 127\.0\.0\.1:1\/hie: /);
    expect(error?.message).not.to.include('secret');
  });
});
