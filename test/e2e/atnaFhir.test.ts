/**
 * ITI-81 Retrieve ATNA Audit Event and the FHIR form of ITI-20, end to end: DICOM messages received
 * over syslog, this server's own events and AuditEvents posted in FHIR form, searched together by every
 * parameter, mapped DICOM -> FHIR as the RESTful ATNA profile says, paged; errors as OperationOutcome;
 * every answer valid against the FHIR R4 JSON schema.
 */
import { expect } from 'chai';
import type { AuditEvent, Bundle } from 'fhir/r4.js';
import { receivedAuditXml } from '../helpers/auditMessages.ts';
import { fhir, postJson } from '../helpers/fhir.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { adt, HOSP_A } from '../helpers/messages.ts';
import { octetCounted, sendSyslogStream, syslogMessage } from '../helpers/syslog.ts';
import fs from 'node:fs';
import path from 'node:path';
import { conformanceDir } from '../helpers/conformance.ts';

const OID = '1.2.392.100.1';

const fhirAuditEvent = (patient: string, over: Partial<AuditEvent> = {}): AuditEvent => ({
  resourceType: 'AuditEvent',
  type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110112', display: 'Query' },
  subtype: [{ system: 'urn:ihe:event-type-code', code: 'ITI-67', display: 'Find Document References' }],
  action: 'E',
  recorded: '2024-05-01T10:00:00+09:00',
  outcome: '0',
  agent: [
    { type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110153' }] }, who: { identifier: { value: 'mobile-app' } }, requestor: true, network: { address: '10.7.7.7', type: '2' } },
  ],
  source: { observer: { display: 'MHD_CONSUMER' } },
  entity: [
    {
      what: { identifier: { system: `urn:oid:${OID}`, value: patient } },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' },
    },
  ],
  ...over,
});

describe('ATNA ITI-81 RESTful query and the FHIR form of ITI-20', function () {
  this.timeout(60_000);
  let s: TestServer;
  let base: string;

  before(async () => {
    s = await startTestServer({ syslog: { tcp: { port: 0 } }, atna: { pageSize: 50 } } as never);
    base = `http://127.0.0.1:${s.app.ports.http}/fhir`;
    const msgs = [
      receivedAuditXml({ patients: [`Q1^^^HOSP_A&${OID}&ISO`], time: '2024-04-01T09:00:00+09:00', user: 'HOSP_A|EHR', userName: '佐藤 花子', address: '10.1.1.1', sourceId: 'EHR_A' }),
      receivedAuditXml({ patients: [`Q1^^^&${OID}&ISO`], time: '2024-04-02T09:00:00+09:00', user: 'HOSP_B|PORTAL', address: '10.2.2.2', sourceId: 'PORTAL_B', outcome: 4 }),
      receivedAuditXml({
        patients: [`Q2^^^HOSP_A&${OID}&ISO`],
        time: '2024-04-03T09:00:00+09:00',
        eventId: { code: '110110', codeSystemName: 'DCM', originalText: 'Patient Record' },
        eventType: { code: 'ITI-8', codeSystemName: 'IHE Transactions', originalText: 'Patient Identity Feed' },
        action: 'C',
        address: '10.1.1.1',
        purposeOfUse: [{ code: 'ETREAT', codeSystemName: '2.16.840.1.113883.1.11.20448', originalText: 'Emergency Treatment' }],
      }),
    ];
    const rfc3881 = fs.readFileSync(path.join(conformanceDir(), 'atna', 'openhim_syslog_ITI-9_RFC3881.txt'));
    await sendSyslogStream(s.app.ports.syslogTcp!, [octetCounted(...msgs.map((m) => syslogMessage(m)), rfc3881)]);
    await s.app.atna.ingest.flushed();
    await s.send(adt({ ids: [`OWN1^^^${HOSP_A}`] }));
  });
  after(async () => {
    await s?.stop();
  });

  const search = async (query: string): Promise<Bundle> => {
    const a = await fhir(`${base}/AuditEvent?${query}`);
    expect(a.status, query).to.equal(200);
    expect(a.body).to.include({ resourceType: 'Bundle', type: 'searchset' });
    return a.body;
  };
  const patientsIn = (b: Bundle) =>
    (b.entry ?? []).flatMap((e) => ((e.resource as AuditEvent).entity ?? []).filter((en) => en.role?.code === '1').map((en) => en.what?.identifier?.value));

  it('maps a DICOM message to an AuditEvent as the DICOM mapping says', async () => {
    const b = await search(`patient.identifier=urn:oid:${OID}|Q2`);
    expect(b.total).to.equal(1);
    const e = b.entry![0].resource as AuditEvent;
    expect(e.type).to.deep.equal({ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110', display: 'Patient Record' });
    expect(e.subtype).to.deep.equal([{ system: 'urn:ihe:event-type-code', code: 'ITI-8', display: 'Patient Identity Feed' }]);
    expect(e).to.include({ action: 'C', recorded: '2024-04-03T00:00:00.000Z', outcome: '0' });
    expect(e.purposeOfEvent![0].coding![0]).to.deep.equal({ system: 'urn:oid:2.16.840.1.113883.1.11.20448', code: 'ETREAT', display: 'Emergency Treatment' });
    const source = e.agent.find((a) => a.requestor)!;
    expect(source.who!.identifier!.value).to.equal('HOSP_A|EHR');
    expect(source.type!.coding![0]).to.include({ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110153' });
    expect(source.network).to.deep.equal({ address: '10.1.1.1', type: '2' });
    expect(e.source.observer!.identifier!.value).to.equal('EHR_A');
    expect(e.source.site).to.equal('HOSP_A');
    expect(e.source.type![0]).to.include({ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4' });
    const patient = e.entity![0];
    expect(patient.what!.identifier).to.deep.include({ system: `urn:oid:${OID}`, value: 'Q2' });
    expect(patient.what!.display).to.equal(`Q2^^^HOSP_A&${OID}&ISO`);
    expect(patient.type).to.deep.equal({ system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1' });
    expect(patient.role).to.deep.equal({ system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' });
  });

  it('finds events by each search parameter, own and received together', async () => {
    expect(patientsIn(await search(`patient.identifier=urn:oid:${OID}|Q1`)).sort(), 'either CX spelling').to.deep.equal(['Q1', 'Q1']);
    expect((await search('patient.identifier=HOSP_A|OWN1')).total, 'own ITI-8 event, by namespace').to.equal(1);
    expect((await search('date=ge2024-04-02&date=le2024-04-02T23:59:59%2B09:00')).total).to.equal(1);
    expect((await search('date=2024-04')).total).to.equal(3);
    expect((await search('date=lt2024-04-01T00:00:00Z')).total, 'nothing before (the RFC 3881 sample is of 2015)').to.equal(1);
    expect((await search('address=10.1.1.1')).total).to.equal(2);
    expect((await search('agent-name=佐藤 花子')).total).to.equal(1);
    expect((await search('agent-name=HOSP_B|PORTAL')).total).to.equal(1);
    expect((await search('outcome=4')).total).to.equal(1);
    expect((await search('outcome=4,0&address=10.2.2.2')).total).to.equal(1);
    expect((await search('type=http://dicom.nema.org/resources/ontology/DCM|110110&subtype=ITI-8')).total, 'the own ITI-8 event and the received one').to.equal(2);
    expect((await search('subtype=urn:ihe:event-type-code|ITI-8&source=EHR_A')).total).to.equal(1);
    expect((await search('entity-type=2&entity-role=24&subtype=ITI-9')).total, 'the RFC 3881 sample has a query object').to.equal(1);
    expect((await search('entity-type=1&entity-role=1&source=PORTAL_B')).total).to.equal(1);
    expect((await search('type=110100')).total, 'Application Start').to.equal(1);
  });

  it('returns a message kept although invalid, flagged of uncertain reliability', async () => {
    const b = await search('source=openhim');
    expect(b.total).to.equal(1);
    const e = b.entry![0].resource as AuditEvent;
    expect(e.meta!.security![0]).to.include({ code: 'UNCERTREL' });
    expect(e.type.code).to.equal('110112');
  });

  it('pages with next links, in either date order, each event once', async () => {
    const all = await search('_count=1000&_sort=date');
    const ids = (all.entry ?? []).map((e) => e.resource!.id);
    expect(ids.length).to.be.greaterThan(5);
    const times = (all.entry ?? []).map((e) => (e.resource as AuditEvent).recorded);
    expect([...times].sort()).to.deep.equal(times);
    for (const sort of ['date', '-date']) {
      const seen: string[] = [];
      let url: string | undefined = `${base}/AuditEvent?_count=2&_sort=${sort}`;
      while (url) {
        const page: Bundle = (await fhir(url)).body;
        expect(page.total).to.be.at.least(ids.length);
        seen.push(...(page.entry ?? []).map((e) => e.resource!.id!));
        url = page.link!.find((l) => l.relation === 'next')?.url;
      }
      const expected = sort === 'date' ? ids : [...ids].reverse();
      // The searches themselves are audited while paging: compare the events that existed before.
      expect(seen.filter((id) => ids.includes(id)), sort).to.deep.equal(expected);
    }
  });

  it('audits each ITI-81 request as a Query (110112, ITI-81) naming the patient asked for', async () => {
    await search(`patient.identifier=urn:oid:${OID}|Q2`);
    const b = await search('subtype=ITI-81&_sort=-date&_count=1');
    const e = b.entry![0].resource as AuditEvent;
    expect(e.type.code).to.equal('110112');
    const query = e.entity!.find((en) => en.role?.code === '24')!;
    expect(Buffer.from(query.query!, 'base64').toString()).to.contain('patient.identifier');
    expect(patientsIn(b)).to.deep.equal(['Q2']);
  });

  it('answers bad requests with an OperationOutcome', async () => {
    for (const [query, status] of [
      ['foo=bar', 400],
      ['date=yesterday', 400],
      ['date=sa2024-01-01', 400],
      ['outcome=99', 400],
      ['_count=0', 400],
      ['_page=garbage', 400],
      ['_sort=address', 400],
    ] as const) {
      const a = await fhir(`${base}/AuditEvent?${query}`);
      expect(a.status, query).to.equal(status);
      expect(a.body.resourceType, query).to.equal('OperationOutcome');
      expect(a.body.issue[0].severity).to.equal('error');
    }
    expect((await fhir(`${base}/AuditEvent?foo=bar&type=110100`, { headers: { prefer: 'handling=lenient' } })).status).to.equal(200);
    const missing = await fhir(`${base}/AuditEvent/999999`);
    expect(missing.status).to.equal(404);
    expect(missing.body.issue[0].code).to.equal('not-found');
  });

  it('takes an AuditEvent posted in FHIR form (ITI-20), answers after commit, finds it with the rest', async () => {
    const a = await fhir(`${base}/AuditEvent`, postJson(fhirAuditEvent('F1')));
    expect(a.status).to.equal(201);
    const location = a.headers.get('location')!;
    expect(location).to.match(/\/fhir\/AuditEvent\/\d+\/_history\/1$/);
    const id = a.body.id;
    const read = await fhir(`${base}/AuditEvent/${id}`);
    expect(read.body.subtype[0].code).to.equal('ITI-67');
    const found = await search(`patient.identifier=urn:oid:${OID}|F1&address=10.7.7.7&agent-name=mobile-app&subtype=ITI-67`);
    expect(found.entry!.map((e) => e.resource!.id)).to.deep.equal([id]);
  });

  it('refuses an invalid AuditEvent with an OperationOutcome, and keeps it raw with its error', async () => {
    const bad = fhirAuditEvent('F2') as unknown as Record<string, unknown>;
    delete bad.agent;
    bad.recorded = 'yesterday';
    const a = await fhir(`${base}/AuditEvent`, postJson(bad));
    expect(a.status).to.equal(400);
    expect(a.body.issue[0].diagnostics).to.match(/agent|recorded/);
    const notJson = await fhir(`${base}/AuditEvent`, postJson('{"resourceType": "AuditEvent", '));
    expect(notJson.status).to.equal(400);
    const turtle = await fhir(`${base}/AuditEvent`, postJson('[] a fhir:AuditEvent .', 'application/fhir+turtle'));
    expect(turtle.status).to.equal(415);
    const noFhirXml = await fhir(`${base}/AuditEvent`, postJson('<AuditEvent/>', 'application/fhir+xml'));
    expect([noFhirXml.status, noFhirXml.body.issue[0].code]).to.deep.equal([400, 'structure']);
    const kept = await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }));
    const fromFhir = kept.filter((e) => e.transport === 'fhir' && e.status !== 'valid');
    expect(fromFhir.map((e) => e.status)).to.deep.equal(['invalid', 'unparsed', 'unparsed']);
    expect(fromFhir[2].raw!.toString()).to.equal('<AuditEvent/>');
    expect(fromFhir[0].raw!.toString()).to.contain('"F2"');
    expect(fromFhir[1].raw!.toString()).to.equal('{"resourceType": "AuditEvent", ');
  });

  it('never stores an individual number an AuditEvent names a patient by', async () => {
    const number = '123456789018';
    const e = fhirAuditEvent('MN-F1');
    e.entity!.push({
      what: { identifier: { system: 'urn:oid:2.999.392.1.9', value: number } },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' },
      query: Buffer.from(`QPD|Q|T|${number}`).toString('base64'),
    });
    const a = await fhir(`${base}/AuditEvent`, postJson(e));
    expect(a.status).to.equal(201);
    expect(JSON.stringify(a.body)).to.not.contain(number);
    const stored = (await s.app.store.read((tx) => tx.audit.auditEvent(Number(a.body.id))))!;
    expect(stored.error).to.match(/individual numbers masked/);
    const decoded = JSON.parse(stored.xml).entity.map((en: { query?: string }) => (en.query ? Buffer.from(en.query, 'base64').toString() : ''));
    expect([stored.xml, ...stored.patientIds, ...decoded].join('\n')).to.not.contain(number);
    // A search for it is refused with an OperationOutcome that does not repeat it (ITI-81).
    const refused = await fhir(`${base}/AuditEvent?patient.identifier=urn:oid:2.999.392.1.9|${number}`);
    expect(refused.status).to.equal(400);
    expect(refused.body.resourceType).to.equal('OperationOutcome');
    expect(refused.body.issue[0].expression).to.deep.equal(['patient.identifier']);
    expect(JSON.stringify(refused.body)).to.not.contain(number);
  });

  it('takes a batch Bundle entry by entry, and a transaction Bundle all or nothing', async () => {
    const entry = (resource: unknown) => ({ resource, request: { method: 'POST', url: 'AuditEvent' } });
    const invalid = { ...fhirAuditEvent('B3'), agent: undefined };
    const batch = await fhir(base, postJson({ resourceType: 'Bundle', type: 'batch', entry: [entry(fhirAuditEvent('B1')), entry(invalid)] }));
    expect(batch.status).to.equal(200);
    expect(batch.body.type).to.equal('batch-response');
    expect(batch.body.entry.map((e: { response: { status: string } }) => e.response.status)).to.deep.equal(['201 Created', '400 Bad Request']);
    const tx = await fhir(base, postJson({ resourceType: 'Bundle', type: 'transaction', entry: [entry(fhirAuditEvent('T1')), entry(invalid)] }));
    expect(tx.status).to.equal(400);
    expect((await search(`patient.identifier=urn:oid:${OID}|T1`)).total, 'nothing of the transaction').to.equal(0);
    const ok = await fhir(base, postJson({ resourceType: 'Bundle', type: 'transaction', entry: [entry(fhirAuditEvent('T2')), entry(fhirAuditEvent('T3'))] }));
    expect(ok.body.type).to.equal('transaction-response');
    expect((await search(`patient.identifier=urn:oid:${OID}|T2,urn:oid:${OID}|T3`)).total).to.equal(2);
    expect((await search(`patient.identifier=urn:oid:${OID}|B1`)).total).to.equal(1);
  });

  describe('bodies that cannot be taken, on every FHIR JSON route (POST /AuditEvent, POST [base])', () => {
    const routes = () => [`${base}/AuditEvent`, base];
    const stored = () => s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }));

    it('JSON nested 10,000 deep: 400 OperationOutcome (structure), kept raw with the error', async () => {
      const deepEvent = `{"resourceType":"AuditEvent","extension":[${'{"extension":['.repeat(5_000)}${']}'.repeat(5_000)}]}`;
      const deepBundle = `{"resourceType":"Bundle","type":"batch","entry":[{"resource":${'['.repeat(10_000)}${']'.repeat(10_000)}}]}`;
      for (const [url, body] of [[routes()[0], deepEvent], [routes()[1], deepBundle]]) {
        const before = (await stored()).length;
        const a = await fhir(url, postJson(body));
        expect(a.status, url).to.equal(400);
        expect(a.body.resourceType).to.equal('OperationOutcome');
        expect(a.body.issue[0]).to.include({ severity: 'error', code: 'structure' });
        expect(a.body.issue[0].diagnostics).to.match(/nested deeper than 100 levels/);
        const after = await stored();
        expect(after.length, 'one record: the body as received').to.equal(before + 1);
        const kept = after.find((e) => e.raw?.equals(Buffer.from(body)))!;
        expect(kept, 'the body kept byte for byte').to.not.equal(undefined);
        expect(kept).to.include({ status: 'unparsed', transport: 'fhir' });
        expect(kept.error).to.match(/nested deeper than 100 levels/);
      }
    });

    it('a POST without Content-Type, or of another type: 415 OperationOutcome, nothing stored', async () => {
      const event = JSON.stringify(fhirAuditEvent('CT1'));
      for (const url of routes()) {
        const before = (await stored()).length;
        for (const headers of [{}, { 'content-type': 'text/plain' }, { 'content-type': 'application/x-www-form-urlencoded' }] as Record<string, string>[]) {
          // A Uint8Array body: fetch adds no Content-Type of its own.
          const a = await fhir(url, { method: 'POST', headers, body: new Uint8Array(Buffer.from(event)) });
          expect(a.status, `${url} ${JSON.stringify(headers)}`).to.equal(415);
          expect(a.body.issue[0].code).to.equal('not-supported');
        }
        expect((await stored()).length).to.equal(before);
      }
      expect((await search(`patient.identifier=urn:oid:${OID}|CT1`)).total).to.equal(0);
    });

    it('a charset JSON does not allow: 415, not an internal error', async () => {
      const a = await fhir(`${base}/AuditEvent`, postJson(JSON.stringify(fhirAuditEvent('CS1')), 'application/fhir+json; charset=latin1'));
      expect(a.status).to.equal(415);
    });
  });
});
