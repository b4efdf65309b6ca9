/**
 * examples/hie.json, the complete example configuration of the README: it validates wherever the
 * server is started from (its files are named relative to its own folder), and a server starts from
 * a copy of it with certificates made by `hie certs`: TLS on every listener, the nodes of two
 * facilities, and audit forwarding over TLS syslog.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startApp } from '../../src/server/app.ts';
import { loadConfig } from '../../src/server/config/load.ts';
import type { Config } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { NodeDirectory } from '../../src/consent/nodeDirectory.ts';
import { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import { hie } from '../helpers/hieCommand.ts';
import { decodeReply, field, tempDir } from '../helpers/hieServer.ts';
import { freePort } from '../helpers/rsyslog.ts';
import { httpsRequest } from '../helpers/tlsNodes.ts';

const EXAMPLES = path.resolve(import.meta.dirname, '../../examples');
const EXAMPLE = path.join(EXAMPLES, 'hie.json');

describe('the example configuration (examples/hie.json)', function () {
  this.timeout(120_000);

  it('validates from another working directory, its files resolved from its own folder', () => {
    const cwd = process.cwd();
    let config: Config;
    process.chdir(os.tmpdir());
    try {
      config = loadConfig({ file: path.relative(os.tmpdir(), EXAMPLE), env: {} });
    } finally {
      process.chdir(cwd);
    }
    expect(config.dataDir).to.equal(path.join(EXAMPLES, 'var'));
    for (const t of [config.mllp.tls!, config.http.tls!, config.syslog.tls!]) {
      expect(t).to.include({ cert: path.join(EXAMPLES, 'certs/hie.pem'), key: path.join(EXAMPLES, 'certs/hie.key'), ca: path.join(EXAMPLES, 'certs/ca.pem'), requireClientCert: true });
    }
    expect(config.atna.repositories[0].tls?.ca).to.equal(path.join(EXAMPLES, 'certs/ca.pem'));
    expect(config.identity.domains.map((d) => d.namespace)).to.deep.equal(['HOSP_A', 'HOSP_B']);
    expect(config.identity.regional.authority.oid).to.equal('2.999.392.1.2.100');
    // The nodes name facilities that exist.
    expect(() => new NodeDirectory(config)).not.to.throw();
  });

  it('starts a server from a copy with certificates by hie certs: TLS everywhere, two facilities, forwarding', async () => {
    const dir = tempDir('hie-example-');
    const made = await hie(['certs', '--out', path.join(dir, 'certs'), 'hie', 'hosp-a', 'hosp-b', 'operator']);
    expect(made.code, made.stderr).to.equal(0);
    // The copy forwards its audit messages to its own TLS syslog listener, on a port known in advance.
    const syslogPort = await freePort();
    const doc = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as { atna: { repositories: { host: string; port: number; tls: { servername: string } }[] } };
    Object.assign(doc.atna.repositories[0], { host: '127.0.0.1', port: syslogPort });
    doc.atna.repositories[0].tls.servername = 'localhost';
    fs.writeFileSync(path.join(dir, 'hie.json'), JSON.stringify(doc));
    const config = loadConfig({
      file: path.join(dir, 'hie.json'),
      env: {},
      flags: { 'mllp.host': '127.0.0.1', 'mllp.port': 0, 'http.host': '127.0.0.1', 'http.port': 0, 'syslog.host': '127.0.0.1', 'syslog.tls.port': syslogPort, 'log.level': 'warn' },
    });
    expect(config.dataDir).to.equal(path.join(dir, 'var'));
    const lines: string[] = [];
    const app = await startApp(config, createLogger('warn', (l) => lines.push(l)));
    const as = (node: string) => ({ ca: path.join(dir, 'certs/ca.pem'), cert: path.join(dir, `certs/${node}.pem`), key: path.join(dir, `certs/${node}.key`) });
    try {
      const a = as('hosp-a');
      const c = await MllpClient.connect({
        host: '127.0.0.1',
        port: app.ports.mllp!,
        tls: { ca: fs.readFileSync(a.ca), cert: fs.readFileSync(a.cert), key: fs.readFileSync(a.key), servername: 'localhost' },
      });
      try {
        const ack = decodeReply(await c.send(fs.readFileSync(path.join(EXAMPLES, 'adt-a04-hospital-a.hl7'))));
        expect(field(ack, 'MSA', 1), ack).to.equal('AA');
      } finally {
        await c.close();
      }
      expect((await httpsRequest(app.ports.http!, '/health/ready', as('operator'))).status).to.equal(200);
      const metrics = await httpsRequest(app.ports.http!, '/metrics', as('operator'));
      expect(metrics.status).to.equal(200);
      expect(metrics.body.toString()).to.match(/^hie_transactions_total\{transaction="ITI-8",edge="mllp",outcome="success"\} 1$/m);
      expect((await httpsRequest(app.ports.http!, '/metrics', as('hosp-b'))).status).to.equal(403);
      // Its own audit messages come back over TLS syslog, forwarded as to the prefecture's repository.
      const deadline = Date.now() + 20_000;
      let forwarded = 0;
      while (forwarded === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        await app.atna.ingest.flushed();
        forwarded = (await app.store.read((tx) => tx.audit.auditEvents({ limit: 1000 }))).filter((e) => e.transport === 'syslog-tls').length;
      }
      expect(forwarded).to.be.greaterThan(0);
    } finally {
      await app.stop();
    }
    expect(lines.filter((l) => JSON.parse(l).level === 'error')).to.deep.equal([]);
  });
});
