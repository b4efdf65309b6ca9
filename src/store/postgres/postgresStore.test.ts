import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { postgresBinaries, startPostgres, type PostgresCluster } from '../../../test/helpers/postgres.ts';
import { consentStoreSuite } from '../consent.suite.ts';
import { registryStoreSuite } from '../registry.suite.ts';
import { storeSuite, type StoreFactory } from '../store.suite.ts';
import { StoreConstraintError } from '../errors.ts';
import { MIGRATION_LOCK } from './migrate.ts';
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
  it('lets no write run out of attempts when writers keep meeting: a write retried runs alone', async () => {
    // Check-then-insert of close keys, 16 at once: serializable isolation makes them fail each other
    // (their reads and inserts share index pages). With two attempts, the second (run alone) must do.
    const store = await PostgresStore.open({ url: cluster.url(await cluster.createDatabase()), poolSize: 16, maxAttempts: 2 });
    let runs = 0;
    let failures = 0;
    try {
      await Promise.all(
        Array.from({ length: 16 }, async (_, w) => {
          for (let i = 0; i < 15; i++) {
            const id = `R${String(i * 16 + w).padStart(8, '0')}`;
            await store
              .write(async (tx) => {
                runs++;
                if (!(await tx.identity.personByRegionalId(id))) await tx.identity.createPerson(null, { id });
                for (let k = 0; k < 3; k++) await tx.identity.personByRegionalId(`R${String(i * 16 + ((w + k) % 16)).padStart(8, '0')}`);
              })
              .catch(() => failures++);
          }
        }),
      );
      expect(failures).to.equal(0);
      expect(runs, 'some writes met and ran again').to.be.greaterThan(240);
      expect(await store.read(async (tx) => (await tx.identity.personByRegionalId('R00000239'))?.regionalId)).to.equal('R00000239');
    } finally {
      await store.close();
    }
  });

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

  it('waits for another process migrating longer than the statement timeout, then finds everything applied', async () => {
    const db = await cluster.createDatabase();
    const other = new pg.Client({ connectionString: cluster.url(db) });
    await other.connect();
    try {
      // Another process holds the migration lock (as a long migration would) for longer than the timeout.
      await other.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      const opening = PostgresStore.open({ url: cluster.url(db), poolSize: 1, statementTimeoutMs: 200 });
      await new Promise((resolve) => setTimeout(resolve, 600));
      await other.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      const store = await opening;
      try {
        const p = await store.write((tx) => tx.identity.createPerson('AFTER', { prefix: 'R' }));
        expect(p.regionalId).to.equal('R0000000001');
      } finally {
        await store.close();
      }
    } finally {
      await other.end();
    }
  });

  it('gives the size of its database on the server (hie_store_bytes)', async () => {
    const store = await PostgresStore.open({ url: cluster.url(await cluster.createDatabase()), poolSize: 1 });
    try {
      const before = await store.databaseBytes();
      expect(before).to.be.above(1_000_000);
      await store.write(async (tx) => {
        for (let i = 0; i < 200; i++) await tx.audit.appendAudit({ eventTime: '2024-01-01T00:00:00.000Z', eventId: '110112', eventTypeCode: 'ITI-9', action: 'E', outcome: 0, origin: 'x', xml: 'x'.repeat(4000) + i, patientIds: [] });
      });
      expect(await store.databaseBytes()).to.be.above(before);
    } finally {
      await store.close();
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

  it('test clusters: says how to install PostgreSQL when its binaries are missing', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-postgresql-'));
    expect(() => postgresBinaries(empty)).to.throw('install them with `apt-get install postgresql`');
    expect(postgresBinaries()).to.match(/^\/usr\/lib\/postgresql\/\d+\/bin$/);
  });

  describe('concurrent writers (two stores on one database, as two processes)', () => {
    let a: PostgresStore;
    let b: PostgresStore;
    let db: string;
    beforeEach(async () => {
      db = await cluster.createDatabase();
      [a, b] = await Promise.all([PostgresStore.open({ url: cluster.url(db), poolSize: 8 }), PostgresStore.open({ url: cluster.url(db), poolSize: 8 })]);
    });
    afterEach(async () => {
      await Promise.all([a.close(), b.close()]);
    });

    it('makes one person of a token that many writers look for and create at once, each write run again until it sees the others', async () => {
      const writers = 16;
      let runs = 0;
      // The first runs all look before any creates: every writer finds no one (a test may hold a
      // transaction open so; a request must not).
      let looked = 0;
      let everyoneLooked!: () => void;
      const allLooked = new Promise<void>((resolve) => (everyoneLooked = resolve));
      const findOrCreate = (s: PostgresStore) =>
        s.write(async (tx) => {
          const first = ++runs <= writers;
          const found = await tx.identity.personByToken('SAME-TOKEN');
          if (first) {
            if (++looked === writers) everyoneLooked();
            await allLooked;
          }
          return found ?? tx.identity.createPerson('SAME-TOKEN', { prefix: 'R' });
        });
      const people = await Promise.all(Array.from({ length: writers }, (_, i) => findOrCreate(i % 2 ? a : b)));
      expect(new Set(people.map((p) => p.id)).size).to.equal(1);
      expect(runs, 'every write but one was run again').to.be.at.least(2 * writers - 1);
      expect((await a.read((tx) => tx.identity.personByToken('SAME-TOKEN')))!.id).to.equal(people[0].id);
    });

    it('keeps one agent set for the same agents recorded by two writers at once', async () => {
      const agents = [{ userId: 'HOSP_A|EHR', userName: '', altUserId: '', networkAccessPoint: '10.0.0.1', requestor: true }];
      const append = (s: PostgresStore) =>
        s.write((tx) => tx.audit.appendAudit({ eventTime: '2024-01-01T00:00:00.000Z', eventId: '110112', eventTypeCode: 'ITI-9', action: 'E', outcome: 0, origin: 'x', xml: '<AuditMessage/>', patientIds: [], agents }));
      const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => append(i % 2 ? a : b)));
      expect(new Set(ids).size).to.equal(8);
      const found = await a.read((tx) => tx.audit.searchAudit({ sort: 'date', limit: 100, agent: [['HOSP_A|EHR']] }));
      expect(found.map((r) => r.id).sort((x, y) => x - y)).to.deep.equal([...ids].sort((x, y) => x - y));
      const c = new pg.Client({ connectionString: cluster.url(db) });
      await c.connect();
      try {
        expect((await c.query('SELECT count(*)::int AS n FROM audit_agent_sets')).rows[0].n).to.equal(1);
      } finally {
        await c.end();
      }
    });

    it('does not commit a write whose callback caught a failed statement', async () => {
      await a.write((tx) => tx.identity.createPerson('TAKEN', { prefix: 'R' }));
      const error = await a
        .write(async (tx) => {
          await tx.identity.createPerson('TAKEN', { prefix: 'R' }).catch(() => undefined);
          return 'carried on';
        })
        .then(
          (v) => v,
          (e: Error) => e,
        );
      expect(error).to.be.instanceOf(StoreConstraintError);
    });

    it('reads one snapshot in a read, whatever commits meanwhile', async () => {
      const [first, second] = await a.read(async (tx) => {
        const before = await tx.identity.personByToken('LATE');
        await b.write((w) => w.identity.createPerson('LATE', { prefix: 'R' }));
        return [before, await tx.identity.personByToken('LATE')];
      });
      expect([first, second]).to.deep.equal([undefined, undefined]);
      expect(await a.read((tx) => tx.identity.personByToken('LATE'))).not.to.equal(undefined);
    });
  });
});
