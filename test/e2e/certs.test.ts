/** hie certs: a demo CA and node certificates that the server's TLS listeners and clients accept. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { receivedAuditXml } from '../helpers/auditMessages.ts';
import { hie } from '../helpers/hieCommand.ts';
import { startTestServer, tempDir } from '../helpers/hieServer.ts';
import { octetCounted, sendSyslogStream, syslogMessage } from '../helpers/syslog.ts';

describe('hie certs', function () {
  this.timeout(60_000);

  it('makes a CA and node certificates that node authentication accepts, keys readable by the owner only', async () => {
    const out = path.join(tempDir(), 'certs');
    const r = await hie(['certs', '--out', out, 'arr.region.example', 'ehr-a']);
    expect(r.code, r.stderr).to.equal(0);
    for (const f of ['ca.pem', 'ca.key', 'arr.region.example.pem', 'arr.region.example.key', 'ehr-a.pem', 'ehr-a.key']) expect(fs.existsSync(path.join(out, f)), f).to.equal(true);
    for (const f of ['ca.key', 'ehr-a.key']) expect(fs.statSync(path.join(out, f)).mode & 0o777, f).to.equal(0o600);
    const text = execFileSync('openssl', ['x509', '-in', path.join(out, 'ehr-a.pem'), '-noout', '-text'], { encoding: 'utf8' });
    expect(text).to.match(/TLS Web Server Authentication, TLS Web Client Authentication/);
    expect(text).to.match(/DNS:ehr-a, DNS:localhost, IP Address:127\.0\.0\.1/);
    expect(execFileSync('openssl', ['verify', '-CAfile', path.join(out, 'ca.pem'), path.join(out, 'ehr-a.pem')], { encoding: 'utf8' })).to.match(/OK/);
    // A second run keeps the CA and adds a node.
    const caBefore = fs.readFileSync(path.join(out, 'ca.pem'), 'utf8');
    expect((await hie(['certs', '--out', out, 'ehr-b'])).stdout).to.contain('(kept)');
    expect(fs.readFileSync(path.join(out, 'ca.pem'), 'utf8')).to.equal(caBefore);

    const p = (f: string) => path.join(out, f);
    const s = await startTestServer({ syslog: { tls: { port: 0, cert: p('arr.region.example.pem'), key: p('arr.region.example.key'), ca: p('ca.pem') } } } as never);
    try {
      await sendSyslogStream(s.app.ports.syslogTls!, [octetCounted(syslogMessage(receivedAuditXml({ patients: ['CERTS1^^^HOSP_A'] })))], { ca: p('ca.pem'), cert: p('ehr-b.pem'), key: p('ehr-b.key') });
      await s.app.atna.ingest.flushed();
      const got = await s.app.store.read((tx) => tx.audit.auditEvents({ patientId: 'CERTS1^^^HOSP_A' }));
      expect(got.map((e) => e.origin)).to.deep.equal(['syslog-tls 127.0.0.1 CN=ehr-b']);
    } finally {
      await s.stop();
    }
  });

  it('refuses what is not a host name', async () => {
    const r = await hie(['certs', '--out', tempDir(), '../etc']);
    expect(r.code).to.equal(2);
  });
});
