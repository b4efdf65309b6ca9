/**
 * The patient access report: one patient, known to two hospitals, by a token and a regional ID, one of
 * whose IDs was merged away. Accesses recorded by this server (ITI-8 feed, ITI-9 query) and reported by
 * others over syslog (an ITI-18 query by a clinic, an ITI-43 retrieval in emergency, an RFC 3881-style
 * message) all appear, under whichever identifier they name; another patient's do not; the token never
 * shows; the page prints; the command gives the same; each reading is audited.
 */
import { expect } from 'chai';
import { receivedAuditXml } from '../helpers/auditMessages.ts';
import { hie } from '../helpers/hieCommand.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { adt, HOSP_A, HOSP_B, pixQuery, REGION, TOKEN } from '../helpers/messages.ts';
import { octetCounted, sendSyslogStream, syslogMessage } from '../helpers/syslog.ts';

const HOSP_A_OID = '1.2.392.999.1';
const HOSP_B_OID = '1.2.392.999.2';
const TOKEN_VALUE = 'TOKEN-RPT-0001';

describe('ATNA patient access report', function () {
  this.timeout(60_000);
  let s: TestServer;
  let regionalId = '';
  let http = '';
  let stopped = false;

  before(async () => {
    s = await startTestServer({ syslog: { tcp: { port: 0 } } } as never);
    http = `http://127.0.0.1:${s.app.ports.http}`;
    await s.send(adt({ ids: [`RPT-A1^^^${HOSP_A}`, `${TOKEN_VALUE}^^^${TOKEN}`] }));
    await s.send(adt({ ids: [`RPT-B1^^^${HOSP_B}`, `${TOKEN_VALUE}^^^${TOKEN}`], sendingFacility: 'HOSP_B' }));
    await s.send(adt({ ids: [`RPT-A0^^^${HOSP_A}`], name: 'YAMADA^TARO^^^^^L' }));
    await s.send(adt({ event: 'A40', ids: [`RPT-A1^^^${HOSP_A}`], mrg: [`RPT-A0^^^${HOSP_A}`] }));
    await s.send(pixQuery({ key: `RPT-B1^^^${HOSP_B}` }));
    await s.send(adt({ ids: [`OTHER-1^^^${HOSP_A}`], name: 'SUZUKI^HANAKO^^^^^L' }));
    const person = await s.app.store.read(async (tx) => (await tx.identity.personByToken(TOKEN_VALUE))!);
    regionalId = person.regionalId;
    const rfc3881 = syslogMessage(
      receivedAuditXml({ patients: [`RPT-B1^^^&${HOSP_B_OID}&ISO`], user: 'HOSP_C|VIEWER', sourceId: 'OLD_SYSTEM', time: '2024-03-01T12:00:00Z' }).replace(/csd-code=/g, 'code='),
    );
    await sendSyslogStream(s.app.ports.syslogTcp!, [
      octetCounted(
        syslogMessage(
          receivedAuditXml({
            patients: [`${regionalId}^^^${REGION}`],
            eventType: { code: 'ITI-18', codeSystemName: 'IHE Transactions', originalText: 'Registry Stored Query' },
            user: 'CLINIC_X|EHR',
            userName: 'Dr. Kato',
            address: '10.3.3.3',
            sourceId: 'CLINIC_X_REGISTRY',
            time: '2024-03-02T12:00:00Z',
          }),
        ),
        syslogMessage(
          receivedAuditXml({
            patients: [`RPT-A0^^^HOSP_A&${HOSP_A_OID}&ISO`],
            eventId: { code: '110106', codeSystemName: 'DCM', originalText: 'Export' },
            eventType: { code: 'ITI-43', codeSystemName: 'IHE Transactions', originalText: 'Retrieve Document Set' },
            action: 'R',
            user: 'ER_HOSP|EHR',
            userName: 'Dr. Ito',
            purposeOfUse: [{ code: 'ETREAT', codeSystemName: '2.16.840.1.113883.1.11.20448', originalText: 'Emergency Treatment' }],
            time: '2024-03-03T12:00:00Z',
          }),
        ),
        syslogMessage(receivedAuditXml({ patients: [`${TOKEN_VALUE}^^^${TOKEN}`], user: 'NATIONAL|GATEWAY', time: '2024-03-04T12:00:00Z' })),
        syslogMessage(receivedAuditXml({ patients: [`OTHER-1^^^${HOSP_A}`], user: 'NOSY|APP', time: '2024-03-05T12:00:00Z' })),
        rfc3881,
      ),
    ]);
    await s.app.atna.ingest.flushed();
  });
  after(async () => {
    if (!stopped) await s?.stop();
  });

  const get = async (id: string, html = false) => {
    const res = await fetch(`${http}/atna/patients/${encodeURIComponent(id)}/access-report${html ? '.html' : ''}`);
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };

  it('lists every access, own and reported, under every identifier the patient was ever known by', async () => {
    const r = await get(`RPT-B1^^^${HOSP_B}`);
    expect(r.status).to.equal(200);
    const report = JSON.parse(r.text);
    const users = report.entries.map((e: { users: string[] }) => e.users.join(';'));
    expect(users).to.include.members(['Dr. Kato (CLINIC_X|EHR)', 'Dr. Ito (ER_HOSP|EHR)', 'NATIONAL|GATEWAY', 'HOSP_C|VIEWER']);
    expect(users.join(' ')).to.not.contain('NOSY');
    const kinds = report.entries.map((e: { kind: string; transaction?: { code: string } }) => `${e.kind} ${e.transaction?.code ?? ''}`);
    expect(kinds).to.include.members(['record created ITI-8', 'searched ITI-9', 'searched ITI-18', 'documents sent ITI-43']);
    expect(report.entries.filter((e: { transaction?: { code: string } }) => e.transaction?.code === 'ITI-8').length, 'both hospitals fed, and the merged ID').to.be.at.least(3);
    const times = report.entries.map((e: { time: string }) => e.time);
    expect([...times].sort().reverse(), 'newest first').to.deep.equal(times);
    expect(report.patient.identifiers).to.include.members([`RPT-A1^^^${HOSP_A}`, `RPT-B1^^^${HOSP_B}`, `RPT-A0^^^${HOSP_A}`, `${regionalId}^^^${REGION}`]);
  });

  it('marks emergency access, tells facilities apart, flags what it could not verify, and never shows the token', async () => {
    const report = JSON.parse((await get(`token:${TOKEN_VALUE}`)).text);
    const er = report.entries.find((e: { users: string[] }) => e.users.includes('Dr. Ito (ER_HOSP|EHR)'));
    expect(er).to.include({ emergency: true, facility: 'ER_HOSP', kind: 'documents sent', success: true, verified: true });
    expect(er.purposeOfUse).to.deep.equal([{ code: 'ETREAT', name: 'Emergency Treatment' }]);
    expect(report.summary.emergency).to.equal(1);
    expect(report.summary.facilities).to.include.members(['CLINIC_X', 'ER_HOSP', 'HOSP_A', 'HOSP_B', 'HOSP_C', 'NATIONAL']);
    const old = report.entries.find((e: { users: string[] }) => e.users.includes('HOSP_C|VIEWER'));
    expect(old.verified).to.equal(false);
    const national = report.entries.find((e: { users: string[] }) => e.users.includes('NATIONAL|GATEWAY'));
    expect(national.patientIdentifier).to.equal('(pseudonymous identifier)');
    expect(JSON.stringify(report)).to.not.contain(TOKEN_VALUE);
  });

  it('prints: an HTML page with print CSS, emergency marked in words', async () => {
    const r = await get(`urn:oid:${HOSP_A_OID}|RPT-A1`, true);
    expect(r.status).to.equal(200);
    expect(r.type).to.match(/^text\/html/);
    expect(r.text).to.match(/@media print/);
    expect(r.text).to.contain('緊急アクセス / Emergency access');
    expect(r.text).to.contain('Dr. Kato (CLINIC_X|EHR)');
    expect(r.text).to.not.contain(TOKEN_VALUE);
    expect(r.text).to.not.contain('NOSY');
    expect((r.text.match(/<tr class="emergency/g) ?? []).length).to.equal(1);
  });

  it('answers 404 for a patient nobody knows', async () => {
    expect((await get(`NOBODY^^^${HOSP_A}`)).status).to.equal(404);
    expect((await get('NOBODY', true)).status).to.equal(404);
  });

  it('audits each reading as Audit Log Used (110101) naming the patient', async () => {
    const used = await s.app.store.read((tx) => tx.audit.searchAudit({ sort: 'date', limit: 100, eventId: [['110101']] }));
    expect(used.length).to.be.at.least(3);
    expect(used[0].action).to.equal('R');
    expect(used[0].patientIds).to.include(`RPT-B1^^^${HOSP_B}`);
  });

  it('hie audit patient gives the same report from the data folder', async () => {
    await s.stop();
    stopped = true;
    const json = await hie(['audit', 'patient', `RPT-A1^^^${HOSP_A}`, '--format', 'json', '--data-dir', s.dataDir], '', { HIE_TOKEN_KEY: 'test-issuer-key-0123456789abcdef' });
    expect(json.code, json.stderr).to.equal(0);
    const report = JSON.parse(json.stdout);
    expect(report.summary.emergency).to.equal(1);
    expect(report.entries.map((e: { users: string[] }) => e.users.join(';'))).to.include('Dr. Kato (CLINIC_X|EHR)');
    const text = await hie(['audit', 'patient', `RPT-A1^^^${HOSP_A}`, '--data-dir', s.dataDir]);
    expect(text.code).to.equal(0);
    expect(text.stdout).to.match(/EMERGENCY\s+documents sent\s+ITI-43\s+facility=ER_HOSP/);
    const unknown = await hie(['audit', 'patient', 'NOBODY^^^HOSP_A', '--data-dir', s.dataDir]);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.match(/no patient is known/);
  });
});
