import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { ExtrinsicObject } from '../../ebxml/rim.ts';
import { affinityPid, HOSP_A, HOSP_B, readFixture, soapRequest, type ReadFixture } from '../../../test/helpers/readFixture.ts';
import { ACTIONS } from '../../../test/helpers/xds.ts';
import { submitObjectsRequest, type SubmissionSpec } from '../../../test/helpers/xdsMetadata.ts';
import { asHospB, AuditFailingOnSuccess, auditMark, NODE_A, NODE_B, objectIds, responseOf, userIds } from '../../../test/helpers/xdsWrites.ts';
import { registryService } from '../assemble.ts';
import { internalContext, type RequestContext } from '../../kernel/requestContext.ts';
import { silentLogger } from '../../kernel/logger.ts';
import type { SoapTransaction } from '../../soap/endpoint.ts';
import { iti42Transaction } from './transaction.ts';

const uuid = () => `urn:uuid:${randomUUID()}`;

describe('ITI-42 Register Document Set-b (the transaction over the registry service)', () => {
  let f: ReadFixture;
  let t: SoapTransaction;
  before(async () => {
    f = await readFixture();
    await f.patient('R42-1');
    t = iti42Transaction({ store: f.store, registry: f.registry, audit: f.audit, log: silentLogger });
  });
  after(() => f?.close());

  const spec = (patient = 'R42-1', extra: Partial<SubmissionSpec['docs'][number]> = {}): SubmissionSpec => ({ patientId: affinityPid(patient), submissionSetId: uuid(), docs: [{ id: uuid(), ...extra }] });
  const register = async (xml: string, ctx: RequestContext, tx = t) => responseOf((await tx.handle(soapRequest(ACTIONS.iti42, xml, ctx))).bodyXml);
  const stored = async (s: SubmissionSpec) => f.store.read((tx) => tx.registry.entries([s.submissionSetId!, ...s.docs.map((d) => d.id!)]));

  it('registers a submission of the node\'s facility, recorded under that facility, with its Import audit naming the node (ITI TF-2b 3.42.5.1)', async () => {
    const s = spec();
    const added = await auditMark(f.store);
    expect(await register(submitObjectsRequest(s), NODE_A)).to.deep.equal({ status: 'Success', errors: [] });
    const entries = await stored(s);
    expect(entries.map((e) => [e.kind, e.facility]).sort()).to.deep.equal([
      ['DocumentEntry', HOSP_A.oid],
      ['SubmissionSet', HOSP_A.oid],
    ]);
    const [a] = await added();
    expect([a.eventId, a.action, a.outcome, a.eventTypeCode]).to.deep.equal(['110107', 'C', 0, 'ITI-42']);
    expect(objectIds(a)).to.include(s.submissionSetUniqueId).and.to.include('R42-1^^^&1.3.6.1.4.1.21367.2005.3.7&ISO');
    expect(userIds(a)).to.include('CN=hosp-a,O=Test Region');
  });

  it('answers Success with the XDSExtraMetadataNotSaved warning when the registry keeps no extra metadata, and registers the rest', async () => {
    const registry = registryService({ ...f.config, xds: { ...f.config.xds, registry: { ...f.config.xds.registry, saveExtraMetadata: false } } }, f.identity);
    const dropping = iti42Transaction({ store: f.store, registry, audit: f.audit, log: silentLogger });
    const s = spec('R42-1', { extraSlots: [['urn:example:ward', '7E']] });
    const r = await register(submitObjectsRequest(s), NODE_A, dropping);
    expect(r.status).to.equal('Success');
    expect(r.errors).to.have.length(1);
    expect(r.errors[0]).to.include({ errorCode: 'XDSExtraMetadataNotSaved', severity: 'Warning', location: s.docs[0].id });
    const doc = (await stored(s)).find((e) => e.kind === 'DocumentEntry')!;
    const slots = (doc.object as ExtrinsicObject).slots.map((x) => x.name);
    expect(slots).to.include('creationTime');
    expect(slots).to.not.include('urn:example:ward');
  });

  it('refuses a patient the affinity domain does not know with XDSUnknownPatientId: nothing registered, the failure audited', async () => {
    const s = spec('R42-404');
    const added = await auditMark(f.store);
    const r = await register(submitObjectsRequest(s), NODE_A);
    expect(r.status).to.equal('Failure');
    expect(r.errors.map((e) => e.errorCode)).to.deep.equal(['XDSUnknownPatientId']);
    expect(await stored(s)).to.deep.equal([]);
    const audits = await added();
    expect(audits.map((a) => [a.eventTypeCode, a.outcome, a.xml.includes('XDSUnknownPatientId')])).to.deep.equal([['ITI-42', 4, true]]);
  });

  it('refuses another facility\'s submission with XDSRegistryMetadataError at the SubmissionSet and the entries: nothing registered, a Security Alert and the failure audit', async () => {
    const s = spec();
    const added = await auditMark(f.store);
    const r = await register(submitObjectsRequest(s), NODE_B);
    expect(r.status).to.equal('Failure');
    expect(r.errors.every((e) => e.errorCode === 'XDSRegistryMetadataError')).to.equal(true);
    expect(r.errors.map((e) => e.location)).to.include(s.submissionSetId).and.to.include(s.docs[0].id);
    expect(r.errors.map((e) => e.codeContext).join(' ')).to.contain('sourceId 1.2.392.999.1').and.to.contain('hosp-b');
    expect(await stored(s)).to.deep.equal([]);
    const audits = await added();
    expect(audits.map((a) => [a.eventId, a.outcome])).to.deep.equal([
      ['110113', 4],
      ['110107', 4],
    ]);
    for (const a of audits) expect(userIds(a)).to.include('CN=hosp-b,O=Test Region');
    expect(audits[0].xml).to.contain('110132');
  });

  it('lets B\'s node register B\'s submission under B, and the operator register A\'s under A', async () => {
    const b = spec();
    expect((await register(asHospB(submitObjectsRequest(b)), NODE_B)).status).to.equal('Success');
    expect((await stored(b)).map((e) => e.facility)).to.deep.equal([HOSP_B.oid, HOSP_B.oid]);
    const a = spec();
    expect((await register(submitObjectsRequest(a), internalContext('operator'))).status).to.equal('Success');
    expect((await stored(a)).map((e) => e.facility)).to.deep.equal([HOSP_A.oid, HOSP_A.oid]);
  });

  it('commits the registration and its audit record in one write: an audit that cannot be written leaves nothing registered', async () => {
    const failing = iti42Transaction({ store: f.store, registry: f.registry, audit: new AuditFailingOnSuccess(f.store, f.config.node), log: silentLogger });
    const s = spec();
    const added = await auditMark(f.store);
    const r = await register(submitObjectsRequest(s), NODE_A, failing);
    expect(r.status).to.equal('Failure');
    expect(r.errors.map((e) => e.errorCode)).to.deep.equal(['XDSRegistryError']);
    expect(await stored(s)).to.deep.equal([]);
    expect((await added()).map((a) => [a.eventTypeCode, a.outcome])).to.deep.equal([['ITI-42', 8]]);
  });
});
