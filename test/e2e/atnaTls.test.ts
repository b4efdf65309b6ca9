/**
 * Node authentication (ATNA Secure Node) on every listener, and ITI-20 over TLS (RFC 5425) with
 * mutual authentication, TLS 1.2 and 1.3: clients with a certificate from the configured CA get in;
 * clients without one, or with another CA's, are refused in the handshake, nothing of theirs is
 * stored, and each refusal leaves a Security Alert (DICOM 110113, Node Authentication 110126).
 */
import fs from 'node:fs';
import https from 'node:https';
import { expect } from 'chai';
import { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import type { StoredAuditRecord } from '../../src/store/types.ts';
import { receivedAuditXml } from '../helpers/auditMessages.ts';
import { makeCerts, type TestCerts } from '../helpers/certs.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { adt, HOSP_A } from '../helpers/messages.ts';
import { octetCounted, openSyslogStream, sendSyslogStream, syslogMessage, type TlsClientFiles } from '../helpers/syslog.ts';
import { child, children, parseXml } from '../helpers/xml.ts';

describe('ATNA node authentication and syslog over TLS', function () {
  this.timeout(60_000);
  let certs: TestCerts;
  let s: TestServer;
  before(async () => {
    certs = makeCerts();
    const tls = { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requireClientCert: true };
    s = await startTestServer({ mllp: { tls }, http: { tls }, syslog: { tls: { ...tls, port: 0 } } } as never);
  });
  after(async () => {
    await s?.stop();
  });

  const client = (o: Partial<TlsClientFiles> = {}): TlsClientFiles => ({ ca: certs.ca, cert: certs.clientCert, key: certs.clientKey, ...o });
  const events = async (): Promise<StoredAuditRecord[]> => {
    await s.app.atna.ingest.flushed();
    return s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }));
  };
  // Node Authentication alerts (110126); a client the CA signed that no node entry names gets Use of Restricted Function (110132) instead.
  const alerts = async () => (await events()).filter((e) => e.eventId === '110113' && e.eventTypeCode === '110126');
  const waitFor = async <T>(fn: () => Promise<T[]>, n: number): Promise<T[]> => {
    for (let i = 0; i < 100; i++) {
      const v = await fn();
      if (v.length >= n) return v;
      await new Promise((r) => setTimeout(r, 20));
    }
    return fn();
  };

  for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`stores what a client with a certificate of the CA sends over ${version}`, async () => {
      const before = (await events()).length;
      const patient = `TLS-${version}^^^HOSP_A&1.2.392.100.1&ISO`;
      await sendSyslogStream(s.app.ports.syslogTls!, [octetCounted(syslogMessage(receivedAuditXml({ patients: [patient] })))], client({ minVersion: version, maxVersion: version }));
      const got = (await events()).slice(before);
      expect(got).to.have.length(1);
      expect(got[0]).to.include({ status: 'valid', transport: 'syslog-tls' });
      expect(got[0].origin).to.equal('syslog-tls 127.0.0.1 CN=client');
      expect(got[0].patientIds).to.deep.equal([patient]);
    });
  }

  /** Tries to get a message through; the refusal may come in the handshake or (TLS 1.3) right after it. */
  const trySyslog = async (files: TlsClientFiles): Promise<'refused' | 'open'> => {
    try {
      const socket = await openSyslogStream(s.app.ports.syslogTls!, files);
      socket.on('error', () => undefined);
      socket.write(octetCounted(syslogMessage(receivedAuditXml({ patients: ['INTRUDER^^^HOSP_A'] }))));
      const closed = await new Promise<boolean>((resolve) => {
        socket.once('close', () => resolve(true));
        setTimeout(() => resolve(false), 1000);
      });
      socket.destroy();
      return closed ? 'refused' : 'open';
    } catch {
      return 'refused';
    }
  };

  it('refuses a client without a certificate or with another CA\'s, stores nothing of it, and audits a Security Alert', async () => {
    const before = await alerts();
    expect(await trySyslog(client({ cert: undefined, key: undefined }))).to.equal('refused');
    expect(await trySyslog(client({ cert: certs.strangerCert, key: certs.strangerKey }))).to.equal('refused');
    expect(await trySyslog(client({ cert: certs.strangerCert, key: certs.strangerKey, maxVersion: 'TLSv1.2' }))).to.equal('refused');
    const all = await waitFor(alerts, before.length + 3);
    const fresh = all.slice(before.length);
    expect(fresh).to.have.length(3);
    for (const a of fresh) {
      expect(a).to.include({ eventTypeCode: '110126', action: 'E', outcome: 4, status: 'valid', transport: 'self' });
      const root = parseXml(a.xml);
      const performer = children(root, 'ActiveParticipant').find((p) => p.attrs.UserIsRequestor === 'true')!;
      expect(performer.attrs).to.include({ NetworkAccessPointID: '127.0.0.1', NetworkAccessPointTypeCode: '2' });
      const subject = child(root, 'ParticipantObjectIdentification')!;
      expect(subject.attrs).to.include({ ParticipantObjectTypeCode: '2', ParticipantObjectTypeCodeRole: '13' });
      expect(subject.attrs.ParticipantObjectID).to.match(/^syslog-tls:\/\//);
    }
    expect((await events()).some((e) => e.patientIds.includes('INTRUDER^^^HOSP_A'))).to.equal(false);
  });

  it('audits refused clients of the MLLP and HTTPS listeners the same way, and serves those with a certificate', async () => {
    const before = await alerts();
    const mllp = (cert?: string, key?: string) =>
      MllpClient.connect({ host: '127.0.0.1', port: s.mllpPort, replyTimeoutMs: 3000, tls: { ca: fs.readFileSync(certs.ca), cert: cert && fs.readFileSync(cert), key: key && fs.readFileSync(key), servername: 'localhost' } })
        .then(async (c) => {
          await c.send(Buffer.from(adt({ ids: [`NA1^^^${HOSP_A}`] })));
          await c.close();
          return 'served';
        })
        .catch(() => 'refused');
    expect(await mllp()).to.equal('refused');
    expect(await mllp(certs.clientCert, certs.clientKey)).to.equal('served');
    const get = (cert?: string, key?: string) =>
      new Promise<string>((resolve) => {
        const req = https.get({ host: '127.0.0.1', port: s.app.ports.http, path: '/health', servername: 'localhost', ca: fs.readFileSync(certs.ca), cert: cert && fs.readFileSync(cert), key: key && fs.readFileSync(key) }, (res) => {
          res.resume();
          resolve(String(res.statusCode));
        });
        req.on('error', () => resolve('refused'));
      });
    expect(await get()).to.equal('refused');
    expect(await get(certs.clientCert, certs.clientKey)).to.equal('200');
    const fresh = (await waitFor(alerts, before.length + 2)).slice(before.length);
    const listeners = fresh.map((a) => child(parseXml(a.xml), 'ParticipantObjectIdentification')!.attrs.ParticipantObjectID.split(':')[0]);
    expect(listeners.sort()).to.deep.equal(['https', 'mllp-tls']);
  });
});
