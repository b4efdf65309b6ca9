/**
 * Every audit message of the XDS actors is a valid DICOM audit message (dicom2017c.xsd, with
 * xmllint) and carries what ITI TF-2 asks of its transaction, for successes and failures alike:
 * - ITI-18 (3.18.5.1.2): Query 110112, E; the stored query (type 2, role 24, ITI-18) with the
 *   request in ParticipantObjectQuery and a QueryEncoding detail;
 * - ITI-41 and ITI-42 (3.41.5.1.2, 3.42.5.1.2): Import 110107, C; the patient and the SubmissionSet
 *   (type 2, role 20, urn:uuid:a54d6aa5-...);
 * - ITI-43 (3.43.5.1.1): Export 110106, R, the repository as Source; each document (type 2,
 *   role 3, RFC-3881 9) with its Repository Unique Id detail;
 * - ITI-57 (Metadata Update 3.57.5.1): Import 110107, U, with the SubmissionSet;
 * - ITI-62 (RMD 3.62.5.1): Patient Record 110110, D, each removed object as a registry object
 *   reference (urn:ihe:iti:2017:ObjectRef).
 * The requester is the Source (110153, UserIsRequestor true) and this server the Destination
 * (110152), except for ITI-43 where this server exports.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { StoredAuditRecord } from '../../src/store/types.ts';
import { child, children, parseXml, type XmlElement } from '../helpers/xml.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { ACTIONS, DICOM_AUDIT_SCHEMA, XdsClient, affinityConfig, expectSchemaValid, expectSuccess, feedPatient, pid, retrieveRequest } from '../helpers/xds.ts';
import { provideAndRegisterRequest, removeObjectsRequest, submitObjectsRequest, updateStatusXml, type SubmissionSpec } from '../helpers/xdsMetadata.ts';
import { findDocuments } from '../helpers/xdsQuery.ts';

const REPO = '2.999.392.1.3';
const TRANSACTIONS = ['ITI-18', 'ITI-41', 'ITI-42', 'ITI-43', 'ITI-57', 'ITI-62'];

interface Audit {
  record: StoredAuditRecord;
  root: XmlElement;
  eventId: string;
  action: string;
  outcome: string;
  objects: XmlElement[];
  participants: XmlElement[];
}

const read = (record: StoredAuditRecord): Audit => {
  const root = parseXml(record.xml);
  const ei = child(root, 'EventIdentification')!;
  return {
    record,
    root,
    eventId: child(ei, 'EventID')!.attrs['csd-code'],
    action: ei.attrs.EventActionCode,
    outcome: ei.attrs.EventOutcomeIndicator,
    objects: children(root, 'ParticipantObjectIdentification'),
    participants: children(root, 'ActiveParticipant'),
  };
};
const role = (p: XmlElement) => child(p, 'RoleIDCode')!.attrs['csd-code'];
const objectsOf = (a: Audit, type: string, role_: string) => a.objects.filter((o) => o.attrs.ParticipantObjectTypeCode === type && o.attrs.ParticipantObjectTypeCodeRole === role_);
const idType = (o: XmlElement) => child(o, 'ParticipantObjectIDTypeCode')!.attrs['csd-code'];
const detail = (o: XmlElement, type: string) => children(o, 'ParticipantObjectDetail').find((d) => d.attrs.type === type)?.attrs.value;

describe('conformance: XDS audit messages against the DICOM schema and ITI TF-2', function () {
  this.timeout(60_000);
  let s: TestServer;
  let audits: Audit[] = [];

  before(async () => {
    s = await startTestServer(affinityConfig());
    const c = new XdsClient(s.app.ports.http!);
    await feedPatient(s, 'AUD-X');
    const patient = pid('AUD-X');
    // ITI-42, success and failure
    const ss: SubmissionSpec = { patientId: patient, docs: [{ id: `urn:uuid:${randomUUID()}` }] };
    expectSuccess(await c.register(submitObjectsRequest(ss)));
    await c.register(submitObjectsRequest({ patientId: pid('AUD-NOBODY'), docs: [{}] }));
    // ITI-41, success and failure
    const pnr: SubmissionSpec = { patientId: patient, docs: [{ content: Buffer.from('audited document') }] };
    expectSuccess(await c.mtom(c.repositoryPath, ACTIONS.iti41, provideAndRegisterRequest(pnr, 'inline'), []));
    await c.mtom(c.repositoryPath, ACTIONS.iti41, provideAndRegisterRequest({ patientId: pid('AUD-NOBODY'), docs: [{}] }, 'inline'), []);
    // ITI-18, success and failure
    expectSuccess(await c.query(findDocuments(patient)));
    await c.query(findDocuments(patient, { $XDSDocumentEntryStatus: ['urn:example:none'] }));
    // ITI-43, success and partial success
    await c.soap(c.repositoryPath, ACTIONS.iti43, retrieveRequest([{ repositoryUniqueId: REPO, documentUniqueId: pnr.docs[0].uniqueId! }]));
    await c.soap(c.repositoryPath, ACTIONS.iti43, retrieveRequest([{ repositoryUniqueId: REPO, documentUniqueId: pnr.docs[0].uniqueId! }, { repositoryUniqueId: REPO, documentUniqueId: '1.2.3.404' }]));
    // ITI-57, success and failure
    expectSuccess(await c.soap(c.registryPath, ACTIONS.iti57, submitObjectsRequest({ patientId: patient, docs: [], associations: [updateStatusXml(ss.docs[0].id!, 'Approved', 'Deprecated')] })));
    await c.soap(c.registryPath, ACTIONS.iti57, submitObjectsRequest({ patientId: patient, docs: [] }));
    // ITI-62, success and failure
    const gone: SubmissionSpec = { patientId: patient, submissionSetId: `urn:uuid:${randomUUID()}`, docs: [{ id: `urn:uuid:${randomUUID()}` }] };
    expectSuccess(await c.register(submitObjectsRequest(gone)));
    const [hm] = await s.app.store.read((tx) => tx.registry.associations({ targets: [gone.docs[0].id!] }, 10));
    expectSuccess(await c.soap(c.registryPath, ACTIONS.iti62, removeObjectsRequest([gone.submissionSetId!, gone.docs[0].id!, hm.uuid])));
    await c.soap(c.registryPath, ACTIONS.iti62, removeObjectsRequest([`urn:uuid:${randomUUID()}`]));
    audits = (await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100000 }))).filter((e) => TRANSACTIONS.includes(e.eventTypeCode)).map(read);
  });
  after(async () => {
    await s?.stop();
  });

  const of = (type: string, success: boolean) => audits.filter((a) => a.record.eventTypeCode === type && (a.outcome === '0') === success);

  it('records a success and a failure of every XDS transaction, and every one validates against dicom2017c.xsd', () => {
    for (const t of TRANSACTIONS) {
      expect(of(t, true), `${t} success`).to.not.have.length(0);
      expect(of(t, false), `${t} failure`).to.not.have.length(0);
    }
    expectSchemaValid(audits.map((a) => a.record.xml), DICOM_AUDIT_SCHEMA);
  });

  const expected: [string, string, string][] = [
    ['ITI-18', '110112', 'E'],
    ['ITI-41', '110107', 'C'],
    ['ITI-42', '110107', 'C'],
    ['ITI-43', '110106', 'R'],
    ['ITI-57', '110107', 'U'],
    ['ITI-62', '110110', 'D'],
  ];
  for (const [t, eventId, action] of expected) {
    it(`${t}: EventID ${eventId}, action ${action}, the requester and this server in their roles`, () => {
      for (const a of [...of(t, true), ...of(t, false)]) {
        expect(a.eventId).to.equal(eventId);
        expect(a.action).to.equal(action);
        const requester = a.participants.find((p) => p.attrs.UserIsRequestor === 'true')!;
        const server = a.participants.find((p) => p.attrs.UserIsRequestor === 'false')!;
        expect(role(requester)).to.equal(t === 'ITI-43' ? '110152' : '110153');
        expect(role(server)).to.equal(t === 'ITI-43' ? '110153' : '110152');
        expect(server.attrs.UserID).to.match(/^http:\/\/127\.0\.0\.1:\d+\/services\//);
      }
    });
  }

  it('ITI-18: the stored query with the request itself (base64) and its encoding', () => {
    const [a] = of('ITI-18', true);
    const [q] = objectsOf(a, '2', '24');
    expect(idType(q)).to.equal('ITI-18');
    expect(q.attrs.ParticipantObjectID).to.equal('urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d');
    expect(Buffer.from(child(q, 'ParticipantObjectQuery')!.text.trim(), 'base64').toString()).to.contain('AdhocQueryRequest');
    expect(detail(q, 'QueryEncoding')).to.equal(Buffer.from('UTF-8').toString('base64'));
    expect(objectsOf(a, '1', '1').map((o) => o.attrs.ParticipantObjectID)).to.deep.equal([pid('AUD-X')]);
  });

  it('ITI-41, ITI-42, ITI-57: the patient and the SubmissionSet by uniqueId', () => {
    for (const t of ['ITI-41', 'ITI-42', 'ITI-57']) {
      const [a] = of(t, true);
      expect(objectsOf(a, '1', '1').map((o) => o.attrs.ParticipantObjectID), t).to.deep.equal([pid('AUD-X')]);
      const [set] = objectsOf(a, '2', '20');
      expect(idType(set), t).to.equal('urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd');
      expect(set.attrs.ParticipantObjectID, t).to.match(/^[0-9.]+$/);
    }
  });

  it('ITI-43: each document returned with its repository, none for those not found', () => {
    const ok = of('ITI-43', true)[0];
    const docs = objectsOf(ok, '2', '3');
    expect(docs).to.have.length(1);
    expect(idType(docs[0])).to.equal('9');
    expect(detail(docs[0], 'Repository Unique Id')).to.equal(Buffer.from(REPO).toString('base64'));
    const partial = of('ITI-43', false)[0];
    expect(partial.outcome).to.equal('4');
    expect(objectsOf(partial, '2', '3')).to.have.length(1);
  });

  it('ITI-62: every removed object as a registry object reference, with the patient', () => {
    const [a] = of('ITI-62', true);
    const refs = objectsOf(a, '2', '3');
    expect(refs).to.have.length(3);
    for (const r of refs) expect(idType(r)).to.equal('urn:ihe:iti:2017:ObjectRef');
    expect(objectsOf(a, '1', '1').map((o) => o.attrs.ParticipantObjectID)).to.deep.equal([pid('AUD-X')]);
    const eventType = child(child(a.root, 'EventIdentification')!, 'EventTypeCode')!;
    expect(eventType.attrs).to.include({ 'csd-code': 'ITI-62', codeSystemName: 'IHE Transactions', originalText: 'Remove Metadata' });
  });
});
