/**
 * MHD over the real server (issue 18), driven by fhir-kit-client over HTTP on loopback as the
 * default local identity (every facility, source and consumer): ITI-65 Provide Document Bundle, then
 * ITI-67, ITI-66 and ITI-68 finding and retrieving what was provided; the same registry seen from
 * both faces (an ITI-41 document through ITI-67, an ITI-65 document through ITI-18); every resource
 * answered validated against the FHIR R4 schema; bad input answered with an OperationOutcome and
 * leaving nothing behind; and the audit trail of each transaction.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { expect } from 'chai';
import { Client } from 'fhir-kit-client';
import type { Bundle, DocumentReference, List, OperationOutcome } from 'fhir/r4.js';
import { FhirSchemaValidator } from '../../src/fhir/schemaValidator.ts';
import type { TestServer } from '../helpers/hieServer.ts';
import { filesUnder, findNumbers, individualNumber } from '../helpers/individualNumbers.ts';
import { provideBundle, sha1Base64, type MhdBundleSpec } from '../helpers/mhd.ts';
import { ACTIONS, blobFiles, errorCodes, pid, registryResponseOf, startXdsServer, type XdsClient } from '../helpers/xds.ts';
import { provideAndRegisterRequest, type SubmissionSpec } from '../helpers/xdsMetadata.ts';
import { findDocuments, idsOf } from '../helpers/xdsQuery.ts';

const schema = new FhirSchemaValidator();
const valid = (r: { resourceType: string }) => expect(schema.validate(r, r.resourceType), `${r.resourceType} against the FHIR R4 schema`).to.deep.equal([]);

/** fhir-kit-client rejects a non-2xx answer with { response: { status, data } }. */
async function failure(p: Promise<unknown>): Promise<{ status: number; body: OperationOutcome }> {
  try {
    await p;
  } catch (e) {
    const x = e as { response?: { status: number; data?: OperationOutcome } };
    if (x.response?.data) {
      valid(x.response.data);
      expect(x.response.data.resourceType).to.equal('OperationOutcome');
      return { status: x.response.status, body: x.response.data };
    }
    throw e;
  }
  throw new Error('expected the request to fail');
}

describe('MHD: ITI-65, ITI-66, ITI-67, ITI-68 with fhir-kit-client (e2e)', function () {
  this.timeout(120_000);
  let s: TestServer;
  let xds: XdsClient;
  let fhir: Client;
  let base: string;
  const spec: MhdBundleSpec & { docs: { content: Buffer }[] } = { patient: 'MHD-1', docs: [{ content: Buffer.from('紹介状の本文'), authorFamily: '鈴木', period: { start: '2024-05-01', end: '2024-05-03' } }, { content: Buffer.from('second'), classCode: ['34133-9', '2.16.840.1.113883.6.1'] }], folder: true };
  let provided: Bundle;
  let response: Bundle;

  before(async () => {
    ({ s, c: xds } = await startXdsServer(['MHD-1', 'MHD-2']));
    base = `http://127.0.0.1:${s.app.ports.http}/fhir`;
    fhir = new Client({ baseUrl: base });
    provided = provideBundle(spec);
    response = (await fhir.transaction({ body: provided as never })) as unknown as Bundle;
  });
  after(async () => {
    await s?.stop();
  });

  const audits = () => s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }));
  const search = async (resourceType: string, searchParams: Record<string, string | string[]>) => {
    const b = (await fhir.search({ resourceType, searchParams: searchParams as never })) as unknown as Bundle;
    valid(b);
    expect(b.type).to.equal('searchset');
    for (const e of b.entry ?? []) valid(e.resource!);
    return b;
  };
  const docRefs = (b: Bundle) => (b.entry ?? []).map((e) => e.resource as DocumentReference);
  const uidOf = (d: DocumentReference) => d.masterIdentifier!.value!.replace(/^urn:oid:/, '');

  it('ITI-65: answers a transaction-response, one entry per request entry in order, 201 with locations', async () => {
    valid(response);
    expect(response.type).to.equal('transaction-response');
    expect(response.entry!.map((e) => e.response!.status)).to.deep.equal(provided.entry!.map(() => '201 Created'));
    const locations = response.entry!.map((e) => e.response!.location!);
    expect(locations.map((l) => l.split('/')[0])).to.deep.equal(['List', 'DocumentReference', 'Binary', 'DocumentReference', 'Binary', 'List']);
    // A Binary's location is its document's Retrieve Document [ITI-68] URL.
    expect(locations[2].split('/')[1]).to.equal(locations[1].split('/')[1]);
    const events = (await audits()).filter((a) => a.eventTypeCode === 'ITI-65');
    expect(events.map((e) => e.outcome)).to.deep.equal([0]);
    expect(events[0].xml).to.contain('110107').and.contain('AlternativeUserID="local"').and.contain(spec.submissionSetUniqueId!);
  });

  it('ITI-67: finds the documents by patient (reference or identifier) and status, mapped as MHD says', async () => {
    const b = await search('DocumentReference', { patient: 'Patient/MHD-1', status: 'current' });
    expect(b.total).to.equal(2);
    const byId = await search('DocumentReference', { 'patient.identifier': 'urn:oid:1.3.6.1.4.1.21367.2005.3.7|MHD-1', status: 'current,superseded' });
    expect(docRefs(byId).map((d) => d.id).sort()).to.deep.equal(docRefs(b).map((d) => d.id).sort());
    const first = docRefs(b).find((d) => d.content[0].attachment.title === '文書 1')!;
    expect(first.id).to.equal(response.entry![1].response!.location!.split('/')[1]);
    expect(first.status).to.equal('current');
    expect(first.subject!.reference).to.equal('Patient/MHD-1');
    expect(first.content[0].attachment).to.deep.include({ contentType: 'text/plain', size: spec.docs[0].content.length, hash: sha1Base64(spec.docs[0].content), url: `${base}/Binary/${first.id}`, creation: '2024-05-31T23:30:00Z' });
    expect(first.context!.period).to.deep.equal({ start: '2024-05-01', end: '2024-05-03' });
    expect(first.identifier!.find((i) => i.type!.coding![0].code === 'entryUUID')!.value).to.equal(`urn:uuid:${first.id}`);
    expect(await search('DocumentReference', { patient: 'Patient/MHD-2', status: 'current' })).to.deep.include({ total: 0 });
  });

  it('ITI-67: every mapped parameter narrows the search', async () => {
    const ids = async (p: Record<string, string | string[]>) => docRefs(await search('DocumentReference', { patient: 'Patient/MHD-1', status: 'current', ...p })).map((d) => d.content[0].attachment.title).sort();
    expect(await ids({ category: 'http://loinc.org|34133-9' })).to.deep.equal(['文書 2']);
    expect(await ids({ category: 'http://loinc.org|34133-9,http://loinc.org|11488-4' })).to.deep.equal(['文書 1', '文書 2']);
    expect(await ids({ 'author.family': '鈴' })).to.deep.equal(['文書 1']);
    expect(await ids({ 'author.family': '山田', 'author.given': '花' })).to.deep.equal(['文書 2']);
    expect(await ids({ type: 'http://loinc.org|57133-1', setting: 'http://snomed.info/sct|394802001', facility: 'http://snomed.info/sct|22232009' })).to.have.length(2);
    expect(await ids({ format: 'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode|urn:ihe:iti:xds:2017:mimeTypeSufficient' })).to.have.length(2);
    expect(await ids({ 'security-label': 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality|R' })).to.deep.equal([]);
    expect(await ids({ creation: ['ge2024-05-31', 'lt2024-06-01'] })).to.have.length(2);
    expect(await ids({ creation: 'lt2024-05-31' })).to.deep.equal([]);
    expect(await ids({ period: 'ge2024-05-02' })).to.deep.equal(['文書 1', '文書 2']); // 文書 2 has no service times: not judged by them
    expect(await ids({ period: 'ge2024-05-04' })).to.deep.equal(['文書 2']);
    expect(await ids({ status: 'superseded' })).to.deep.equal([]);
  });

  it('ITI-67: POST _search with a form, and paging with next links', async () => {
    const res = await fetch(`${base}/DocumentReference/_search`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'patient=Patient%2FMHD-1&status=current' });
    expect(res.status).to.equal(200);
    const b = (await res.json()) as unknown as Bundle;
    valid(b);
    expect(b.total).to.equal(2);
    const page1 = await search('DocumentReference', { patient: 'Patient/MHD-1', status: 'current', _count: '1' });
    expect(page1.entry).to.have.length(1);
    const page2 = (await fhir.nextPage({ bundle: page1 as never })) as unknown as Bundle;
    valid(page2);
    expect(page2.entry).to.have.length(1);
    expect(page2.entry![0].resource!.id).to.not.equal(page1.entry![0].resource!.id);
    expect(page2.link!.some((l) => l.relation === 'next')).to.equal(false);
  });

  it('ITI-66: finds the SubmissionSet and the Folder as Lists with their members; reads them', async () => {
    const sets = await search('List', { patient: 'Patient/MHD-1', status: 'current', code: 'submissionset' });
    expect(sets.total).to.equal(1);
    const ss = sets.entry![0].resource as List;
    expect(ss.id).to.equal(response.entry![0].response!.location!.split('/')[1]);
    expect(ss.identifier!.find((i) => i.type!.coding![0].code === 'uniqueId')!.value).to.equal(`urn:oid:${spec.submissionSetUniqueId}`);
    expect(ss.entry!.map((e) => e.item.reference!.split('/')[0]).sort()).to.deep.equal(['DocumentReference', 'DocumentReference', 'List']);
    const folders = await search('List', { patient: 'Patient/MHD-1', status: 'current', code: 'folder' });
    expect(folders.total).to.equal(1);
    expect((folders.entry![0].resource as List).entry).to.have.length(2);
    expect((await search('List', { patient: 'Patient/MHD-1', status: 'current', code: 'submissionset,folder' })).total).to.equal(2);
    expect((await search('List', { patient: 'Patient/MHD-1', status: 'current', code: 'submissionset', 'source.family': '山田' })).total).to.equal(1);
    expect((await search('List', { patient: 'Patient/MHD-1', status: 'current', code: 'submissionset', 'source.family': '佐藤' })).total).to.equal(0);
    expect((await search('List', { patient: 'Patient/MHD-1', status: 'current', code: 'submissionset', designationType: 'http://loinc.org|18748-4', sourceId: 'urn:oid:1.2.392.999.1', date: 'ge2020' })).total).to.equal(1);
    const read = (await fhir.read({ resourceType: 'List', id: ss.id! })) as unknown as List;
    valid(read);
    expect(read.entry).to.deep.equal(ss.entry);
    const doc = (await fhir.read({ resourceType: 'DocumentReference', id: ss.entry![0].item.reference!.split('/')[1] })) as unknown as DocumentReference;
    valid(doc);
  });

  it('ITI-68: the bytes with their Content-Type; the Binary for a FHIR client; 404, 406 as an OperationOutcome', async () => {
    const d = docRefs(await search('DocumentReference', { patient: 'Patient/MHD-1', status: 'current' })).find((x) => x.content[0].attachment.title === '文書 1')!;
    const res = await fetch(d.content[0].attachment.url!);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain/);
    expect(Buffer.from(await res.arrayBuffer()).equals(spec.docs[0].content)).to.equal(true);
    const binary = (await fhir.read({ resourceType: 'Binary', id: d.id! })) as { resourceType: string; contentType: string; data: string };
    valid(binary);
    expect(Buffer.from(binary.data, 'base64').equals(spec.docs[0].content)).to.equal(true);
    const unknown = await fetch(`${base}/Binary/${randomUUID()}`);
    expect(unknown.status).to.equal(404);
    expect(((await unknown.json()) as OperationOutcome).resourceType).to.equal('OperationOutcome');
    const png = await fetch(d.content[0].attachment.url!, { headers: { accept: 'image/png' } });
    expect(png.status).to.equal(406);
    const events = (await audits()).filter((a) => a.eventTypeCode === 'ITI-68');
    expect(events.map((e) => e.outcome)).to.include.members([0, 4]);
    expect(events.find((e) => e.outcome === 0)!.xml).to.contain('110106').and.contain(uidOf(d)).and.contain('AlternativeUserID="local"');
  });

  it('one registry: an ITI-41 document found through ITI-67, an ITI-65 document through ITI-18', async () => {
    const sub: SubmissionSpec = { patientId: pid('MHD-2'), docs: [{ id: 'Document01', content: Buffer.from('by ITI-41') }] };
    const r = await xds.mtom(xds.repositoryPath, ACTIONS.iti41, provideAndRegisterRequest(sub, 'xop'), [{ contentId: 'Document01@test', contentType: 'text/plain', data: sub.docs[0].content! }]);
    expect(errorCodes(registryResponseOf(r.body))).to.deep.equal([]);
    const found = docRefs(await search('DocumentReference', { patient: 'Patient/MHD-2', status: 'current' }));
    expect(found.map(uidOf)).to.deep.equal([sub.docs[0].uniqueId]);
    const bytes = await fetch(found[0].content[0].attachment.url!);
    expect(await bytes.text()).to.equal('by ITI-41');
    const q = await xds.soap(xds.registryPath, ACTIONS.iti18, findDocuments(pid('MHD-1')));
    const viaFhir = docRefs(await search('DocumentReference', { patient: 'Patient/MHD-1', status: 'current' })).map((d) => `urn:uuid:${d.id}`);
    expect(idsOf(q).sort()).to.deep.equal(viaFhir.sort());
  });

  it('audits each search as a Query naming the requester and the patient', async () => {
    const events = (await audits()).filter((a) => a.eventTypeCode === 'ITI-67' || a.eventTypeCode === 'ITI-66');
    expect(events.length).to.be.greaterThan(5);
    const e = events.find((x) => x.eventTypeCode === 'ITI-67' && x.outcome === 0)!;
    expect(e.xml).to.contain('110112').and.contain('AlternativeUserID="local"').and.contain(pid('MHD-1').replace(/&/g, '&amp;'));
  });

  it('ITI-65 updating a registered Folder (PUT List/{id}): the new documents become its members', async () => {
    const first = (await fhir.transaction({ body: provideBundle({ patient: 'MHD-2', docs: [{}], folder: true }) as never })) as unknown as Bundle;
    const folderId = first.entry![3].response!.location!.split('/')[1];
    const before = (await fhir.read({ resourceType: 'List', id: folderId })) as unknown as List;
    expect(before.entry).to.have.length(1);
    const b = provideBundle({ patient: 'MHD-2', docs: [{ content: Buffer.from('added to the folder') }] });
    const newDoc = b.entry![1].fullUrl!;
    b.entry!.push({ resource: { ...before, entry: [...before.entry!, { item: { reference: newDoc } }] } as never, request: { method: 'PUT', url: `List/${folderId}` } });
    const r = (await fhir.transaction({ body: b as never })) as unknown as Bundle;
    valid(r);
    expect(r.entry!.map((e) => e.response!.status)).to.deep.equal(['201 Created', '201 Created', '201 Created', '200 OK']);
    const after = (await fhir.read({ resourceType: 'List', id: folderId })) as unknown as List;
    valid(after);
    expect(after.entry!.map((e) => e.item.reference)).to.deep.equal([...before.entry!.map((e) => e.item.reference), r.entry![1].response!.location]);
    expect(after.date! >= before.date!).to.equal(true);
  });

  it('refuses an identifier of the individual-number domain in any MHD request, and keeps the number nowhere', async () => {
    const number = individualNumber('12345678901');
    const mn = `urn:oid:2.999.392.1.9|${number}`;
    const answers: Buffer[] = [];
    for (const url of [`DocumentReference?patient.identifier=${encodeURIComponent(mn)}&status=current`, `List?patient.identifier=${encodeURIComponent(mn)}&status=current&code=folder`]) {
      const res = await fetch(`${base}/${url}`);
      expect(res.status, url).to.equal(400);
      answers.push(Buffer.from(await res.arrayBuffer()));
    }
    const b = provideBundle({ patient: 'MHD-1', docs: [{}] }, undefined);
    for (const e of b.entry!) if ('subject' in e.resource!) (e.resource as { subject: unknown }).subject = { identifier: { system: 'urn:oid:2.999.392.1.9', value: number } };
    const res = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(b) });
    expect(res.status).to.be.within(400, 499);
    answers.push(Buffer.from(await res.arrayBuffer()));
    const sources: Record<string, Buffer> = Object.fromEntries(answers.map((a, i) => [`answer ${i}`, a]));
    for (const f of filesUnder(s.dataDir)) sources[f] = fs.readFileSync(f);
    expect(findNumbers(sources, [number])).to.deep.equal([]);
  });

  describe('bad input: an OperationOutcome, nothing stored', () => {
    const stored = async () => ({ blobs: blobFiles(s.dataDir).length, docs: (await search('DocumentReference', { patient: 'Patient/MHD-1', status: 'current,superseded' })).total });
    const provide = (b: unknown, type = 'application/fhir+json') => fetch(base, { method: 'POST', headers: { 'content-type': type }, body: typeof b === 'string' ? b : JSON.stringify(b) });
    const outcomeOf = async (res: Response) => {
      expect(res.headers.get('content-type')).to.match(/^application\/fhir\+json/);
      const o = (await res.json()) as OperationOutcome;
      valid(o);
      expect(o.resourceType).to.equal('OperationOutcome');
      return o;
    };

    it('ITI-65: not a transaction, wrong types, unknown patient, bad hash and size, wrong Content-Type', async () => {
      const before = await stored();
      const batch = { ...provideBundle({ patient: 'MHD-1', docs: [{}] }), type: 'batch' };
      const cases: [string, Promise<Response>, number, string?][] = [
        ['batch', provide(batch), 400],
        ['wrong type', provide({ ...provideBundle({ patient: 'MHD-1', docs: [{}] }), entry: [{ resource: { resourceType: 'DocumentReference', status: 7 }, request: { method: 'POST', url: 'DocumentReference' } }] }), 400],
        ['unknown patient', provide(provideBundle({ patient: 'NOBODY', docs: [{}] })), 422, 'XDSUnknownPatientId'],
        ['bad hash', provide(provideBundle({ patient: 'MHD-1', docs: [{ hash: sha1Base64(Buffer.from('other')) }] })), 422, 'XDSRepositoryMetadataError'],
        ['bad size', provide(provideBundle({ patient: 'MHD-1', docs: [{ size: 3 }] })), 422, 'XDSRepositoryMetadataError'],
        ['missing document', provide({ ...provideBundle({ patient: 'MHD-1', docs: [{}] }), entry: provideBundle({ patient: 'MHD-1', docs: [{}] }).entry!.filter((e) => e.resource!.resourceType !== 'Binary') }), 422, 'XDSMissingDocument'],
        ['Patient entry', provide({ ...batch, type: 'transaction', entry: [...batch.entry!, { resource: { resourceType: 'Patient' }, request: { method: 'POST', url: 'Patient' } }] }), 400],
        ['text/plain', provide(provideBundle({ patient: 'MHD-1', docs: [{}] }), 'text/plain'), 415],
        ['not JSON', provide('{"resourceType": "Bundle", ', 'application/fhir+json'), 400],
      ];
      for (const [name, p, status, code] of cases) {
        const res = await p;
        expect(res.status, name).to.equal(status);
        const o = await outcomeOf(res);
        if (code) expect(o.issue.map((i) => i.details?.coding?.[0]?.code), name).to.include(code);
      }
      expect(await stored()).to.deep.equal(before);
    });

    it('POST /fhir shared with ITI-20: an ITI-65 Bundle may exceed the 10 MB of an audit Bundle, which is still refused beyond it', async () => {
      const big = Buffer.alloc(9 * 1024 * 1024, 'x');
      const ok = await provide(provideBundle({ patient: 'MHD-2', docs: [{ content: big }] }));
      expect(ok.status).to.equal(200);
      const audit = { resourceType: 'Bundle', type: 'batch', entry: [{ resource: { resourceType: 'AuditEvent', text: { status: 'generated', div: `<div>${'x'.repeat(11 * 1024 * 1024)}</div>` } }, request: { method: 'POST', url: 'AuditEvent' } }] };
      const res = await provide(audit);
      expect(res.status).to.equal(413);
      await outcomeOf(res);
    });

    it('ITI-67 and ITI-66: unknown parameters (unless lenient), missing patient or status, bad tokens and dates, formats not served, other methods', async () => {
      const get = (q: string, headers: Record<string, string> = {}) => fetch(`${base}/${q}`, { headers });
      const cases: [string, Promise<Response>, number][] = [
        ['unknown', get('DocumentReference?patient=Patient/MHD-1&status=current&foo=1'), 400],
        ['no patient', get('DocumentReference?status=current'), 400],
        ['no status', get('DocumentReference?patient=Patient/MHD-1'), 400],
        ['token without system', get('DocumentReference?patient=Patient/MHD-1&status=current&category=11488-4'), 400],
        ['bad date', get('DocumentReference?patient=Patient/MHD-1&status=current&creation=yesterday'), 400],
        ['bad status', get('DocumentReference?patient=Patient/MHD-1&status=entered-in-error'), 400],
        ['turtle', get('DocumentReference?patient=Patient/MHD-1&status=current&_format=ttl'), 406],
        ['turtle accept', get('DocumentReference?patient=Patient/MHD-1&status=current', { accept: 'application/fhir+turtle' }), 406],
        ['no code', get('List?patient=Patient/MHD-1&status=current'), 400],
        ['bad code', get('List?patient=Patient/MHD-1&status=current&code=manifest'), 400],
        ['unknown list', get(`List/${randomUUID()}`), 404],
        ['unknown document', get(`DocumentReference/${randomUUID()}`), 404],
        ['delete', fetch(`${base}/DocumentReference/${randomUUID()}`, { method: 'DELETE' }), 405],
        ['create', fetch(`${base}/DocumentReference`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: '{}' }), 405],
      ];
      for (const [name, p, status] of cases) {
        const res = await p;
        expect(res.status, name).to.equal(status);
        await outcomeOf(res);
      }
      // The same through fhir-kit-client: a rejected search carries the OperationOutcome.
      const viaClient = await failure(fhir.search({ resourceType: 'DocumentReference', searchParams: { patient: 'Patient/MHD-1', status: 'current', foo: '1' } }));
      expect(viaClient.status).to.equal(400);
      expect(viaClient.body.issue[0]).to.include({ code: 'not-supported' });
      expect((await failure(fhir.transaction({ body: { ...provideBundle({ patient: 'NOBODY', docs: [{}] }) } as never }))).status).to.equal(422);
      const lenient = await get('DocumentReference?patient=Patient/MHD-1&status=current&foo=1', { prefer: 'handling=lenient' });
      expect(lenient.status).to.equal(200);
      const lb = (await lenient.json()) as Bundle;
      valid(lb);
      expect(lb.total).to.equal(2);
      const warning = lb.entry!.find((e) => e.search?.mode === 'outcome')!.resource as OperationOutcome;
      expect(warning.issue[0]).to.include({ severity: 'warning', code: 'not-supported' });
    });
  });

  it('ITI-65 replacing a document: RPLC, the old one superseded (and its bytes answered 410)', async () => {
    const old = docRefs(await search('DocumentReference', { patient: 'Patient/MHD-1', status: 'current' })).find((x) => x.content[0].attachment.title === '文書 2')!;
    const b = provideBundle({ patient: 'MHD-1', docs: [{ content: Buffer.from('version 2'), replaces: old.id }] });
    b.entry!.push({ resource: { resourceType: 'DocumentReference', ...{ status: 'superseded', content: old.content } } as never, request: { method: 'PUT', url: `DocumentReference/${old.id}` } });
    const r = (await fhir.transaction({ body: b as never })) as unknown as Bundle;
    valid(r);
    expect(r.entry!.map((e) => e.response!.status)).to.deep.equal(['201 Created', '201 Created', '201 Created', '200 OK']);
    const now = (await fhir.read({ resourceType: 'DocumentReference', id: old.id! })) as unknown as DocumentReference;
    expect(now.status).to.equal('superseded');
    const next = (await fhir.read({ resourceType: 'DocumentReference', id: r.entry![1].response!.location!.split('/')[1] })) as unknown as DocumentReference;
    expect(next.relatesTo).to.deep.equal([{ code: 'replaces', target: { reference: `DocumentReference/${old.id}` } }]);
    expect((await fetch(old.content[0].attachment.url!)).status).to.equal(410);
  });
});
