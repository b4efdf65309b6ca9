/**
 * Node authorization of the Audit Record Repository, attacked over real TLS with certificates from
 * `hie certs`: hospital A's node may not read the audit log (ITI-81) or a patient's access report
 * (403, audited as a Security Alert and as the failed query or Audit Log Used); the auditor's node
 * may, and its reading is audited naming its certificate. Audit messages A sends claiming B's
 * AuditSourceID, over the FHIR feed and over syslog TLS, are kept and marked, and so is what a
 * certificate of the CA that names no node sends; ITI-81 and the access report show the marks.
 */
import type { AuditEvent, Bundle, OperationOutcome } from 'fhir/r4.js';
import { expect } from 'chai';
import { RECEIVED_FROM, SENDER_CHECK } from '../../src/atna/fhir/auditEvent.ts';
import { FhirSchemaValidator } from '../../src/fhir/schemaValidator.ts';
import type { StoredAuditRecord } from '../../src/store/types.ts';
import { receivedAuditXml } from '../helpers/auditMessages.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { adt } from '../helpers/messages.ts';
import { octetCounted, sendSyslogStream, syslogMessage } from '../helpers/syslog.ts';
import { HOSP_A_OID, httpsRequest, regionCerts, regionConfig, type RegionCerts } from '../helpers/tlsNodes.ts';

const PATIENT = `ATNA-AUTHZ-1^^^HOSP_A&${HOSP_A_OID}&ISO`;
const schema = new FhirSchemaValidator();

const fhirEvent = (observer: string): AuditEvent => ({
  resourceType: 'AuditEvent',
  type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110112', display: 'Query' },
  subtype: [{ system: 'urn:ihe:event-type-code', code: 'ITI-18', display: 'Registry Stored Query' }],
  action: 'E',
  recorded: '2024-05-01T10:00:00+09:00',
  outcome: '0',
  agent: [{ who: { identifier: { value: 'HOSP_A|EHR' } }, requestor: true, network: { address: '10.1.1.1', type: '2' } }],
  source: { observer: { display: observer } },
  entity: [
    {
      what: { identifier: { system: `urn:oid:${HOSP_A_OID}`, value: 'ATNA-AUTHZ-1' } },
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1' },
      role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' },
    },
  ],
});

describe('ATNA node authorization over TLS (e2e)', function () {
  this.timeout(120_000);
  let certs: RegionCerts;
  let s: TestServer;

  before(async () => {
    certs = await regionCerts(['hosp-a', 'hosp-b', 'auditor-node', 'stranger']);
    const region = regionConfig(certs);
    s = await startTestServer({
      identity: { domains: region.domains },
      http: { tls: region.tls },
      syslog: { tls: { ...region.tls, port: 0 } },
      nodes: region.nodes,
    } as never);
    await s.send(adt({ ids: [PATIENT] }));
  });
  after(async () => {
    await s?.stop();
  });

  const as = (node: string) => ({ ca: certs.ca, ...certs.node(node) });
  const get = (node: string, urlPath: string) => httpsRequest(s.app.ports.http!, urlPath, as(node));
  const postFhir = (node: string, resource: unknown) =>
    httpsRequest(s.app.ports.http!, '/fhir/AuditEvent', as(node), { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(resource) });
  const json = <T>(a: { body: Buffer }) => JSON.parse(a.body.toString('utf8')) as T;
  const audits = async (): Promise<StoredAuditRecord[]> => {
    await s.app.atna.ingest.flushed();
    return s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }));
  };
  const since = async (n: number) => (await audits()).slice(n);
  const alertFor = (events: StoredAuditRecord[], subject: string) => events.find((e) => e.eventId === '110113' && e.xml.includes(`UserID="${subject}"`) && e.xml.includes('110132'));
  const reportPath = (html = false) => `/atna/patients/${encodeURIComponent(PATIENT)}/access-report${html ? '.html' : ''}`;

  it("refuses A's ITI-81 search and read with 403 and an OperationOutcome 'forbidden', audited", async () => {
    const n = (await audits()).length;
    for (const p of ['/fhir/AuditEvent', '/fhir/AuditEvent?patient.identifier=ATNA-AUTHZ-1', '/fhir/AuditEvent/1']) {
      const r = await get('hosp-a', p);
      expect(r.status, p).to.equal(403);
      expect(r.contentType).to.match(/^application\/fhir\+json/);
      const oo = json<OperationOutcome>(r);
      expect(schema.validate(oo, 'OperationOutcome')).to.deep.equal([]);
      expect(oo.issue[0].code).to.equal('forbidden');
      expect(r.body.toString()).to.not.contain('ATNA-AUTHZ-1^^^');
    }
    const events = await since(n);
    expect(alertFor(events, 'CN=hosp-a'), 'Security Alert').to.not.equal(undefined);
    const queries = events.filter((e) => e.eventTypeCode === 'ITI-81');
    expect(queries).to.have.length(3);
    for (const q of queries) {
      expect(q.outcome).to.equal(4);
      expect(q.xml).to.contain('UserID="CN=hosp-a"');
    }
  });

  it("refuses A's access reports (JSON and HTML) with 403, audited as a Security Alert and a failed Audit Log Used", async () => {
    const n = (await audits()).length;
    for (const html of [false, true]) {
      const r = await get('hosp-a', reportPath(html));
      expect(r.status).to.equal(403);
      expect(r.body.toString()).to.not.contain('ATNA-AUTHZ-1');
    }
    const events = await since(n);
    expect(alertFor(events, 'CN=hosp-a')).to.not.equal(undefined);
    const used = events.filter((e) => e.eventId === '110101');
    expect(used).to.have.length(2);
    expect(used.every((e) => e.outcome === 4 && e.xml.includes('UserID="CN=hosp-a"'))).to.equal(true);
  });

  it("keeps an AuditEvent A posts claiming B's AuditSourceID, marked as not the sender's; A's own is kept unmarked", async () => {
    const claimed = await postFhir('hosp-a', fhirEvent('EHR_B'));
    expect(claimed.status).to.equal(201);
    const own = await postFhir('hosp-a', fhirEvent('EHR_A'));
    expect(own.status).to.equal(201);
    const stored = async (a: { body: Buffer }) => (await s.app.store.read((tx) => tx.audit.auditEvent(Number(json<AuditEvent>(a).id))))!;
    expect(await stored(claimed)).to.include({ sender: 'hosp-a', senderMark: 'source-not-sender', sourceId: 'EHR_B' });
    const ownRecord = await stored(own);
    expect(ownRecord.sender).to.equal('hosp-a');
    expect(ownRecord.senderMark).to.equal(undefined);
  });

  it("keeps a DICOM message A sends over syslog TLS claiming B's AuditSourceID, marked; and marks a certificate that names no node as unknown", async () => {
    const n = (await audits()).length;
    const msg = (sourceId: string) => octetCounted(syslogMessage(receivedAuditXml({ patients: [`ATNA-AUTHZ-1^^^&${HOSP_A_OID}&ISO`], sourceId })));
    await sendSyslogStream(s.app.ports.syslogTls!, [msg('EHR_B'), msg('EHR_A')], as('hosp-a'));
    await sendSyslogStream(s.app.ports.syslogTls!, [msg('EHR_A')], as('stranger'));
    const got = (await since(n)).filter((e) => e.transport === 'syslog-tls');
    expect(got.map((e) => [e.sourceId, e.sender ?? null, e.senderMark ?? null])).to.deep.equal([
      ['EHR_B', 'hosp-a', 'source-not-sender'],
      ['EHR_A', 'hosp-a', null],
      ['EHR_A', null, 'unknown-sender'],
    ]);
  });

  it('lets the auditor read ITI-81, the marks shown as meta.tag and UNCERTREL; its query audited naming its certificate', async () => {
    const n = (await audits()).length;
    const r = await get('auditor-node', '/fhir/AuditEvent?patient.identifier=ATNA-AUTHZ-1&_count=100');
    expect(r.status).to.equal(200);
    const bundle = json<Bundle>(r);
    expect(schema.validate(bundle, 'Bundle')).to.deep.equal([]);
    const events = (bundle.entry ?? []).map((e) => e.resource as AuditEvent);
    const marks = (e: AuditEvent) => (e.meta?.tag ?? []).filter((t) => t.system === SENDER_CHECK).map((t) => t.code);
    const marked = events.filter((e) => marks(e).includes('source-not-sender'));
    expect(marked.length).to.be.at.least(2);
    for (const e of marked) {
      expect(e.meta?.tag?.find((t) => t.system === RECEIVED_FROM)?.code).to.equal('hosp-a');
      expect(e.meta?.security?.map((x) => x.code)).to.include('UNCERTREL');
    }
    expect(events.some((e) => marks(e).includes('unknown-sender'))).to.equal(true);
    const query = (await since(n)).find((e) => e.eventTypeCode === 'ITI-81');
    expect(query?.outcome).to.equal(0);
    expect(query!.xml).to.contain('UserID="CN=auditor-node"').and.contain('AlternativeUserID="auditor-node"');
  });

  it('lets the auditor read the access report, the marked entries shown; Audit Log Used names its certificate', async () => {
    const n = (await audits()).length;
    const r = await get('auditor-node', reportPath());
    expect(r.status).to.equal(200);
    const report = json<{ entries: { receivedFrom?: string; senderMark?: string }[] }>(r);
    expect(report.entries.some((e) => e.receivedFrom === 'hosp-a' && e.senderMark === 'source-not-sender')).to.equal(true);
    expect(report.entries.some((e) => e.senderMark === 'unknown-sender')).to.equal(true);
    const html = await get('auditor-node', reportPath(true));
    expect(html.status).to.equal(200);
    expect(html.body.toString()).to.contain("AuditSourceID is not the sender's");
    const used = (await since(n)).filter((e) => e.eventId === '110101');
    expect(used).to.have.length(2);
    expect(used.every((e) => e.outcome === 0 && e.xml.includes('UserID="CN=auditor-node"'))).to.equal(true);
  });
});
