/**
 * Node authorization on the XDS write side, attacked over real TLS with certificates from `hie
 * certs`: hospital A's node tries to register documents in hospital B's name (ITI-42 and ITI-41),
 * to deprecate B's document (ITI-57) and to remove it (ITI-62). Each is refused with the
 * RegistryResponse error the rule maps to, located at the offending object, changes nothing, and
 * leaves a Security Alert and the transaction's failure audit naming A's certificate; B's node does
 * the same to its own document and succeeds, and its audits name its certificate.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { StoredAuditRecord } from '../../src/store/types.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { HOSP_A_OID, HOSP_B_OID, httpsRequest, regionCerts, regionConfig, type RegionCerts } from '../helpers/tlsNodes.ts';
import { ACTIONS, affinityConfig, envelope, expectFailure, expectSchemaValid, expectSuccess, feedPatient, mtomBody, pid, readReply, registryResponseOf, ReplyLog, type Reply } from '../helpers/xds.ts';
import { provideAndRegisterRequest, removeObjectsRequest, submitObjectsRequest, updateStatusXml, type SubmissionSpec } from '../helpers/xdsMetadata.ts';
import { DEPRECATED, APPROVED } from '../helpers/xdsQuery.ts';

const uuid = () => `urn:uuid:${randomUUID()}`;
/** The test metadata names hospital A (sourceId, author institution, source patient); this names B instead. */
const asHospB = (xml: string) => xml.replace(/1\.2\.392\.999\.1(?![0-9])/g, HOSP_B_OID).replace(/東京病院/g, '大阪病院');

describe('XDS node authorization over TLS (e2e)', function () {
  this.timeout(120_000);
  let certs: RegionCerts;
  let s: TestServer;
  const log = new ReplyLog();

  before(async () => {
    certs = await regionCerts(['hosp-a', 'hosp-b', 'auditor-node']);
    const region = regionConfig(certs);
    s = await startTestServer({
      ...affinityConfig(),
      identity: { ...affinityConfig().identity, domains: region.domains },
      http: { tls: region.tls },
      nodes: region.nodes,
    } as never);
    await feedPatient(s, 'AUTHZ-1');
  });
  after(async () => {
    await s?.stop();
  });

  const as = (node: string) => ({ ca: certs.ca, ...certs.node(node) });
  const soap = async (node: string, urlPath: string, action: string, body: string): Promise<Reply> =>
    log.add(
      await readReply(
        await httpsRequest(s.app.ports.http!, urlPath, as(node), {
          method: 'POST',
          headers: { 'content-type': `application/soap+xml; charset=UTF-8; action="${action}"` },
          body: envelope(action, body),
        }),
      ),
    );
  const register = (node: string, body: string) => soap(node, '/services/registry', ACTIONS.iti42, body);
  const entries = (ids: string[]) => s.app.store.read((tx) => tx.registry.entries(ids));
  const audits = async (): Promise<StoredAuditRecord[]> => s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }));
  const since = async (n: number) => (await audits()).slice(n);
  const errorsOf = (r: Reply) => registryResponseOf(r.body).children.find((c) => c.local === 'RegistryErrorList')!.children.map((e) => e.attrs);
  /** A Security Alert (110113, Use of Restricted Function) naming the node by its certificate. */
  const expectAlert = (events: StoredAuditRecord[], subject: string) => {
    const alert = events.find((e) => e.eventId === '110113');
    expect(alert, 'Security Alert').to.not.equal(undefined);
    expect(alert!.xml).to.contain('110132').and.contain(`UserID="${subject}"`);
  };

  /** B's document, registered by B's node: the entryUUIDs of the SubmissionSet, document and HasMember. */
  async function documentOfB() {
    const ssId = uuid();
    const doc = uuid();
    expectSuccess(await register('hosp-b', asHospB(submitObjectsRequest({ patientId: pid('AUTHZ-1'), submissionSetId: ssId, docs: [{ id: doc }] }))));
    const [hm] = await s.app.store.read((tx) => tx.registry.associations({ sources: [ssId] }, 10));
    return { ssId, doc, hasMember: hm.uuid };
  }

  it('registers B\'s document for B\'s node, recorded under B\'s facility, audited naming its certificate', async () => {
    const n = (await audits()).length;
    const b = await documentOfB();
    const [e] = await entries([b.doc]);
    expect(e.facility).to.equal(HOSP_B_OID);
    const imported = (await since(n)).find((a) => a.eventTypeCode === 'ITI-42');
    expect(imported?.outcome).to.equal(0);
    expect(imported!.xml).to.contain('UserID="CN=hosp-b"').and.contain('AlternativeUserID="hosp-b"');
  });

  it("refuses A's ITI-42 in B's name (sourceId and author institution of B): XDSRegistryMetadataError at each object, nothing registered, audited", async () => {
    const n = (await audits()).length;
    const spec: SubmissionSpec = { patientId: pid('AUTHZ-1'), docs: [{}] };
    const r = await register('hosp-a', asHospB(submitObjectsRequest(spec)));
    expectFailure(r, 'XDSRegistryMetadataError');
    const errors = errorsOf(r);
    expect(errors.map((x) => x.location)).to.include.members(['SubmissionSet01', 'Document01']);
    expect(errors.find((x) => x.location === 'SubmissionSet01')!.codeContext).to.contain(`sourceId ${HOSP_B_OID}`);
    expect(errors.find((x) => x.location === 'Document01')!.codeContext).to.contain('author institution');
    expect(await s.app.store.read((tx) => tx.registry.entriesByUniqueId('DocumentEntry', [spec.docs[0].uniqueId!]))).to.deep.equal([]);
    const events = await since(n);
    expectAlert(events, 'CN=hosp-a');
    const failed = events.find((a) => a.eventTypeCode === 'ITI-42');
    expect(failed?.outcome).to.equal(4);
    expect(failed!.xml).to.contain('UserID="CN=hosp-a"');
  });

  it("refuses A's ITI-41 in B's name: XDSRepositoryMetadataError, no document stored, audited", async () => {
    const n = (await audits()).length;
    const content = Buffer.from(`in B's name ${randomUUID()}`);
    const spec: SubmissionSpec = { patientId: pid('AUTHZ-1'), docs: [{ content }] };
    const pkg = mtomBody(envelope(ACTIONS.iti41, asHospB(provideAndRegisterRequest(spec, 'xop'))), ACTIONS.iti41, [{ contentId: 'Document01@test', data: content }]);
    const r = log.add(await readReply(await httpsRequest(s.app.ports.http!, '/services/repository', as('hosp-a'), { method: 'POST', headers: { 'content-type': pkg.contentType }, body: pkg.body })));
    expectFailure(r, 'XDSRepositoryMetadataError');
    expect(errorsOf(r).map((x) => x.location)).to.include('SubmissionSet01');
    expect(await s.app.store.read((tx) => tx.repository.documents(s.config.xds.repository.uniqueId, [spec.docs[0].uniqueId!]))).to.deep.equal([]);
    const events = await since(n);
    expectAlert(events, 'CN=hosp-a');
    expect(events.find((a) => a.eventTypeCode === 'ITI-41')?.outcome).to.equal(4);
  });

  it("lets A register in its own name, recorded under A's facility", async () => {
    const spec: SubmissionSpec = { patientId: pid('AUTHZ-1'), docs: [{ id: uuid() }] };
    expectSuccess(await register('hosp-a', submitObjectsRequest(spec)));
    expect((await entries([spec.docs[0].id!]))[0].facility).to.equal(HOSP_A_OID);
  });

  it("refuses A's ITI-42 replacement (RPLC) of B's document, which would deprecate it: XDSRegistryError at it, nothing changed", async () => {
    const b = await documentOfB();
    const n = (await audits()).length;
    const rplc = `<rim:Association id="${uuid()}" associationType="urn:ihe:iti:2007:AssociationType:RPLC" sourceObject="Document01" targetObject="${b.doc}"/>`;
    const spec: SubmissionSpec = { patientId: pid('AUTHZ-1'), docs: [{}], associations: [rplc] };
    const r = await register('hosp-a', submitObjectsRequest(spec));
    expectFailure(r, 'XDSRegistryError');
    expect(errorsOf(r).map((x) => x.location)).to.deep.equal([b.doc]);
    expect((await entries([b.doc]))[0].status).to.equal(APPROVED);
    expect(await s.app.store.read((tx) => tx.registry.entriesByUniqueId('DocumentEntry', [spec.docs[0].uniqueId!]))).to.deep.equal([]);
    expectAlert(await since(n), 'CN=hosp-a');
  });

  it("refuses A's ITI-57 deprecation of B's document: XDSMetadataUpdateOperationError at it, status unchanged, audited", async () => {
    const b = await documentOfB();
    const n = (await audits()).length;
    const r = await soap('hosp-a', '/services/registry', ACTIONS.iti57, submitObjectsRequest({ patientId: pid('AUTHZ-1'), docs: [], associations: [updateStatusXml(b.doc, 'Approved', 'Deprecated')] }));
    expectFailure(r, 'XDSMetadataUpdateOperationError');
    expect(errorsOf(r).map((x) => x.location)).to.include(b.doc);
    expect((await entries([b.doc]))[0].status).to.equal(APPROVED);
    const events = await since(n);
    expectAlert(events, 'CN=hosp-a');
    expect(events.find((a) => a.eventTypeCode === 'ITI-57')?.outcome).to.equal(4);
  });

  it("refuses A's ITI-62 removal of B's submission: XDSRegistryError at each object, nothing removed, audited", async () => {
    const b = await documentOfB();
    const n = (await audits()).length;
    const r = await soap('hosp-a', '/services/registry', ACTIONS.iti62, removeObjectsRequest([b.ssId, b.doc, b.hasMember]));
    expectFailure(r, 'XDSRegistryError');
    expect(errorsOf(r).map((x) => x.location)).to.have.members([b.ssId, b.doc, b.hasMember]);
    expect(await entries([b.ssId, b.doc, b.hasMember])).to.have.length(3);
    const events = await since(n);
    expectAlert(events, 'CN=hosp-a');
    expect(events.find((a) => a.eventTypeCode === 'ITI-62')?.outcome).to.equal(4);
  });

  it("lets B deprecate (ITI-57) and remove (ITI-62) its own document, audited naming B's certificate", async () => {
    const b = await documentOfB();
    const other = await documentOfB();
    const n = (await audits()).length;
    expectSuccess(await soap('hosp-b', '/services/registry', ACTIONS.iti57, asHospB(submitObjectsRequest({ patientId: pid('AUTHZ-1'), docs: [], associations: [updateStatusXml(b.doc, 'Approved', 'Deprecated')] }))));
    expect((await entries([b.doc]))[0].status).to.equal(DEPRECATED);
    expectSuccess(await soap('hosp-b', '/services/registry', ACTIONS.iti62, removeObjectsRequest([other.ssId, other.doc, other.hasMember])));
    expect(await entries([other.doc])).to.deep.equal([]);
    const events = await since(n);
    expect(events.filter((e) => e.eventId === '110113')).to.deep.equal([]);
    for (const t of ['ITI-57', 'ITI-62']) {
      const a = events.find((e) => e.eventTypeCode === t);
      expect(a?.outcome, t).to.equal(0);
      expect(a!.xml, t).to.contain('UserID="CN=hosp-b"');
    }
  });

  it('answers every request with a RegistryResponse valid against the standard schemas', () => {
    expectSchemaValid(log.xmls);
  });
});
