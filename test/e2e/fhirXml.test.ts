/**
 * FHIR XML on every FHIR face of the real server (FHIR R4 xml.html, http.html#mime-type): asked for by
 * `_format` and by Accept, answered `application/fhir+xml; charset=utf-8` for resources, Bundles,
 * Parameters, the CapabilityStatement and every OperationOutcome (404, 405, 415, 400, 401 of IUA);
 * accepted as a request body where JSON is (PIXm $ihe-pix, ITI-65, ITI-20), the handler seeing the
 * same resource; a format not served 406; bad XML and an XXE attempt 400. fhir-kit-client parses
 * every answer as JSON, so XML is driven with fetch; the JSON answers it compares with come from
 * fhir-kit-client. Every XML answer is read back and validated against the FHIR R4 JSON schema.
 */
import { expect } from 'chai';
import type { AuditEvent, Bundle, CapabilityStatement, DocumentReference, OperationOutcome, Parameters } from 'fhir/r4.js';
import { parseFhirXml } from '../../src/fhir/xml/parse.ts';
import { fhirXml } from '../../src/fhir/xml/serialize.ts';
import { fhirClient, valid } from '../helpers/fhirClient.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { testIssuer } from '../helpers/iuaTokens.ts';
import { provideBundle, type MhdBundleSpec } from '../helpers/mhd.ts';
import { NIST_AFFINITY, startXdsServer } from '../helpers/xds.ts';

const XML = 'application/fhir+xml; charset=utf-8';

interface XmlAnswer<T> {
  status: number;
  headers: Headers;
  resource: T;
  text: string;
}

/** An answer that must be FHIR XML: read back into JSON and validated against the R4 schema. */
async function xmlAnswer<T>(p: Promise<Response>): Promise<XmlAnswer<T>> {
  const res = await p;
  const text = await res.text();
  expect(res.headers.get('content-type'), text.slice(0, 300)).to.equal(XML);
  expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).to.equal(true);
  const resource = valid(parseFhirXml(text, 100)) as T;
  return { status: res.status, headers: res.headers, resource, text };
}

/** Drops what differs between two answers to the same question asked twice (Bundle id, self link with its _format). */
const entriesOf = (b: Bundle) => (b.entry ?? []).map((e) => e.resource);

describe('FHIR XML on the FHIR faces (e2e)', function () {
  this.timeout(120_000);
  let s: TestServer;
  let base: string;
  const spec: MhdBundleSpec = { patient: 'XML-1', docs: [{ content: Buffer.from('XMLで送った紹介状') }], folder: true };

  before(async () => {
    ({ s } = await startXdsServer(['XML-1']));
    base = `http://127.0.0.1:${s.app.ports.http}/fhir`;
    valid({ resourceType: 'Bundle', type: 'searchset' });
  });
  after(() => s?.stop());

  const get = <T>(path: string, headers: Record<string, string> = {}) => xmlAnswer<T>(fetch(`${base}${path}`, { headers }));
  const postXml = <T>(path: string, body: string, headers: Record<string, string> = {}) =>
    xmlAnswer<T>(fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/fhir+xml', accept: 'application/fhir+xml', ...headers }, body }));

  it('GET /metadata in XML by _format and by Accept, listing both formats; _format wins over Accept; 406 for a format not served', async () => {
    for (const a of [await get<CapabilityStatement>('/metadata?_format=xml'), await get<CapabilityStatement>('/metadata', { accept: 'application/fhir+xml' }), await get<CapabilityStatement>('/metadata?_format=application/fhir%2Bxml', { accept: 'application/fhir+json' })]) {
      expect(a.status).to.equal(200);
      expect(a.resource.format).to.include.members(['application/fhir+json', 'application/fhir+xml']);
      expect(a.headers.get('vary')).to.match(/Accept/i);
    }
    const json = await fetch(`${base}/metadata?_format=json`, { headers: { accept: 'application/fhir+xml' } });
    expect(json.headers.get('content-type')).to.match(/^application\/fhir\+json/);
    for (const [path, headers] of [['/metadata?_format=ttl', {}], ['/metadata', { accept: 'text/turtle' }], ['/Patient?family=x&_format=html', {}]] as const) {
      const res = await fetch(`${base}${path}`, { headers });
      expect(res.status, path).to.equal(406);
      expect(res.headers.get('content-type')).to.match(/^application\/fhir\+json/);
      const outcome = valid((await res.json()) as OperationOutcome);
      expect(outcome.issue[0].code).to.equal('not-supported');
    }
  });

  it('PDQm ITI-78 search and read in XML answer what the JSON answers', async () => {
    const params = `identifier=${encodeURIComponent(`urn:oid:${NIST_AFFINITY}|XML-1`)}`;
    const json = valid((await fhirClient(base).search({ resourceType: 'Patient', searchParams: { identifier: `urn:oid:${NIST_AFFINITY}|XML-1` } })) as unknown as Bundle);
    expect(json.entry).to.have.length(1);
    const byFormat = await get<Bundle>(`/Patient?${params}&_format=xml`);
    const byAccept = await get<Bundle>(`/Patient?${params}`, { accept: 'application/fhir+xml' });
    for (const b of [byFormat.resource, byAccept.resource]) {
      expect(b.type).to.equal('searchset');
      expect(entriesOf(b)).to.deep.equal(entriesOf(json));
    }
    const id = json.entry![0].resource!.id!;
    const read = await get(`/Patient/${id}`, { accept: 'application/fhir+xml' });
    expect(read.resource).to.deep.equal(await fhirClient(base).read({ resourceType: 'Patient', id }));
    // A primitive's value attribute, as xml.html writes it.
    expect(read.text).to.contain(`<Patient xmlns="http://hl7.org/fhir"><id value="${id}"/>`);
  });

  it('PIXm ITI-83: GET in XML; a Parameters posted as FHIR XML answers as the JSON one; its own _format parameter asks for XML', async () => {
    const source = `urn:oid:${NIST_AFFINITY}|XML-1`;
    const input: Parameters = { resourceType: 'Parameters', parameter: [{ name: 'sourceIdentifier', valueString: source }] };
    const json = valid((await fhirClient(base).operation({ name: '$ihe-pix', resourceType: 'Patient', input: input as never })) as unknown as Parameters);
    const byGet = await get<Parameters>(`/Patient/$ihe-pix?sourceIdentifier=${encodeURIComponent(source)}&_format=xml`);
    expect(byGet.resource).to.deep.equal(json);
    const posted = await postXml<Parameters>('/Patient/$ihe-pix', fhirXml(input));
    expect([posted.status, posted.resource]).to.deep.equal([200, json]);
    // The IHE example's way: `_format` inside the Parameters, no Accept.
    const asked = { ...input, parameter: [...input.parameter!, { name: '_format', valueString: 'application/fhir+xml' }] };
    const own = await xmlAnswer<Parameters>(fetch(`${base}/Patient/$ihe-pix`, { method: 'POST', headers: { 'content-type': 'application/fhir+xml' }, body: fhirXml(asked) }));
    expect(own.resource).to.deep.equal(json);
  });

  it('MHD: ITI-65 posted as FHIR XML is registered; ITI-67 and ITI-66 in XML; ITI-68 bytes as they are, the Binary in XML for application/fhir+xml', async () => {
    const provided = provideBundle(spec);
    const answer = await postXml<Bundle>('', fhirXml(provided));
    expect(answer.status, answer.text.slice(0, 500)).to.equal(200);
    expect(answer.resource.type).to.equal('transaction-response');
    expect(answer.resource.entry!.map((e) => e.response!.status)).to.deep.equal(provided.entry!.map(() => '201 Created'));

    const refs = await get<Bundle>('/DocumentReference?patient=Patient/XML-1&status=current&_format=xml');
    expect(refs.resource.entry).to.have.length(1);
    const doc = refs.resource.entry![0].resource as DocumentReference;
    const lists = await get<Bundle>('/List?patient=Patient/XML-1&status=current&code=submissionset,folder', { accept: 'application/fhir+xml' });
    expect(lists.resource.total).to.equal(2);

    const url = doc.content[0].attachment.url!;
    // binary.html: the document in its own type unless a FHIR type is asked for; _format plays no part.
    const bytes = await fetch(`${url}?_format=xml`);
    expect(bytes.status).to.equal(200);
    expect(bytes.headers.get('content-type')).to.match(/^text\/plain/);
    expect(Buffer.from(await bytes.arrayBuffer()).equals(spec.docs[0].content!)).to.equal(true);
    const binary = await xmlAnswer<{ resourceType: 'Binary'; contentType: string; data: string }>(fetch(url, { headers: { accept: 'application/fhir+xml' } }));
    expect(binary.resource.resourceType).to.equal('Binary');
    expect(Buffer.from(binary.resource.data, 'base64').equals(spec.docs[0].content!)).to.equal(true);
  });

  it('ATNA: an AuditEvent posted as FHIR XML is stored as a JSON one; ITI-81 in XML', async () => {
    const event: AuditEvent = {
      resourceType: 'AuditEvent',
      type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110112', display: 'Query' },
      subtype: [{ system: 'urn:ihe:event-type-code', code: 'ITI-67', display: 'Find Document References' }],
      action: 'E',
      recorded: '2024-05-01T10:00:00+09:00',
      outcome: '0',
      agent: [{ type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110153' }] }, who: { identifier: { value: 'xml-app' } }, requestor: true, network: { address: '10.7.7.8', type: '2' } }],
      source: { observer: { display: 'XML_CONSUMER' } },
      entity: [{ what: { identifier: { system: 'urn:oid:1.2.392.100.1', value: 'XML-AUDIT-1' } }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1' }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' } }],
    };
    const created = await postXml<AuditEvent>('/AuditEvent', fhirXml(event));
    expect(created.status).to.equal(201);
    expect(created.headers.get('location')).to.match(/\/AuditEvent\/\d+\/_history\/1$/);
    const { id, meta, ...sent } = created.resource;
    expect([id, meta?.versionId]).to.not.include(undefined);
    expect(sent).to.deep.equal(event);
    const found = await get<Bundle>(`/AuditEvent?patient.identifier=${encodeURIComponent('urn:oid:1.2.392.100.1|XML-AUDIT-1')}&_format=xml`);
    expect(found.status, found.text.slice(0, 300)).to.equal(200);
    expect(found.resource.entry?.map((e) => (e.resource as AuditEvent).source.observer.display)).to.deep.equal(['XML_CONSUMER']);
  });

  it('answers every refusal as an OperationOutcome in XML when XML is asked for: 404, 405 with Allow, 415, 413, bad XML, XXE', async () => {
    const accept = { accept: 'application/fhir+xml' };
    const notFound = await get<OperationOutcome>('/Observation?_format=xml');
    expect([notFound.status, notFound.resource.issue[0].code]).to.deep.equal([404, 'not-found']);
    const method = await xmlAnswer<OperationOutcome>(fetch(`${base}/Patient/abc`, { method: 'DELETE', headers: accept }));
    expect([method.status, method.headers.get('allow')]).to.deep.equal([405, 'GET']);
    const type = await xmlAnswer<OperationOutcome>(fetch(`${base}/Patient/$ihe-pix`, { method: 'POST', headers: { ...accept, 'content-type': 'text/plain' }, body: 'x' }));
    expect([type.status, type.resource.issue[0].code]).to.deep.equal([415, 'not-supported']);
    const big = await postXml<OperationOutcome>('/Patient/$ihe-pix', fhirXml({ resourceType: 'Parameters', parameter: [{ name: 'x', valueString: 'x'.repeat(2_000_000) }] }));
    expect(big.status).to.equal(413);
    const broken = await postXml<OperationOutcome>('/Patient/$ihe-pix', '<Parameters xmlns="http://hl7.org/fhir"><parameter>');
    expect([broken.status, broken.resource.issue[0].code]).to.deep.equal([400, 'structure']);
    const unknown = await postXml<OperationOutcome>('/Patient/$ihe-pix', '<Parameters xmlns="http://hl7.org/fhir"><colour value="red"/></Parameters>');
    expect(unknown.status).to.equal(400);
    expect(unknown.resource.issue[0].diagnostics).to.contain('Parameters.colour');
    const deep = await postXml<OperationOutcome>('/Patient/$ihe-pix', `<Parameters xmlns="http://hl7.org/fhir">${'<extension url="u">'.repeat(150)}${'</extension>'.repeat(150)}</Parameters>`);
    expect(deep.status).to.equal(400);
    const xxe = await postXml<OperationOutcome>(
      '/Patient/$ihe-pix',
      '<?xml version="1.0"?><!DOCTYPE Parameters [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Parameters xmlns="http://hl7.org/fhir"><parameter><name value="sourceIdentifier"/><valueString value="&xxe;"/></parameter></Parameters>',
    );
    expect([xxe.status, xxe.resource.issue[0].code]).to.deep.equal([400, 'structure']);
    expect(xxe.resource.issue[0].diagnostics).to.match(/DOCTYPE/);
    expect(xxe.text).to.not.contain('root:');
    const atna = await postXml<OperationOutcome>('/AuditEvent', '<AuditEvent xmlns="http://hl7.org/fhir"><action value="E"/><type/></AuditEvent>');
    expect([atna.status, atna.resource.issue[0].diagnostics]).to.deep.equal([400, 'the body is not FHIR XML: AuditEvent.type is out of order: FHIR XML elements follow the definition\'s order (xml.html), and type comes before action']);
  });

  it('answers IUA\'s 401 in XML, with its challenge', async () => {
    const idp = await testIssuer();
    const guarded = await startTestServer({ iua: { issuers: [idp.config] } } as never);
    try {
      const res = await xmlAnswer<OperationOutcome>(fetch(`http://127.0.0.1:${guarded.app.ports.http}/fhir/Patient?family=x&_format=xml`));
      expect([res.status, res.resource.issue[0].code]).to.deep.equal([401, 'login']);
      expect(res.headers.get('www-authenticate')).to.match(/^Bearer realm=/);
    } finally {
      await guarded.stop();
    }
  });
});
