/**
 * A real TLS syslog client: Debian rsyslog with its GnuTLS driver forwards audit messages to the
 * Audit Record Repository with mutual TLS (x509/name: it checks the server's certificate names
 * localhost, the server checks rsyslog's client certificate against its CA), octet-counted framing,
 * RFC 5424 format. Messages reach rsyslog from this test over TCP (multi-line XML, with and without
 * BOM) and from util-linux logger over UDP; every one is stored, validated, with its sender's identity.
 * An rsyslog whose certificate another CA signed gets nothing in, and its attempts are audited.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { StoredAuditRecord } from '../../src/store/types.ts';
import { receivedAuditXml } from '../helpers/auditMessages.ts';
import { makeCerts, type TestCerts } from '../helpers/certs.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { freePort, requireGtls, rsyslogd, startRsyslog, type Rsyslog } from '../helpers/rsyslog.ts';
import { octetCounted, sendSyslogStream, syslogMessage } from '../helpers/syslog.ts';

const run = promisify(execFile);

function forwardingConfig(o: { dir: string; certs: TestCerts; cert: string; key: string; tcp: number; udp: number; target: number }): string {
  return `
global(workDirectory="${o.dir}"
       defaultNetstreamDriverCAFile="${o.certs.ca}"
       defaultNetstreamDriverCertFile="${o.cert}"
       defaultNetstreamDriverKeyFile="${o.key}"
       parser.escapeControlCharactersOnReceive="off"
       maxMessageSize="64k")
module(load="imtcp")
module(load="imudp")
input(type="imtcp" address="127.0.0.1" port="${o.tcp}")
input(type="imudp" address="127.0.0.1" port="${o.udp}")
action(type="omfwd" target="127.0.0.1" port="${o.target}" protocol="tcp"
       StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="localhost"
       TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format"
       action.resumeRetryCount="-1" action.resumeInterval="1"
       queue.type="LinkedList" queue.filename="forward" queue.saveOnShutdown="on")
`;
}

describe('rsyslog forwards audit messages to the repository over mutual TLS (ITI-20)', function () {
  this.timeout(120_000);
  let certs: TestCerts;
  let s: TestServer;
  const rsyslogs: Rsyslog[] = [];

  before(async () => {
    rsyslogd();
    requireGtls();
    certs = makeCerts();
    s = await startTestServer({ syslog: { tls: { port: 0, cert: certs.serverCert, key: certs.serverKey, ca: certs.ca } } } as never);
  });
  after(async () => {
    for (const r of rsyslogs) await r.stop();
    await s?.stop();
  });

  const received = async (): Promise<StoredAuditRecord[]> => {
    await s.app.atna.ingest.flushed();
    return (await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((e) => e.transport === 'syslog-tls');
  };
  const waitFor = async (n: number, ms: number) => {
    const until = Date.now() + ms;
    while (Date.now() < until && (await received()).length < n) await new Promise((r) => setTimeout(r, 100));
    return received();
  };

  it('delivers every message it is given, from TCP and from logger over UDP, stored and validated', async () => {
    const [tcp, udp] = [await freePort(), await freePort()];
    const r = await startRsyslog((dir) => forwardingConfig({ dir, certs, cert: certs.clientCert, key: certs.clientKey, tcp, udp, target: s.app.ports.syslogTls! }), tcp);
    rsyslogs.push(r);
    const patients = Array.from({ length: 40 }, (_, i) => `RS${i}^^^HOSP_A&1.2.392.100.1&ISO`);
    await sendSyslogStream(tcp, [octetCounted(...patients.map((p, i) => syslogMessage(receivedAuditXml({ patients: [p] }), { bom: i % 2 === 0 })))]);
    const oneLine = receivedAuditXml({ patients: ['LOGGER1^^^HOSP_A'] }).replace(/\n/g, '');
    await run('logger', ['--rfc5424=notq', '-n', '127.0.0.1', '-P', String(udp), '-d', '--size', '65536', '-p', 'authpriv.notice', '-t', 'EHR', '--msgid', 'IHE+RFC-3881', oneLine]);
    const got = await waitFor(patients.length + 1, 30_000);
    expect(got.map((e) => e.patientIds[0]).sort(), r.output()).to.deep.equal([...patients, 'LOGGER1^^^HOSP_A'].sort());
    for (const e of got) {
      expect(e.status, e.error).to.equal('valid');
      expect(e.origin).to.equal('syslog-tls 127.0.0.1 CN=client');
      expect(JSON.parse(e.envelope!).msgId).to.equal('IHE+RFC-3881');
    }
    const fromLogger = got.find((e) => e.patientIds[0] === 'LOGGER1^^^HOSP_A')!;
    expect(JSON.parse(fromLogger.envelope!).appName).to.equal('EHR');
  });

  it('lets in no rsyslog whose certificate another CA signed, and audits its attempts', async () => {
    const before = (await received()).length;
    const alertsBefore = (await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((e) => e.eventId === '110113').length;
    const [tcp, udp] = [await freePort(), await freePort()];
    const r = await startRsyslog((dir) => forwardingConfig({ dir, certs, cert: certs.strangerCert, key: certs.strangerKey, tcp, udp, target: s.app.ports.syslogTls! }), tcp);
    rsyslogs.push(r);
    await sendSyslogStream(tcp, [octetCounted(syslogMessage(receivedAuditXml({ patients: ['STRANGER^^^HOSP_A'] })))]);
    await new Promise((res) => setTimeout(res, 3000));
    expect((await received()).length).to.equal(before);
    const alerts = (await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((e) => e.eventId === '110113');
    expect(alerts.length).to.be.greaterThan(alertsBefore);
    await r.stop();
  });
});
