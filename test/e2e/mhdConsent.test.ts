/**
 * Consent and node roles on MHD over the real server (issue 18), as consentReads.test.ts does for the
 * SOAP side: one data folder, served first to the operator (every facility), who feeds the patients,
 * provides their documents by ITI-65 and records the consent; then to HOSP_B's consumer, for whom a
 * withheld class is absent from ITI-67 exactly as from ITI-18, a withheld document's bytes and
 * DocumentReference are answered as unknown ones, and a patient not enrolled as an unknown patient;
 * calls outside a node's roles are refused with 403 and audited as Security Alerts.
 */
import { expect } from 'chai';
import { Client } from 'fhir-kit-client';
import type { Bundle, DocumentReference, List, OperationOutcome } from 'fhir/r4.js';
import { emptyTerms } from '../../src/consent/model.ts';
import { FhirSchemaValidator } from '../../src/fhir/schemaValidator.ts';
import { field, startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { adt } from '../helpers/messages.ts';
import { provideBundle } from '../helpers/mhd.ts';
import { ACTIONS, affinityConfig, pid, XdsClient } from '../helpers/xds.ts';
import { findDocuments, idsOf } from '../helpers/xdsQuery.ts';

const PSY: [string, string] = ['PSY', '1.2.392.999.9.1'];
const domains = [
  { namespace: 'HOSP_A', oid: '1.2.392.999.1' },
  { namespace: 'HOSP_B', oid: '1.2.392.999.2' },
];
const config = (local: Record<string, unknown> = {}) => ({ ...affinityConfig(), identity: { ...affinityConfig().identity, domains }, access: { local } });
const schema = new FhirSchemaValidator();

describe('MHD under consent and node roles, two requesters over the real server (e2e)', function () {
  this.timeout(120_000);
  const dataDir = tempDir('hie-mhd-consent-');
  let s: TestServer | undefined;
  const ids: Record<string, string> = {};

  before(async () => {
    s = await startTestServer(config(), dataDir);
    for (const [regional, local] of [
      ['MC-1', 'A-MC-1'],
      ['MC-2', 'A-MC-2'],
    ]) {
      const ack = await s.send(adt({ ids: [`${local}^^^HOSP_A&1.2.392.999.1&ISO`, `${regional}^^^AFFINITY&1.3.6.1.4.1.21367.2005.3.7&ISO`], event: 'A01' }));
      expect(field(ack, 'MSA', 1)).to.equal('AA');
    }
    const client = new Client({ baseUrl: `http://127.0.0.1:${s.app.ports.http}/fhir` });
    const shared = (await client.transaction({ body: provideBundle({ patient: 'MC-1', docs: [{ content: Buffer.from('shared note') }, { content: Buffer.from('psychiatry note'), classCode: PSY }] }) as never })) as unknown as Bundle;
    ids.shared = shared.entry![1].response!.location!.split('/')[1];
    ids.withheld = shared.entry![3].response!.location!.split('/')[1];
    ids.set = shared.entry![0].response!.location!.split('/')[1];
    const other = (await client.transaction({ body: provideBundle({ patient: 'MC-2', docs: [{}] }) as never })) as unknown as Bundle;
    ids.notEnrolled = other.entry![1].response!.location!.split('/')[1];
    const person = (await s.app.store.read((tx) => tx.identity.personByRegionalId('MC-1')))!.id;
    const withheld = { ...emptyTerms().withheld, classCodes: [{ code: PSY[0], codingScheme: PSY[1] }] };
    await s.app.store.write((tx) => s!.app.consent.set(tx, person, { ...emptyTerms(), participation: 'opted-in', withheld }, { who: 'desk', source: { kind: 'desk' } }));
    await s.stop();
    s = undefined;
  });
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });

  const as = async (local: Record<string, unknown>) => {
    s = await startTestServer(config(local), dataDir);
    return { base: `http://127.0.0.1:${s.app.ports.http}/fhir`, xds: new XdsClient(s.app.ports.http!) };
  };
  const hospB = () => as({ name: 'hosp-b', facilities: ['HOSP_B'], roles: ['consumer'] });
  const get = async (url: string) => {
    const res = await fetch(url);
    const body = (await res.json()) as Bundle | OperationOutcome | DocumentReference | List;
    expect(schema.validate(body, body.resourceType)).to.deep.equal([]);
    return { status: res.status, body };
  };
  const audits = () => s!.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }));

  it('ITI-67 shows HOSP_B the shared document only, the same entries ITI-18 shows', async () => {
    const { base, xds } = await hospB();
    const found = (await get(`${base}/DocumentReference?patient=Patient/MC-1&status=current`)).body as Bundle;
    expect(found.total).to.equal(1);
    expect(found.entry!.map((e) => e.resource!.id)).to.deep.equal([ids.shared]);
    expect(JSON.stringify(found)).to.not.contain(ids.withheld).and.not.contain('psychiatry');
    const soap = await xds.soap(xds.registryPath, ACTIONS.iti18, findDocuments(pid('MC-1')));
    expect(idsOf(soap)).to.deep.equal([`urn:uuid:${ids.shared}`]);
    // The SubmissionSet holds both; HOSP_B sees one member.
    const lists = (await get(`${base}/List?patient=Patient/MC-1&status=current&code=submissionset`)).body as Bundle;
    expect((lists.entry![0].resource as List).entry!.map((e) => e.item.reference)).to.deep.equal([`DocumentReference/${ids.shared}`]);
  });

  it('a withheld document is answered as an unknown one: its DocumentReference and its bytes (ITI-68)', async () => {
    const { base } = await hospB();
    const unknownId = '00000000-0000-4000-8000-000000000000';
    for (const kind of ['DocumentReference', 'Binary']) {
      const hidden = await get(`${base}/${kind}/${ids.withheld}`);
      const unknown = await get(`${base}/${kind}/${unknownId}`);
      expect(hidden.status, kind).to.equal(404);
      expect(JSON.stringify(hidden.body).split(ids.withheld).join('ID')).to.equal(JSON.stringify(unknown.body).split(unknownId).join('ID'));
    }
    expect((await fetch(`${base}/Binary/${ids.shared}`)).status).to.equal(200);
  });

  it('a patient not enrolled is searched as an unknown patient: an empty Bundle', async () => {
    const { base } = await hospB();
    const hidden = (await get(`${base}/DocumentReference?patient=Patient/MC-2&status=current`)).body as Bundle;
    const unknown = (await get(`${base}/DocumentReference?patient=Patient/MC-404&status=current`)).body as Bundle;
    expect(hidden.total).to.equal(0).and.to.equal(unknown.total);
    expect((await get(`${base}/Binary/${ids.notEnrolled}`)).status).to.equal(404);
  });

  it('refuses calls outside the node\'s roles with 403, audited as a Security Alert and the transaction\'s failure', async () => {
    const { base } = await hospB();
    const before = (await audits()).length;
    const res = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(provideBundle({ patient: 'MC-1', docs: [{}] })) });
    expect(res.status).to.equal(403);
    expect(((await res.json()) as OperationOutcome).issue[0].code).to.equal('forbidden');
    const events = (await audits()).slice(before);
    expect(events.find((e) => e.eventId === '110113')!.xml).to.contain('ITI-65').and.contain('AlternativeUserID="hosp-b"');
    expect(events.find((e) => e.eventTypeCode === 'ITI-65')?.outcome).to.equal(4);
    await s!.stop();
    s = undefined;
    const source = await as({ name: 'source-only', roles: ['source'] });
    const n = (await audits()).length;
    for (const url of [`${source.base}/DocumentReference?patient=Patient/MC-1&status=current`, `${source.base}/List?patient=Patient/MC-1&status=current&code=folder`, `${source.base}/Binary/${ids.shared}`]) {
      const r = await get(url);
      expect(r.status, url).to.equal(403);
    }
    const refused = (await audits()).slice(n);
    expect(refused.filter((e) => e.eventId === '110113')).to.have.length(3);
    expect(refused.filter((e) => ['ITI-66', 'ITI-67', 'ITI-68'].includes(e.eventTypeCode ?? '')).map((e) => e.outcome)).to.deep.equal([4, 4, 4]);
  });
});
