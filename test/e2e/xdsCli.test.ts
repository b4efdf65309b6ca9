/**
 * `hie xds find` and `hie xds get` as a user runs them, against a running server holding the demo's
 * documents: the regional ID or a facility's local ID (resolved by ITI-9), the readable list and
 * JSON, the bytes retrieved by ITI-43 checked against the registry's hash and size; and over TLS
 * with a client certificate, where a wrong CA fails with a clear error.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { loadDemo } from '../../src/ingest/demo.ts';
import { withDemoFacilities } from '../../src/server/config/demo.ts';
import { Status } from '../../src/xds/registry/schemes.ts';
import { makeCerts, type TestCerts } from '../helpers/certs.ts';
import { hie } from '../helpers/hieCommand.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';

interface Found {
  uniqueId: string;
  status: string;
  size: number;
  hash: string;
  mimeType: string;
  creationTime: string;
  classCode: { display: string };
  institutions: string[];
}

/**
 * `hie` run on the server's data folder, as a user runs it beside `hie serve`: a configuration that
 * names no regional authority takes the data folder's (server/config/regionalAuthority.ts).
 */
const hieOn = (s: TestServer, args: string[]) => hie(args, '', { HIE_DATA_DIR: s.dataDir });

/** A server with the demo loaded, and one patient seen at a facility: regional ID, local ID, documents. */
async function demoServer(overrides: Record<string, unknown> = {}) {
  const base = await startTestServer();
  const config = withDemoFacilities(base.config);
  await base.stop();
  const s = await startTestServer({ ...(config as unknown as Record<string, unknown>), ...overrides } as never, base.dataDir);
  await loadDemo(s.config, { store: s.app.store, identity: s.app.identity, audit: s.app.audit, xds: s.app.xds });
  const patient = await s.app.store.read(async (tx) => {
    const person = (await tx.identity.person(1))!;
    const [record] = await tx.identity.recordsOfPerson(person.id);
    const docs = await tx.registry.findEntries({ kind: 'DocumentEntry', personIds: [person.id], statuses: [Status.approved] }, 1000);
    return { person, record, docs };
  });
  const domain = s.config.identity.domains.find((d) => d.oid === patient.record.domainKey)!;
  return { s, patient, domain };
}

describe('hie xds find and get: a Document Consumer on the command line (e2e)', function () {
  this.timeout(120_000);

  describe('over plain HTTP on loopback', () => {
    let s: TestServer;
    let patient: Awaited<ReturnType<typeof demoServer>>['patient'];
    let domain: { namespace: string; oid: string };
    let url: string;
    before(async () => {
      ({ s, patient, domain } = await demoServer());
      url = `http://127.0.0.1:${s.app.ports.http}`;
    });
    after(async () => {
      await s.stop();
    });

    it('lists a patient\'s documents by regional ID, readable: uniqueId, status, class, facility, time, size, MIME type', async () => {
      expect(patient.docs.length).to.be.greaterThan(0);
      const r = await hieOn(s, ['xds', 'find', patient.person.regionalId, '--url', url]);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(`${patient.docs.length} document${patient.docs.length === 1 ? '' : 's'} of ${patient.person.regionalId}^^^&${s.config.identity.regional.authority.oid}&ISO`);
      for (const d of patient.docs) expect(r.stdout).to.contain(`${d.uniqueId}  Approved`);
      expect(r.stdout).to.match(/\n {2}class {7}\S.+ \(\S+, 2\.999\.392\.1\.20\.1\)\n/);
      expect(r.stdout).to.match(/\n {2}created {5}\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\n/);
      expect(r.stdout).to.match(/\n {2}size {8}\d+ bytes, \S+\n/);
      expect(r.stdout).to.contain(`  facility    ${domain.namespace}`);
    });

    it('finds the same by the facility\'s local ID (ITI-9 first), in both spellings, and as JSON', async () => {
      const pix = `mllp://127.0.0.1:${s.mllpPort}`;
      const byFlag = await hieOn(s, ['xds', 'find', patient.record.localId, '--facility', domain.namespace, '--url', url, '--pix', pix, '--format', 'json']);
      expect(byFlag.code, byFlag.stderr).to.equal(0);
      const found = JSON.parse(byFlag.stdout) as Found[];
      expect(found.map((d) => d.uniqueId).sort()).to.deep.equal(patient.docs.map((d) => d.uniqueId).sort());
      for (const f of found) {
        const d = patient.docs.find((x) => x.uniqueId === f.uniqueId)!;
        expect({ size: f.size, hash: f.hash, status: f.status }).to.deep.equal({ size: d.size, hash: d.hash, status: 'Approved' });
        expect(f.mimeType).to.be.a('string').and.not.equal('');
      }
      const byCx = await hieOn(s, ['xds', 'find', `${patient.record.localId}^^^${domain.namespace}&${domain.oid}&ISO`, '--url', url, '--pix', pix, '--format', 'json']);
      expect(byCx.code, byCx.stderr).to.equal(0);
      expect((JSON.parse(byCx.stdout) as Found[]).map((d) => d.uniqueId).sort()).to.deep.equal(found.map((d) => d.uniqueId).sort());
      const unknown = await hieOn(s, ['xds', 'find', 'NOBODY-1', '--facility', domain.namespace, '--url', url, '--pix', pix]);
      expect(unknown.code).to.equal(1);
      expect(unknown.stderr).to.contain(`knows no regional ID for NOBODY-1^^^${domain.namespace}`);
    });

    it('gets a document\'s bytes by ITI-43, checked against the registry\'s SHA-1 and size', async () => {
      const d = patient.docs[0];
      const out = path.join(tempDir(), 'doc.hl7');
      const r = await hieOn(s, ['xds', 'get', d.uniqueId!, '--out', out, '--url', url]);
      expect(r.code, r.stderr).to.equal(0);
      const bytes = fs.readFileSync(out);
      expect(bytes.length).to.equal(d.size);
      expect(createHash('sha1').update(bytes).digest('hex')).to.equal(d.hash);
      expect(r.stdout).to.contain(`${d.uniqueId}: ${d.size} bytes`);
      const missing = await hieOn(s, ['xds', 'get', '1.2.3.999.999', '--out', path.join(tempDir(), 'x'), '--url', url]);
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.contain('has no document 1.2.3.999.999');
    });

    it('refuses what it cannot do with a usage error', async () => {
      const noOut = await hieOn(s, ['xds', 'get', '1.2.3']);
      expect(noOut.code).to.equal(2);
      expect(noOut.stderr).to.contain('--out FILE is required');
      const notRegional = await hieOn(s, ['xds', 'find', '0001234']);
      expect(notRegional.code).to.equal(2);
      expect(notRegional.stderr).to.contain('give a local ID with --facility');
      const help = await hieOn(s, ['xds', '--help']);
      expect(help.code).to.equal(0);
      expect(help.stdout).to.match(/Usage: hie xds find PATIENT/);
    });
  });

  describe('over TLS with a client certificate', () => {
    let certs: TestCerts;
    let s: TestServer;
    let patient: Awaited<ReturnType<typeof demoServer>>['patient'];
    let domain: { namespace: string; oid: string };
    before(async () => {
      certs = makeCerts();
      const tls = { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requireClientCert: true };
      // The facility of person 1's first record, known by the client certificate: it reads what that facility made.
      const probe = await demoServer();
      const facility = probe.domain.namespace;
      await probe.s.stop();
      ({ s, patient, domain } = await demoServer({ mllp: { port: 0, tls }, http: { port: 0, tls }, nodes: [{ name: 'viewer', subject: 'CN=client', facility, roles: ['consumer'] }] }));
    });
    after(async () => {
      await s?.stop();
    });
    const tlsFlags = (ca: string) => ['--url', `https://127.0.0.1:${s.app.ports.http}`, '--pix', `mllps://127.0.0.1:${s.mllpPort}`, '--ca', ca, '--cert', certs.clientCert, '--key', certs.clientKey];

    it('finds by local ID over mllps:// and https://, and gets a document', async () => {
      const r = await hieOn(s, ['xds', 'find', patient.record.localId, '--facility', domain.namespace, '--format', 'json', ...tlsFlags(certs.ca)]);
      expect(r.code, r.stderr).to.equal(0);
      const found = JSON.parse(r.stdout) as Found[];
      expect(found.length).to.be.greaterThan(0);
      const out = path.join(tempDir(), 'doc');
      const g = await hieOn(s, ['xds', 'get', found[0].uniqueId, '--out', out, ...tlsFlags(certs.ca)]);
      expect(g.code, g.stderr).to.equal(0);
      expect(createHash('sha1').update(fs.readFileSync(out)).digest('hex')).to.equal(found[0].hash);
    });

    it('a CA that did not sign the server certificate: a clear error, nothing written', async () => {
      const stranger = path.join(certs.dir, 'stranger-ca.pem');
      const r = await hieOn(s, ['xds', 'find', patient.person.regionalId, ...tlsFlags(stranger)]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.contain(`TLS to https://127.0.0.1:${s.app.ports.http}/services/registry failed: the server's certificate is not signed by the CA given`);
      const out = path.join(tempDir(), 'doc');
      const g = await hieOn(s, ['xds', 'get', patient.docs[0].uniqueId!, '--out', out, ...tlsFlags(stranger)]);
      expect(g.code).to.equal(1);
      expect(fs.existsSync(out)).to.equal(false);
    });
  });
});
