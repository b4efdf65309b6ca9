import { expect } from 'chai';
import { makeCerts, type TestCerts } from '../../test/helpers/certs.ts';
import { tempDir } from '../../test/helpers/hieServer.ts';
import { startPostgres, type PostgresCluster } from '../../test/helpers/postgres.ts';
import { validate } from './config/load.ts';
import { openStore } from './openStore.ts';

describe('openStore: the engine the configuration names', function () {
  this.timeout(120_000);
  let certs: TestCerts;
  let cluster: PostgresCluster;
  before(async () => {
    certs = makeCerts();
    cluster = await startPostgres({ tls: { cert: certs.serverCert, key: certs.serverKey } });
  });
  after(async () => {
    await cluster?.stop();
  });

  const postgres = async (tls?: Record<string, unknown>) =>
    validate({
      dataDir: tempDir(),
      store: { engine: 'postgres', postgres: { host: '127.0.0.1', port: cluster.port, user: cluster.user, database: await cluster.createDatabase(), connectTimeoutMs: 5000, ...(tls ? { tls } : {}) } },
    });
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: Error) => e,
    );

  it('opens SQLite under the data folder by default', async () => {
    const store = await openStore(validate({ dataDir: tempDir() }));
    expect(store.engine).to.equal('sqlite');
    await store.close();
  });

  it('connects to PostgreSQL over TLS, the server certificate checked against store.postgres.tls.ca', async () => {
    const store = await openStore(await postgres({ ca: certs.ca }));
    try {
      expect(store.engine).to.equal('postgres');
      const p = await store.write((tx) => tx.identity.createPerson('TLS', { prefix: 'R' }));
      expect((await store.read((tx) => tx.identity.personByToken('TLS')))!.id).to.equal(p.id);
    } finally {
      await store.close();
    }
  });

  it('refuses a server certificate from another CA, and a server that wants TLS when none is configured', async () => {
    const stranger = await failure(openStore(await postgres({ ca: certs.strangerCert })));
    expect(stranger?.name).to.equal('StoreUnavailableError');
    expect(stranger?.message).to.match(/^cannot connect to PostgreSQL at 127\.0\.0\.1:\d+\/hie_test_\w+: .*certificate/);
    const plain = await failure(openStore(await postgres()));
    expect(plain?.name).to.equal('StoreUnavailableError');
    expect(plain?.message).to.include('no encryption');
  });

  it('says which TLS file it could not read', async () => {
    const missing = await failure(openStore(await postgres({ ca: '/nonexistent/ca.pem' })));
    expect(missing?.message).to.match(/^store\.postgres\.tls\.ca: cannot read \/nonexistent\/ca\.pem/);
  });
});
