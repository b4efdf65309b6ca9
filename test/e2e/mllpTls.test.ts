import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import { makeCerts, revoke, type TestCerts } from '../helpers/certs.ts';
import { hie } from '../helpers/hieCommand.ts';
import { decodeReply, field, startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { adt, HOSP_A } from '../helpers/messages.ts';
import { child, children, parseXml } from '../helpers/xml.ts';

const DOMAINS = { domains: [{ namespace: 'HOSP_A', oid: '1.2.392.999.1' }] };

describe('MLLP over TLS with client certificates (node authentication)', function () {
  this.timeout(60_000);
  let certs: TestCerts;
  let s: TestServer;
  before(async () => {
    certs = makeCerts();
    s = await startTestServer({
      mllp: { tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requireClientCert: true } },
      identity: DOMAINS,
      nodes: [{ name: 'client', subject: 'CN=client', facility: 'HOSP_A', roles: ['source'] }],
    } as never);
  });
  after(async () => {
    await s.stop();
  });

  const connect = (cert?: string, key?: string) =>
    MllpClient.connect({
      host: '127.0.0.1',
      port: s.mllpPort,
      tls: { ca: fs.readFileSync(certs.ca), cert: cert && fs.readFileSync(cert), key: key && fs.readFileSync(key), servername: 'localhost' },
    });

  it('serves a client whose certificate the configured CA signed', async () => {
    const c = await connect(certs.clientCert, certs.clientKey);
    const r = decodeReply(await c.send(Buffer.from(adt({ ids: [`TLS1^^^${HOSP_A}`] }))));
    expect(field(r, 'MSA', 1)).to.equal('AA');
    await c.close();
  });

  it('lets in nobody without a certificate, or with one from another CA', async () => {
    for (const [cert, key] of [[undefined, undefined], [certs.strangerCert, certs.strangerKey]]) {
      const outcome = await connect(cert, key)
        .then(async (c) => {
          // TLS 1.3 reports the refusal after the handshake: the first exchange fails.
          await c.send(Buffer.from(adt({ ids: [`TLS2^^^${HOSP_A}`] })));
          return 'served';
        })
        .catch(() => 'refused');
      expect(outcome, cert ?? 'no certificate').to.equal('refused');
    }
    const stored = await s.app.store.read((tx) => tx.identity.searchRecords({ keys: [{ kind: 'family', key: 'YAMADA', prefix: false }] }, 10).then((p) => p.matches));
    expect(stored).to.have.length(1);
  });

  it('refuses a plain TCP client', async () => {
    const c = await MllpClient.connect({ host: '127.0.0.1', port: s.mllpPort, replyTimeoutMs: 3000 });
    const outcome = await c.send(Buffer.from(adt({ ids: [`TLS3^^^${HOSP_A}`] }))).then(() => 'served', () => 'refused');
    expect(outcome).to.equal('refused');
  });
});

describe('MLLP over TLS: revoked client certificates (CRL)', function () {
  this.timeout(120_000);
  let dir: string;
  let s: TestServer;
  before(async () => {
    // Certificates as `hie certs` makes them; the CRL as a CA makes one (openssl ca -revoke, -gencrl).
    dir = path.join(tempDir(), 'certs');
    const made = await hie(['certs', '--out', dir, 'server', 'good-node', 'revoked-node']);
    expect(made.code, made.stderr).to.equal(0);
    const crl = revoke(dir, ['revoked-node.pem']);
    s = await startTestServer({
      mllp: { tls: { cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key'), ca: path.join(dir, 'ca.pem'), crl, requireClientCert: true } },
      identity: DOMAINS,
      // Both are configured nodes: revocation alone refuses the one.
      nodes: [
        { name: 'good-node', subject: 'CN=good-node', facility: 'HOSP_A', roles: ['source'] },
        { name: 'revoked-node', subject: 'CN=revoked-node', facility: 'HOSP_A', roles: ['source'] },
      ],
    } as never);
  });
  after(async () => {
    await s?.stop();
  });

  const feed = async (node: string, maxVersion?: 'TLSv1.2' | 'TLSv1.3') => {
    const c = await MllpClient.connect({
      host: '127.0.0.1',
      port: s.mllpPort,
      replyTimeoutMs: 3000,
      tls: { ca: fs.readFileSync(path.join(dir, 'ca.pem')), cert: fs.readFileSync(path.join(dir, `${node}.pem`)), key: fs.readFileSync(path.join(dir, `${node}.key`)), servername: 'localhost', maxVersion },
    });
    try {
      return decodeReply(await c.send(Buffer.from(adt({ ids: [`CRL-${node}^^^${HOSP_A}`], name: 'KAKUNIN^JIRO' }))));
    } finally {
      await c.close().catch(() => undefined);
    }
  };
  const alerts = () => s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 })).then((all) => all.filter((e) => e.eventId === '110113' && e.eventTypeCode === '110126'));

  it('refuses a client whose certificate the CRL revokes, in the handshake, stores nothing of it, and audits a Node Authentication alert naming it', async () => {
    const before = (await alerts()).length;
    for (const v of ['TLSv1.2', 'TLSv1.3'] as const) {
      expect(await feed('revoked-node', v).then(() => 'served', () => 'refused'), v).to.equal('refused');
    }
    const stored = await s.app.store.read((tx) => tx.identity.record('1.2.392.999.1', 'CRL-revoked-node'));
    expect(stored).to.equal(undefined);
    let fresh: Awaited<ReturnType<typeof alerts>> = [];
    for (let i = 0; i < 100 && fresh.length < 2; i++) {
      fresh = (await alerts()).slice(before);
      if (fresh.length < 2) await new Promise((r) => setTimeout(r, 20));
    }
    expect(fresh).to.have.length(2);
    for (const a of fresh) {
      expect(a).to.include({ action: 'E', outcome: 4 });
      const root = parseXml(a.xml);
      const performer = children(root, 'ActiveParticipant').find((p) => p.attrs.UserIsRequestor === 'true')!;
      expect(performer.attrs).to.include({ UserID: '127.0.0.1', NetworkAccessPointID: '127.0.0.1' });
      const object = child(root, 'ParticipantObjectIdentification')!;
      expect(object.attrs.ParticipantObjectID).to.match(/^mllp-tls:\/\//);
      const description = Buffer.from(children(object, 'ParticipantObjectDetail')[0].attrs.value, 'base64').toString('utf8');
      expect(description).to.equal('CERT_REVOKED: client certificate refused');
      expect(a.xml).to.contain('refused: CERT_REVOKED: client certificate refused</EventOutcomeDescription>');
    }
  });

  it('serves a client of the same CA whose certificate is not revoked', async () => {
    const r = await feed('good-node');
    expect(field(r, 'MSA', 1)).to.equal('AA');
    expect(await s.app.store.read((tx) => tx.identity.record('1.2.392.999.1', 'CRL-good-node'))).to.not.equal(undefined);
  });
});
