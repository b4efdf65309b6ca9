/**
 * Operating the server: GET /metrics in the Prometheus text format after transactions on every edge
 * (MLLP, SOAP, FHIR, syslog), one JSON log line per transaction with no patient data in it, and
 * /health/live and /health/ready.
 */
import http from 'node:http';
import { expect } from 'chai';
import { startApp, type App } from '../../src/server/app.ts';
import { validate } from '../../src/server/config/load.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import { receivedAuditXml } from '../helpers/auditMessages.ts';
import { tempDir } from '../helpers/hieServer.ts';
import { adt, HOSP_A, pixQuery } from '../helpers/messages.ts';
import { sendSyslogStream, octetCounted, syslogMessage } from '../helpers/syslog.ts';
import { XdsClient } from '../helpers/xds.ts';
import { findDocuments } from '../helpers/xdsQuery.ts';

function get(port: number, path: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body }));
      })
      .on('error', reject);
  });
}

/** The value of one sample of the exposition text, 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    const set = line.slice(name.length + 1, line.indexOf('}'));
    if (Object.entries(labels).every(([k, v]) => set.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('metrics, the transaction log and health (operating the server)', function () {
  this.timeout(60_000);
  let app: App;
  const lines: string[] = [];
  const start = (extra: Record<string, unknown> = {}, waitFor: string[] = []) =>
    startApp(
      validate({
        dataDir: tempDir(),
        mllp: { port: 0 },
        http: { port: 0 },
        syslog: { tcp: { port: 0 } },
        identity: { token: { issuerKey: 'test-issuer-key-0123456789abcdef' }, domains: [{ namespace: 'HOSP_A', oid: '1.2.392.999.1' }] },
        ...extra,
      }),
      createLogger('info', (l) => lines.push(l)),
      { waitFor, processMetrics: true },
    );
  before(async () => {
    app = await start();
  });
  after(async () => {
    await app?.stop();
  });

  it('counts and times the transactions of every edge, by transaction and outcome', async () => {
    const port = app.ports.http!;
    const c = await MllpClient.connect({ host: '127.0.0.1', port: app.ports.mllp! });
    try {
      await c.send(Buffer.from(adt({ ids: [`MET-0001^^^${HOSP_A}`], name: 'SOKUTEI^HANAKO' })));
      await c.send(Buffer.from(pixQuery({ key: `MET-0001^^^${HOSP_A}` })));
      await c.send(Buffer.from('MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101||ADT^A99|M9|P|2.5\rPID|1\r'));
    } finally {
      await c.close();
    }
    const xds = new XdsClient(port);
    await xds.query(findDocuments(`MET-0001^^^&1.2.392.999.1&ISO`));
    await sendSyslogStream(app.ports.syslogTcp!, [octetCounted(syslogMessage(receivedAuditXml({ patients: ['MET-0002^^^HOSP_A&1.2.392.999.1&ISO'] })), syslogMessage('<not-audit/>'))]);
    await app.atna.ingest.flushed();
    await get(port, '/fhir/AuditEvent?_count=1');
    await get(port, '/fhir/Patient?family=SOKUTEI');
    await get(port, `/fhir/Patient/$ihe-pix?sourceIdentifier=${encodeURIComponent('urn:oid:1.2.392.999.1|MET-0001')}`);
    await get(port, '/fhir/Patient/$ihe-pix');

    const m = await get(port, '/metrics');
    expect(m.status).to.equal(200);
    expect(m.type).to.match(/^text\/plain; version=0\.0\.4/);
    const total = (transaction: string, edge: string, outcome: string) => sample(m.body, 'hie_transactions_total', { transaction, edge, outcome });
    expect(total('ITI-8', 'mllp', 'success')).to.equal(1);
    expect(total('ITI-9', 'mllp', 'success')).to.equal(1);
    expect(total('unknown', 'mllp', 'refused')).to.equal(1);
    expect(total('ITI-18', 'soap', 'success') + total('ITI-18', 'soap', 'error')).to.equal(1);
    expect(total('ITI-20', 'syslog', 'success')).to.equal(1);
    expect(total('ITI-20', 'syslog', 'error') + total('ITI-20', 'syslog', 'refused')).to.equal(1);
    expect(total('ITI-81', 'fhir', 'success')).to.equal(1);
    expect(total('ITI-78', 'fhir', 'success')).to.equal(1);
    expect(total('ITI-83', 'fhir', 'success')).to.equal(1);
    expect(total('ITI-83', 'fhir', 'refused')).to.equal(1);
    expect(sample(m.body, 'hie_transaction_duration_seconds_count', { transaction: 'ITI-8', edge: 'mllp', outcome: 'success' })).to.equal(1);
    expect(sample(m.body, 'hie_transaction_duration_seconds_bucket', { transaction: 'ITI-8', outcome: 'success', le: '+Inf' })).to.equal(1);
    for (const queue of ['iti10-notifications', 'audit-forwarding', 'audit-intake']) expect(m.body).to.match(new RegExp(`^hie_queue_depth\\{queue="${queue}"\\} \\d+$`, 'm'));
    expect(sample(m.body, 'hie_store_bytes', { part: 'database' })).to.be.greaterThan(0);
    expect(m.body).to.match(/^process_cpu_seconds_total /m);

    // More transactions move the counters.
    const c2 = await MllpClient.connect({ host: '127.0.0.1', port: app.ports.mllp! });
    await c2.send(Buffer.from(adt({ ids: [`MET-0003^^^${HOSP_A}`] })));
    await c2.close();
    const m2 = await get(port, '/metrics');
    expect(sample(m2.body, 'hie_transactions_total', { transaction: 'ITI-8', edge: 'mllp', outcome: 'success' })).to.equal(2);
  });

  it('writes one JSON log line per transaction: transaction, edge, outcome, duration and node, no patient data', () => {
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.event === 'transaction');
    const mllp = logged.filter((l) => l.edge === 'mllp');
    expect(mllp.map((l) => l.transaction)).to.include.members(['ITI-8', 'ITI-9', 'unknown']);
    for (const l of logged) {
      expect(l).to.include.keys('time', 'level', 'transaction', 'edge', 'outcome', 'durationMs', 'node');
      expect(l.durationMs).to.be.a('number').and.at.least(0);
    }
    expect(mllp.find((l) => l.transaction === 'ITI-8')).to.include({ outcome: 'success', node: 'local' });
    expect(logged.some((l) => l.transaction === 'ITI-18' && l.edge === 'soap')).to.equal(true);
    expect(logged.some((l) => l.transaction === 'ITI-81' && l.edge === 'fhir')).to.equal(true);
    const syslog = logged.filter((l) => l.edge === 'syslog');
    expect(syslog.reduce((n, l) => n + Number(l.count), 0)).to.equal(2);
    for (const secret of ['MET-000', 'SOKUTEI', 'HANAKO', '1.2.392.999.1']) expect(lines.filter((l) => l.includes('"transaction"')).join('\n')).not.to.contain(secret);
  });

  it('answers /health/live, and /health/ready only once started and every awaited step is done', async () => {
    const waiting = await start({}, ['demo']);
    try {
      expect((await get(waiting.ports.http!, '/health/live')).status).to.equal(200);
      const before = await get(waiting.ports.http!, '/health/ready');
      expect(before.status).to.equal(503);
      expect(JSON.parse(before.body)).to.deep.equal({ status: 'starting' });
      waiting.readiness.done('demo');
      expect((await get(waiting.ports.http!, '/health/ready')).status).to.equal(200);
    } finally {
      await waiting.stop();
    }
    expect(waiting.readiness.state).to.equal('stopping');
  });

  it('refuses /metrics to a node with neither the admin nor the auditor role, with a Security Alert', async () => {
    const clinic = await start({ access: { local: { roles: ['consumer'] } } });
    try {
      const r = await get(clinic.ports.http!, '/metrics');
      expect(r.status).to.equal(403);
      expect(r.body).to.contain('neither the admin nor the auditor role');
      const alerts = await clinic.store.read((tx) => tx.audit.auditEvents({ limit: 100 }));
      expect(alerts.some((e) => e.eventId === '110113')).to.equal(true);
    } finally {
      await clinic.stop();
    }
  });
});
