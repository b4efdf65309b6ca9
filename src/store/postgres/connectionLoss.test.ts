/**
 * The database restarted or stopped under the store: requests meanwhile fail with
 * StoreUnavailableError, and the same store serves again once the database is back (the pool drops
 * the broken connections and makes new ones).
 */
import { expect } from 'chai';
import type { Domain } from '../../identity/types.ts';
import { startPostgres, type PostgresCluster } from '../../../test/helpers/postgres.ts';
import { StoreUnavailableError } from '../errors.ts';
import { asStoreError, isConnectionLoss } from './connectionLoss.ts';
import { PostgresStore } from './pgStore.ts';

const domain = (n: number): Domain => ({ key: `1.2.4.${n}`, namespace: `H${n}`, oid: `1.2.4.${n}`, type: 'ISO', kind: 'local' });
const coded = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('PostgreSQL connection loss', () => {
  it('tells a lost or refused connection from a failed statement', () => {
    for (const e of [
      coded('terminating connection due to administrator command', '57P01'),
      coded('the database system is starting up', '57P03'),
      coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      coded('read ECONNRESET', 'ECONNRESET'),
      coded('Connection terminated unexpectedly'),
      coded('timeout exceeded when trying to connect'),
      new AggregateError([coded('x', 'ECONNREFUSED'), coded('y', 'ECONNREFUSED')]),
    ]) {
      expect(isConnectionLoss(e), e.message).to.equal(true);
    }
    for (const e of [coded('duplicate key value', '23505'), coded('could not serialize access', '40001'), coded('canceling statement due to statement timeout', '57014'), new Error('boom'), 'text']) {
      expect(isConnectionLoss(e), String(e)).to.equal(false);
    }
    const mapped = asStoreError(coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), 'db:5432/hie');
    expect(mapped).to.be.instanceOf(StoreUnavailableError);
    expect((mapped as Error).message).to.equal('PostgreSQL at db:5432/hie is unavailable: connect ECONNREFUSED 127.0.0.1:5432');
    const other = coded('duplicate key value', '23505');
    expect(asStoreError(other, 'db')).to.equal(other);
  });

  describe('on a real cluster', function () {
    this.timeout(120_000);
    let cluster: PostgresCluster;
    let store: PostgresStore;

    before(async () => {
      cluster = await startPostgres();
      store = await PostgresStore.open({ url: cluster.url(await cluster.createDatabase()), poolSize: 4, connectTimeoutMs: 2000 });
    });
    after(async () => {
      await store?.close();
      await cluster?.stop();
    });

    it('serves again after a restart (mode fast), its idle connections replaced', async () => {
      // Fill the pool with idle connections that the restart will end.
      await Promise.all([1, 2, 3, 4].map((n) => store.write((tx) => tx.identity.addDomain(domain(n)))));
      await cluster.control('restart');
      expect((await store.read((tx) => tx.identity.domains())).map((d) => d.key)).to.include.members(['1.2.4.1', '1.2.4.4']);
      await store.write((tx) => tx.identity.addDomain(domain(5)));
    });

    it('fails reads, writes, continuations and claims with StoreUnavailableError while the database is stopped, and serves once it is started', async () => {
      await cluster.control('halt');
      try {
        const failures = await Promise.all(
          [store.read((tx) => tx.identity.domains()), store.write((tx) => tx.identity.addDomain(domain(6))), store.continuations.count(Date.now()), store.outboxClaims.releaseClaims([1], 'me')].map((p) =>
            (p as Promise<unknown>).then(() => undefined, (e: unknown) => e),
          ),
        );
        for (const e of failures) {
          expect(e).to.be.instanceOf(StoreUnavailableError);
          expect((e as Error).message).to.match(/^PostgreSQL at 127\.0\.0\.1:\d+\/hie_test_\d+_\d+ is unavailable: /);
        }
      } finally {
        await cluster.control('start');
      }
      await store.write((tx) => tx.identity.addDomain(domain(6)));
      expect((await store.read((tx) => tx.identity.domain('1.2.4.6')))?.namespace).to.equal('H6');
    });

    it('fails a request whose connection is ended under it with StoreUnavailableError, and nothing of it is kept', async () => {
      const failure = await store
        .write(async (tx) => {
          await tx.identity.addDomain(domain(7));
          // The server ends every session (as a fast shutdown does) while the request is in flight.
          await cluster.control('restart');
          await tx.identity.addDomain(domain(8));
        })
        .then(() => undefined, (e: unknown) => e);
      expect(failure).to.be.instanceOf(StoreUnavailableError);
      expect(await store.read((tx) => tx.identity.domain('1.2.4.7'))).to.equal(undefined);
    });
  });
});
