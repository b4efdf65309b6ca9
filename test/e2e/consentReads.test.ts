/**
 * Consent on the read paths over the real server (issue 14, part 4): one data folder, served first
 * to the operator (the default local identity, every facility), who feeds the patients, provides
 * their documents and records their consent; then to HOSP_B's consumer (access.local with one
 * facility) over real MLLP and HTTP sockets on loopback, who sees only what consent shares: a
 * withheld document answered as an unknown one (ITI-18, ITI-43), a patient not enrolled answered
 * as unknown (ITI-9) and never found (ITI-21); then to HOSP_B with break-glass (EMERGENCY in QPD-9)
 * where the patient is found and notified.
 */
import { expect } from 'chai';
import { emptyTerms } from '../../src/consent/model.ts';
import { PATIENT_NOTIFICATIONS_CHANNEL } from '../../src/consent/service.ts';
import { field, segments, startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { adt, pdqQuery, pixQuery } from '../helpers/messages.ts';
import { ACTIONS, affinityConfig, errorCodes, pid, registryResponseOf, retrievedDocuments, retrieveRequest, XdsClient, type Reply } from '../helpers/xds.ts';
import { provideAndRegisterRequest, type SubmissionSpec } from '../helpers/xdsMetadata.ts';
import { findDocuments, idsOf, QUERY, storedQuery } from '../helpers/xdsQuery.ts';

const REPO = '2.999.392.1.3';
const PSY: [string, string] = ['PSY', '1.2.392.999.9.1'];
const domains = [
  { namespace: 'HOSP_A', oid: '1.2.392.999.1' },
  { namespace: 'HOSP_B', oid: '1.2.392.999.2' },
];
const config = (local: Record<string, unknown> = {}) => ({
  ...affinityConfig(),
  identity: { ...affinityConfig().identity, domains },
  access: { local: { ...local }, hl7v2PurposeOfUse: 'QPD-9' },
});

describe('Consent on the read paths, two requesters over the real server (e2e)', function () {
  this.timeout(90_000);
  const dataDir = tempDir('hie-consent-reads-');
  let s: TestServer | undefined;
  const shared: SubmissionSpec = { patientId: pid('CR-1'), docs: [{ content: Buffer.from('shared note') }, { content: Buffer.from('psychiatry note'), classCode: PSY }] };
  const notEnrolled: SubmissionSpec = { patientId: pid('CR-2'), docs: [{ content: Buffer.from('not enrolled note') }] };
  const uuidOf = new Map<string, string>();

  before(async () => {
    // The operator: feeds, provides, records consent.
    s = await startTestServer(config(), dataDir);
    for (const [regional, local, name] of [
      ['CR-1', 'A-CR-1', 'KYODO^ICHIRO'],
      ['CR-2', 'A-CR-2', 'KYODO^JIRO'],
    ]) {
      const ack = await s.send(adt({ ids: [`${local}^^^HOSP_A&1.2.392.999.1&ISO`, `${regional}^^^AFFINITY&1.3.6.1.4.1.21367.2005.3.7&ISO`], name, event: 'A01' }));
      expect(field(ack, 'MSA', 1)).to.equal('AA');
    }
    const c = new XdsClient(s.app.ports.http!);
    for (const spec of [shared, notEnrolled]) {
      spec.docs.forEach((d, i) => (d.id = `Document${i + 1}`));
      const attachments = spec.docs.map((d) => ({ contentId: `${d.id}@test`, contentType: 'text/plain', data: d.content! }));
      const r = await c.mtom(c.repositoryPath, ACTIONS.iti41, provideAndRegisterRequest(spec, 'xop'), attachments);
      expect(errorCodes(registryResponseOf(r.body))).to.deep.equal([]);
    }
    const entries = await s.app.store.read((tx) => tx.registry.entriesByUniqueId('DocumentEntry', [...shared.docs, ...notEnrolled.docs].map((d) => d.uniqueId!)));
    for (const e of entries) uuidOf.set(e.uniqueId!, e.uuid);
    const person = (await s.app.store.read((tx) => tx.identity.personByRegionalId('CR-1')))!.id;
    const withheld = { ...emptyTerms().withheld, classCodes: [{ code: PSY[0], codingScheme: PSY[1] }] };
    await s.app.store.write((tx) => s!.app.consent.set(tx, person, { ...emptyTerms(), participation: 'opted-in', withheld }, { who: 'desk', source: { kind: 'desk' } }));
    await s.stop();
    s = undefined;
  });
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  const asHospB = async (breakGlass: string[] = []) => {
    s = await startTestServer(config({ name: 'hosp-b', facilities: ['HOSP_B'], roles: ['consumer'], breakGlass }), dataDir);
    return new XdsClient(s.app.ports.http!);
  };
  const uid = (spec: SubmissionSpec, i: number) => spec.docs[i].uniqueId!;
  const bodyOf = (r: Reply) => r.body;

  it('ITI-18: the shared document only; a patient not enrolled answered as an unknown one', async () => {
    const c = await asHospB();
    const found = await c.soap(c.registryPath, ACTIONS.iti18, findDocuments(pid('CR-1')));
    expect(idsOf(found)).to.deep.equal([uuidOf.get(uid(shared, 0))]);
    const text = found.xml;
    for (const s2 of [uid(shared, 1), uuidOf.get(uid(shared, 1))!]) expect(text).to.not.contain(s2);
    const hidden = await c.soap(c.registryPath, ACTIONS.iti18, findDocuments(pid('CR-2')));
    const unknown = await c.soap(c.registryPath, ACTIONS.iti18, findDocuments(pid('CR-404')));
    expect(bodyOf(hidden).attrs.status).to.equal(bodyOf(unknown).attrs.status).and.to.match(/Success$/);
    expect(idsOf(hidden)).to.deep.equal([]).and.to.deep.equal(idsOf(unknown));
    const byId = await c.soap(c.registryPath, ACTIONS.iti18, storedQuery(QUERY.GetDocuments, { $XDSDocumentEntryUniqueId: [uid(shared, 0), uid(shared, 1), uid(notEnrolled, 0)] }));
    expect(idsOf(byId)).to.deep.equal([uuidOf.get(uid(shared, 0))]);
  });

  it('ITI-43: a withheld document answered exactly as an unknown one', async () => {
    const c = await asHospB();
    const ok = await c.soap(c.repositoryPath, ACTIONS.iti43, retrieveRequest([{ repositoryUniqueId: REPO, documentUniqueId: uid(shared, 0) }]));
    expect(retrievedDocuments(ok).get(uid(shared, 0))!.toString()).to.equal('shared note');
    const withheld = await c.soap(c.repositoryPath, ACTIONS.iti43, retrieveRequest([{ repositoryUniqueId: REPO, documentUniqueId: uid(shared, 1) }]));
    const unknown = await c.soap(c.repositoryPath, ACTIONS.iti43, retrieveRequest([{ repositoryUniqueId: REPO, documentUniqueId: '1.2.392.999.404.1' }]));
    const norm = (r: Reply, u: string) => r.xml.replace(/urn:uuid:[0-9a-f-]+/g, 'ID').replace(/cid:[^"]+/g, 'cid').split(u).join('UID');
    expect(norm(withheld, uid(shared, 1))).to.equal(norm(unknown, '1.2.392.999.404.1'));
    expect(errorCodes(registryResponseOf(withheld.body))).to.deep.equal(['XDSDocumentUniqueIdError']);
    expect(retrievedDocuments(withheld).size).to.equal(0);
  });

  it('ITI-9 and ITI-21: a patient not enrolled is unknown to a facility without a record of them', async () => {
    await asHospB();
    const hidden = await s!.send(pixQuery({ key: 'A-CR-2^^^HOSP_A&1.2.392.999.1&ISO', tag: 'T1' }));
    const unknown = await s!.send(pixQuery({ key: 'A-CR-404^^^HOSP_A&1.2.392.999.1&ISO', tag: 'T1' }));
    expect(field(hidden, 'MSA', 1)).to.equal('AE');
    expect(segments(hidden, 'ERR')).to.deep.equal(segments(unknown, 'ERR'));
    expect(field(hidden, 'ERR', 2)).to.equal('QPD^1^3^1^1');
    expect(hidden).to.not.contain('AFFINITY');
    const shown = await s!.send(pixQuery({ key: 'A-CR-1^^^HOSP_A&1.2.392.999.1&ISO' }));
    expect(field(shown, 'MSA', 1)).to.equal('AA');
    const pdq = await s!.send(pdqQuery({ params: ['@PID.5.1^KYODO'] }));
    const pids = segments(pdq, 'PID').map((p) => p[3]);
    expect(pids).to.have.length(1);
    expect(pids[0]).to.contain('A-CR-1');
  });

  it('break-glass (EMERGENCY in QPD-9, allowed to the node): the patient is found and notified', async () => {
    await asHospB(['EMERGENCY']);
    const before = await s!.app.store.read((tx) => tx.outbox.pendingCount(PATIENT_NOTIFICATIONS_CHANNEL));
    const msg = pixQuery({ key: 'A-CR-2^^^HOSP_A&1.2.392.999.1&ISO' }).replace(/^(QPD\|[^\r]*)/m, (q) => `${q}|||||EMERGENCY`);
    const ack = await s!.send(msg);
    expect(field(ack, 'MSA', 1)).to.equal('AA');
    expect(await s!.app.store.read((tx) => tx.outbox.pendingCount(PATIENT_NOTIFICATIONS_CHANNEL))).to.equal(before + 1);
    const without = await s!.send(pixQuery({ key: 'A-CR-2^^^HOSP_A&1.2.392.999.1&ISO' }));
    expect(field(without, 'MSA', 1), 'no purpose of use, no break-glass').to.equal('AE');
  });

  it('disaster access (DISASTER in QPD-9 while a disaster is declared for HOSP_B): found, audited with its purpose, marked in the access report, notified; refused before and after', async () => {
    s = await startTestServer(config({ name: 'hosp-b', facilities: ['HOSP_B'], roles: ['consumer', 'auditor'], breakGlass: ['DISASTER'] }), dataDir);
    const key = 'A-CR-2^^^HOSP_A&1.2.392.999.1&ISO';
    const query = pixQuery({ key }).replace(/^(QPD\|[^\r]*)/m, (q) => `${q}|||||DISASTER`);
    const pending = () => s!.app.store.read((tx) => tx.outbox.pendingCount(PATIENT_NOTIFICATIONS_CHANNEL));
    expect(field(await s.send(query), 'MSA', 1), 'no disaster declared').to.equal('AE');
    const disaster = await s.app.store.write((tx) => s!.app.consent.declareDisaster(tx, { description: '地震', facilities: ['1.2.392.999.2'] }, 'operator'));
    const before = await pending();
    expect(field(await s.send(query), 'MSA', 1)).to.equal('AA');
    expect(await pending()).to.equal(before + 1);
    const res = await fetch(`http://127.0.0.1:${s.app.ports.http}/atna/patients/${encodeURIComponent(key)}/access-report`);
    expect(res.status).to.equal(200);
    const report = (await res.json()) as { entries: { emergency: boolean; purposeOfUse: { code: string }[]; transaction?: { code: string } }[] };
    const marked = report.entries.filter((e) => e.emergency && e.purposeOfUse.some((p) => p.code === 'DISASTER'));
    expect(marked.map((e) => e.transaction?.code)).to.deep.equal(['ITI-9']);
    await s.app.store.write((tx) => s!.app.consent.endDisaster(tx, disaster.id));
    expect(field(await s.send(query), 'MSA', 1), 'the disaster ended').to.equal('AE');
  });
});
