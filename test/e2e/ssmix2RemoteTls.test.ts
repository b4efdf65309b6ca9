/**
 * The SS-MIX2 adapter publishing to an HIE that requires TLS with client certificates on every
 * listener: `hie ingest ssmix2 --to mllps://...,https://...` with the adapter's own certificate, key
 * and CA (flags or config). A CA that did not sign the server's certificate, or no client certificate,
 * stops the run with a message that says so, and nothing is marked sent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { openServices } from '../../src/server/app.ts';
import { validate } from '../../src/server/config/load.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { Status } from '../../src/xds/registry/schemes.ts';
import { makeCerts, type TestCerts } from '../helpers/certs.ts';
import { hie } from '../helpers/hieCommand.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { writeVersionsTree } from '../helpers/ssmix2.ts';

const FACILITY = { namespace: 'HIS123', oid: '2.999.392.100.1' };

describe('SS-MIX2 adapter publishing over TLS: mllps:// and https:// with its own certificate (e2e)', function () {
  this.timeout(120_000);
  let certs: TestCerts;
  let s: TestServer;
  let root: string;

  before(async () => {
    certs = makeCerts();
    root = tempDir('hie-ssmix-tls-');
    writeVersionsTree(root);
  });
  beforeEach(async () => {
    const tls = { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requireClientCert: true };
    s = await startTestServer({
      mllp: { tls },
      http: { tls },
      identity: { domains: [FACILITY] },
      nodes: [{ name: 'his123-adapter', subject: 'CN=client', facility: FACILITY.namespace, roles: ['source', 'consumer'] }],
    } as never);
  });
  afterEach(async () => {
    await s.stop();
  });

  /** The adapter's config file and data folder (its checkpoint). */
  const adapterSetup = (extra: Record<string, unknown> = {}) => {
    const dataDir = tempDir('hie-adapter-');
    const config = path.join(dataDir, 'adapter.json');
    fs.writeFileSync(config, JSON.stringify({ identity: { domains: [FACILITY] }, ...extra }));
    return { dataDir, config };
  };
  const targets = () => `mllps://127.0.0.1:${s.mllpPort},https://127.0.0.1:${s.app.ports.http}`;
  const ingest = (a: { dataDir: string; config: string }, ...flags: string[]) =>
    hie(['ingest', 'ssmix2', root, '--facility', FACILITY.namespace, '--to', targets(), '--data-dir', a.dataDir, '--config', a.config, ...flags], '', { HIE_TOKEN_KEY: 'adapter-issuer-key-0123456789ab' });
  const serverDocuments = () =>
    s.app.store.read((tx) => tx.registry.findEntries({ kind: 'DocumentEntry', personIds: [1, 2, 3], statuses: [Status.approved, Status.deprecated] }, 100));
  const serverPatients = () => s.app.store.read((tx) => tx.identity.searchRecords({ keys: [{ kind: 'family', key: 'YAMADA', prefix: false }] }, 10).then((p) => p.matches));
  const checkpointed = async (dataDir: string) => {
    const services = await openServices(validate({ dataDir, identity: { domains: [FACILITY], token: { issuerKey: 'adapter-issuer-key-0123456789ab' } } }), silentLogger);
    try {
      return await services.store.read((tx) => tx.ingest.ingestItemCount());
    } finally {
      await services.store.close();
    }
  };

  it('publishes over mllps:// (ITI-8, ITI-9) and https:// (ITI-41, ITI-57) presenting its certificate (flags)', async () => {
    const a = adapterSetup();
    const r = await ingest(a, '--ca', certs.ca, '--cert', certs.clientCert, '--key', certs.clientKey);
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    expect(r.stdout).to.match(/patients fed \(ADT-00\)\s+1/);
    expect(r.stdout).to.match(/documents registered\s+3/);
    const docs = await serverDocuments();
    expect(docs).to.have.length(3);
    expect(await checkpointed(a.dataDir)).to.equal(4);
    // The server knew the adapter by its certificate: its audit names the node.
    const audits = await s.app.store.read((tx) => tx.audit.searchAudit({ sort: 'date', limit: 200 }));
    expect(JSON.stringify(audits.map((x) => x.xml))).to.contain('his123-adapter');
  });

  it('takes the CA, certificate and key from config ingest.ssmix2.tls', async () => {
    const a = adapterSetup({ ingest: { ssmix2: { tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } } } });
    const r = await ingest(a);
    expect(r.code, r.stderr + r.stdout).to.equal(0);
    expect(await serverDocuments()).to.have.length(3);
  });

  it('a CA that did not sign the server certificate: a clear error, nothing sent, nothing marked sent', async () => {
    const a = adapterSetup({ ingest: { ssmix2: { tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } } } });
    // The flag overrides the config's CA with a stranger's.
    const r = await ingest(a, '--ca', path.join(certs.dir, 'stranger-ca.pem'));
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain(`TLS to mllps://127.0.0.1:${s.mllpPort} failed: the server's certificate is not signed by the CA given`);
    expect(r.stderr).to.contain('Nothing was marked sent');
    expect(r.stderr).to.not.match(/\n\s+at /, 'no stack trace');
    expect(await checkpointed(a.dataDir)).to.equal(0);
    expect(await serverDocuments()).to.have.length(0);
    expect(await serverPatients()).to.have.length(0);
  });

  it('https:// with a CA that did not sign the server certificate: the documents stay unsent and unmarked', async () => {
    // Plain MLLP (loopback, the local identity), TLS on HTTP only: the patient goes, the documents do not.
    const tls = { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requireClientCert: true };
    const other = await startTestServer({ http: { tls }, identity: { domains: [FACILITY] } } as never);
    try {
      const a = adapterSetup();
      const to = `mllp://127.0.0.1:${other.mllpPort},https://127.0.0.1:${other.app.ports.http}`;
      const r = await hie(['ingest', 'ssmix2', root, '--facility', FACILITY.namespace, '--to', to, '--data-dir', a.dataDir, '--config', a.config, '--ca', path.join(certs.dir, 'stranger-ca.pem'), '--cert', certs.clientCert, '--key', certs.clientKey]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain(`TLS to https://127.0.0.1:${other.app.ports.http}/services/repository failed: the server's certificate is not signed by the CA given`);
      expect(await checkpointed(a.dataDir), 'only the ADT-00 that was answered').to.equal(1);
      expect(await other.app.store.read((tx) => tx.registry.findEntries({ kind: 'DocumentEntry', personIds: [1, 2, 3], statuses: [Status.approved, Status.deprecated] }, 100))).to.have.length(0);
    } finally {
      await other.stop();
    }
  });

  it('no client certificate: the server refuses, the adapter says so, nothing is marked sent', async () => {
    const a = adapterSetup();
    const r = await ingest(a, '--ca', certs.ca);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/TLS to mllps:\/\/127\.0\.0\.1:\d+ failed: the server refused the connection, most likely this node's certificate/);
    expect(await checkpointed(a.dataDir)).to.equal(0);
    expect(await serverPatients()).to.have.length(0);
  });

  it('refuses TLS files for plaintext targets, and a certificate without its key', async () => {
    const a = adapterSetup();
    const plain = await hie(['ingest', 'ssmix2', root, '--facility', FACILITY.namespace, '--to', 'mllp://127.0.0.1:1,http://127.0.0.1:1', '--data-dir', a.dataDir, '--config', a.config, '--ca', certs.ca]);
    expect(plain.code).to.equal(2);
    expect(plain.stderr).to.contain('--ca, --cert and --key are for TLS targets');
    const half = await ingest(a, '--ca', certs.ca, '--cert', certs.clientCert);
    expect(half.code).to.equal(2);
    expect(half.stderr).to.contain('a client certificate needs its key');
  });
});
