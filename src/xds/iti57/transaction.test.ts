import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { affinityPid, HOSP_A, HOSP_B, readFixture, REPOSITORY, soapRequest, type ReadFixture } from '../../../test/helpers/readFixture.ts';
import { ACTIONS } from '../../../test/helpers/xds.ts';
import { submitObjectsRequest, updateStatusXml, type SubmissionSpec } from '../../../test/helpers/xdsMetadata.ts';
import { APPROVED, DEPRECATED } from '../../../test/helpers/xdsQuery.ts';
import { asHospB, auditMark, NODE_A, NODE_B, objectIds, responseOf, userIds } from '../../../test/helpers/xdsWrites.ts';
import { internalContext, type RequestContext } from '../../kernel/requestContext.ts';
import { silentLogger } from '../../kernel/logger.ts';
import type { SoapTransaction } from '../../soap/endpoint.ts';
import { iti57Transaction } from './transaction.ts';

const uuid = () => `urn:uuid:${randomUUID()}`;
const PATIENT = affinityPid('U57-1');

describe('ITI-57 Update Document Set (the transaction over the registry service)', () => {
  let f: ReadFixture;
  let t: SoapTransaction;
  before(async () => {
    f = await readFixture();
    await f.patient('U57-1');
    t = iti57Transaction({ store: f.store, registry: f.registry, audit: f.audit, log: silentLogger });
  });
  after(() => f?.close());

  /** A document of hospital A, registered: its entryUUID (also its lid), uniqueId and content. */
  async function documentOfA(facility = HOSP_A.oid) {
    const s: SubmissionSpec = { patientId: PATIENT, submissionSetId: uuid(), docs: [{ id: uuid(), content: Buffer.from(`所見 ${randomUUID()}`) }] };
    await f.submit(s, facility);
    const d = s.docs[0];
    return { id: d.id!, uniqueId: d.uniqueId!, content: d.content! };
  }
  type Doc = Awaited<ReturnType<typeof documentOfA>>;
  const newVersion = (d: Doc): SubmissionSpec => ({ patientId: PATIENT, docs: [{ id: 'Document01', lid: d.id, uniqueId: d.uniqueId, content: d.content, previousVersion: 1, title: '訂正された所見', repositoryUniqueId: REPOSITORY }] });
  const deprecate = (d: Doc): SubmissionSpec => ({ patientId: PATIENT, docs: [], associations: [updateStatusXml(d.id, 'Approved', 'Deprecated')] });
  const update = async (s: SubmissionSpec, ctx: RequestContext, as: (xml: string) => string = (x) => x) => responseOf((await t.handle(soapRequest(ACTIONS.iti57, as(submitObjectsRequest(s)), ctx))).bodyXml);
  const versions = async (d: Doc) => (await f.store.read((tx) => tx.registry.entriesByLid([d.id]))).map((e) => ({ version: e.version, status: e.status, facility: e.facility }));

  it('registers a new version by the node of the document\'s facility: version 2 Approved, version 1 Deprecated, audited as an Import with action U (ITI TF-2b 3.57.5.1)', async () => {
    const d = await documentOfA();
    const s = newVersion(d);
    const added = await auditMark(f.store);
    expect(await update(s, NODE_A)).to.deep.equal({ status: 'Success', errors: [] });
    expect(await versions(d)).to.deep.equal([
      { version: 1, status: DEPRECATED, facility: HOSP_A.oid },
      { version: 2, status: APPROVED, facility: HOSP_A.oid },
    ]);
    const audits = await added();
    expect(audits.map((a) => [a.eventId, a.action, a.outcome, a.eventTypeCode])).to.deep.equal([['110107', 'U', 0, 'ITI-57']]);
    expect(objectIds(audits[0])).to.include(s.submissionSetUniqueId).and.to.include('U57-1^^^&1.3.6.1.4.1.21367.2005.3.7&ISO');
    expect(userIds(audits[0])).to.include('CN=hosp-a,O=Test Region');
  });

  it('deprecates a document by an UpdateAvailabilityStatus, and approves it again', async () => {
    const d = await documentOfA();
    expect((await update(deprecate(d), NODE_A)).status).to.equal('Success');
    expect((await versions(d)).map((v) => v.status)).to.deep.equal([DEPRECATED]);
    const approve: SubmissionSpec = { patientId: PATIENT, docs: [], associations: [updateStatusXml(d.id, 'Deprecated', 'Approved')] };
    expect((await update(approve, internalContext('operator'))).status).to.equal('Success');
    expect((await versions(d)).map((v) => v.status)).to.deep.equal([APPROVED]);
  });

  it('refuses another facility\'s node changing the document with XDSMetadataUpdateOperationError at the entry: nothing changed, a Security Alert and the failure audit', async () => {
    const d = await documentOfA();
    const added = await auditMark(f.store);
    const status = await update(deprecate(d), NODE_B, asHospB);
    expect(status.status).to.equal('Failure');
    expect(status.errors.map((e) => [e.errorCode, e.location])).to.deep.equal([['XDSMetadataUpdateOperationError', d.id]]);
    expect(status.errors[0].codeContext).to.contain(HOSP_A.oid).and.to.contain('hosp-b');
    const version = await update(newVersion(d), NODE_B, asHospB);
    expect(version.errors.map((e) => [e.errorCode, e.location])).to.deep.equal([['XDSMetadataUpdateOperationError', d.id]]);
    expect(await versions(d)).to.deep.equal([{ version: 1, status: APPROVED, facility: HOSP_A.oid }]);
    const audits = await added();
    expect(audits.map((a) => [a.eventId, a.outcome, a.eventTypeCode])).to.deep.equal([
      ['110113', 4, '110132'],
      ['110107', 4, 'ITI-57'],
      ['110113', 4, '110132'],
      ['110107', 4, 'ITI-57'],
    ]);
    for (const a of audits) expect(userIds(a)).to.include('CN=hosp-b,O=Test Region');
  });

  it('refuses an update whose SubmissionSet names another facility with XDSRegistryMetadataError, even on the node\'s own document', async () => {
    const d = await documentOfA(HOSP_B.oid);
    const r = await update(deprecate(d), NODE_B);
    expect(r.status).to.equal('Failure');
    expect(r.errors.map((e) => [e.errorCode, e.location])).to.deep.equal([['XDSRegistryMetadataError', 'SubmissionSet01']]);
    expect(r.errors[0].codeContext).to.contain('sourceId 1.2.392.999.1');
    expect((await versions(d)).map((v) => v.status)).to.deep.equal([APPROVED]);
    expect((await update(deprecate(d), NODE_B, asHospB)).status).to.equal('Success');
    expect((await versions(d)).map((v) => v.status)).to.deep.equal([DEPRECATED]);
  });

  it('lets the node deprecate a folder membership of its own submission (an UpdateAvailabilityStatus on an Association), and refuses it to another facility', async () => {
    const s: SubmissionSpec = { patientId: PATIENT, submissionSetId: uuid(), docs: [{ id: uuid() }], folder: { id: uuid() } };
    await f.submit(s, HOSP_A.oid);
    const folder = (s.folder as { id: string }).id;
    const [membership] = await f.store.read((tx) => tx.registry.associations({ sources: [folder] }, 10));
    const status = async () => (await f.store.read((tx) => tx.registry.entries([membership.uuid])))[0].status;
    const deprecateMembership: SubmissionSpec = { patientId: PATIENT, docs: [], associations: [updateStatusXml(membership.uuid, 'Approved', 'Deprecated')] };
    const refused = await update(deprecateMembership, NODE_B, asHospB);
    expect(refused.errors.map((e) => [e.errorCode, e.location])).to.deep.equal([['XDSMetadataUpdateOperationError', membership.uuid]]);
    expect(await status()).to.equal(APPROVED);
    expect(await update(deprecateMembership, NODE_A)).to.deep.equal({ status: 'Success', errors: [] });
    expect(await status()).to.equal(DEPRECATED);
  });
});
