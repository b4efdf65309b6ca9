/**
 * Nothing one client sends can fill the disk (issue 15): plain syslog is off unless configured; each
 * source's audit messages are held to a quota (over it: dropped with a counted log line, or 429 on
 * FHIR); and below store.minFreeBytes (an injected free-space probe here) new writes are refused with
 * each protocol's error (ACK AR 207, XDSRepositoryError / XDSRegistryError, FHIR 507, syslog dropped),
 * nothing stored is touched, and the refusal is logged and audited once; writes resume when space is back.
 */
import { expect } from 'chai';
import { startApp, type App } from '../../src/server/app.ts';
import { validate } from '../../src/server/config/load.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import { receivedAuditXml } from '../helpers/auditMessages.ts';
import { fhir, postJson } from '../helpers/fhir.ts';
import { decodeReply, field, startTestServer, tempDir } from '../helpers/hieServer.ts';
import { adt, HOSP_A } from '../helpers/messages.ts';
import { octetCounted, sendSyslogDatagram, sendSyslogStream, syslogMessage } from '../helpers/syslog.ts';
import { ACTIONS, affinityConfig, blobFiles, errorCodes, pid, XdsClient } from '../helpers/xds.ts';
import { provideAndRegisterRequest, submitObjectsRequest } from '../helpers/xdsMetadata.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const auditEvent = (patient: string) => ({
  resourceType: 'AuditEvent',
  type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110112', display: 'Query' },
  action: 'E',
  recorded: '2024-05-01T10:00:00+09:00',
  outcome: '0',
  agent: [{ who: { identifier: { value: 'app' } }, requestor: true }],
  source: { observer: { display: 'MHD_CONSUMER' } },
  entity: [{ what: { identifier: { system: 'urn:oid:1.2.392.100.1', value: patient } } }],
});

async function startWith(overrides: Record<string, unknown>, free?: () => number) {
  const lines: { event: string; [k: string]: unknown }[] = [];
  const dataDir = tempDir();
  const config = validate({
    ...affinityConfig(),
    ...overrides,
    dataDir,
    mllp: { port: 0 },
    http: { port: 0 },
    identity: { ...affinityConfig().identity, token: { issuerKey: 'test-issuer-key-0123456789abcdef' } },
  });
  const app = await startApp(config, createLogger('warn', (l) => lines.push(JSON.parse(l))), free ? { freeSpaceProbe: async () => free() } : {});
  const mllp = await MllpClient.connect({ host: '127.0.0.1', port: app.ports.mllp!, replyTimeoutMs: 10_000 });
  const send = async (m: string) => decodeReply(await mllp.send(Buffer.from(m, 'utf8')));
  return {
    app,
    dataDir,
    lines,
    send,
    stop: async () => {
      await mllp.close();
      await app.stop();
    },
  };
}

const audits = (app: App) => app.store.read((tx) => tx.audit.auditEvents({ limit: 10_000 }));

describe('audit intake and the disk (issue 15)', function () {
  this.timeout(60_000);

  it('plain UDP and TCP syslog are off unless configured', async () => {
    const s = await startTestServer();
    try {
      expect(s.app.ports).to.not.have.any.keys('syslogUdp', 'syslogTcp', 'syslogTls');
    } finally {
      await s.stop();
    }
  });

  it('holds each source to its quota: over it syslog is dropped with a counted log line, FHIR answered 429', async () => {
    const s = await startWith({ syslog: { udp: { port: 0 }, tcp: { port: 0 } }, atna: { intakeQuota: { messages: 5, windowMs: 60_000 } } });
    try {
      const before = (await audits(s.app)).length;
      for (let i = 0; i < 20; i++) await sendSyslogDatagram(s.app.ports.syslogUdp!, syslogMessage(receivedAuditXml({ patients: [`Q${i}^^^HOSP_A`] })));
      await sendSyslogStream(s.app.ports.syslogTcp!, [octetCounted(syslogMessage(receivedAuditXml({ patients: ['TCP^^^HOSP_A'] })))]);
      // Read on a reader thread and committed in batches: on a busy machine that takes a while.
      for (let i = 0; i < 250 && (await audits(s.app)).filter((e) => e.origin !== 'self').length < 5; i++) await sleep(40);
      await sleep(300);
      const received = (await audits(s.app)).slice(before).filter((e) => e.origin !== 'self');
      expect(received, 'five from 127.0.0.1, over UDP and TCP together').to.have.length(5);
      const limited = await fhir(`http://127.0.0.1:${s.app.ports.http}/fhir/AuditEvent`, postJson(auditEvent('F1')));
      expect(limited.status).to.equal(429);
      expect(limited.body.issue[0].code).to.equal('throttled');
      expect(s.lines.filter((l) => l.event === 'atna.over-quota'), 'one line when the source went over').to.have.length(1);
    } finally {
      await s.stop();
    }
    expect(s.lines.find((l) => l.event === 'atna.over-quota-dropped')).to.include({ source: '127.0.0.1', count: 17 });
  });

  it('below store.minFreeBytes refuses new writes with each protocol’s error, stores nothing, audits once; writes resume after', async () => {
    let free = 10 * 1024 * 1024 * 1024;
    const s = await startWith({ syslog: { tcp: { port: 0 } }, store: { minFreeBytes: 1024 * 1024 * 1024, freeSpaceCheckMs: 50 } }, () => free);
    const c = new XdsClient(s.app.ports.http!);
    try {
      expect(field(await s.send(adt({ ids: [`G1^^^AFFINITY&1.3.6.1.4.1.21367.2005.3.7&ISO`], event: 'A01' })), 'MSA', 1)).to.equal('AA');
      const stored = await s.app.store.read((tx) => tx.identity.record('1.3.6.1.4.1.21367.2005.3.7', 'G1'));
      expect(stored).to.not.equal(undefined);
      const blobsBefore = blobFiles(s.dataDir).length;

      free = 100 * 1024 * 1024;
      for (let i = 0; i < 50 && !s.lines.some((l) => l.event === 'store.space-low'); i++) await sleep(20);
      const auditsBefore = (await audits(s.app)).length;

      const ack = await s.send(adt({ ids: [`G2^^^${HOSP_A}`] }));
      expect(field(ack, 'MSA', 1)).to.equal('AR');
      expect(field(ack, 'ERR', 3).split('^')[0]).to.equal('207');
      expect(field(ack, 'ERR', 8)).to.match(/Insufficient storage/);

      const attachments = [{ contentId: 'Document01@test', contentType: 'text/plain', data: Buffer.from('a document refused for want of space') }];
      const provided = await c.mtom(c.repositoryPath, ACTIONS.iti41, provideAndRegisterRequest({ patientId: pid('G1'), docs: [{ id: 'Document01' }] }, 'xop'), attachments);
      expect(errorCodes(provided.body)).to.deep.equal(['XDSRepositoryError']);
      expect(provided.xml).to.contain('insufficient storage');
      const registered = await c.register(submitObjectsRequest({ patientId: pid('G1'), docs: [{}] }));
      expect(errorCodes(registered.body)).to.deep.equal(['XDSRegistryError']);

      const created = await fhir(`http://127.0.0.1:${s.app.ports.http}/fhir/AuditEvent`, postJson(auditEvent('F2')));
      expect(created.status).to.equal(507);
      expect(created.body.issue[0].code).to.equal('transient');

      await sendSyslogStream(s.app.ports.syslogTcp!, [octetCounted(syslogMessage(receivedAuditXml({ patients: ['LOW^^^HOSP_A'] })))]);
      await sleep(200);

      // Nothing new but the audit trail of the refusals; what was stored is as it was.
      expect(await s.app.store.read((tx) => tx.identity.record(HOSP_A.split('&')[1] ?? '', 'G2'))).to.equal(undefined);
      expect(blobFiles(s.dataDir)).to.have.length(blobsBefore);
      const during = (await audits(s.app)).slice(auditsBefore);
      expect(during.filter((e) => e.origin !== 'self'), 'no received audit message stored').to.have.length(0);
      expect(await s.app.store.read((tx) => tx.identity.record('1.3.6.1.4.1.21367.2005.3.7', 'G1'))).to.deep.equal(stored);
      const alerts = (await audits(s.app)).filter((e) => e.eventId === '110113' && e.eventTypeCode === '110133');
      expect(alerts, 'one Security Alert: Audit Recording Stopped').to.have.length(1);
      expect(s.lines.filter((l) => l.event === 'store.space-low')).to.have.length(1);

      free = 10 * 1024 * 1024 * 1024;
      for (let i = 0; i < 50 && !s.lines.some((l) => l.event === 'store.space-recovered'); i++) await sleep(20);
      expect(field(await s.send(adt({ ids: [`G3^^^AFFINITY&1.3.6.1.4.1.21367.2005.3.7&ISO`], event: 'A01' })), 'MSA', 1)).to.equal('AA');
      expect((await audits(s.app)).filter((e) => e.eventTypeCode === '110134')).to.have.length(1);
    } finally {
      await s.stop();
    }
  });
});
