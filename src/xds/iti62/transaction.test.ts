import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { affinityPid, HOSP_A, HOSP_B, readFixture, soapRequest, type ReadFixture } from '../../../test/helpers/readFixture.ts';
import { ACTIONS } from '../../../test/helpers/xds.ts';
import { removeObjectsRequest, type SubmissionSpec } from '../../../test/helpers/xdsMetadata.ts';
import { auditMark, NODE_A, NODE_B, objectIds, responseOf, userIds } from '../../../test/helpers/xdsWrites.ts';
import type { RequestContext } from '../../kernel/requestContext.ts';
import { silentLogger } from '../../kernel/logger.ts';
import type { SoapTransaction } from '../../soap/endpoint.ts';
import { iti62Transaction } from './transaction.ts';

const uuid = () => `urn:uuid:${randomUUID()}`;
const PATIENT = affinityPid('D62-1');

describe('ITI-62 Remove Metadata (the transaction over the registry service)', () => {
  let f: ReadFixture;
  let t: SoapTransaction;
  before(async () => {
    f = await readFixture();
    await f.patient('D62-1');
    t = iti62Transaction({ store: f.store, registry: f.registry, audit: f.audit, log: silentLogger });
  });
  after(() => f?.close());

  /** A submission of one document registered for a facility: the entryUUIDs of its SubmissionSet, DocumentEntry and HasMember. */
  async function submissionOf(facility: string): Promise<string[]> {
    const s: SubmissionSpec = { patientId: PATIENT, submissionSetId: uuid(), docs: [{ id: uuid() }] };
    await f.submit(s, facility);
    const [hm] = await f.store.read((tx) => tx.registry.associations({ sources: [s.submissionSetId!] }, 10));
    return [s.submissionSetId!, s.docs[0].id!, hm.uuid];
  }
  const remove = async (uuids: string[], ctx: RequestContext) => responseOf((await t.handle(soapRequest(ACTIONS.iti62, removeObjectsRequest(uuids), ctx))).bodyXml);
  const registered = async (uuids: string[]) => (await f.store.read((tx) => tx.registry.entries(uuids))).map((e) => e.uuid).sort();

  it('removes the node\'s own entries and audits a Patient Record event, action D, naming every entryUUID removed and the patient (ITI TF-2b 3.62.5.1)', async () => {
    const ids = await submissionOf(HOSP_A.oid);
    const added = await auditMark(f.store);
    expect(await remove(ids, NODE_A)).to.deep.equal({ status: 'Success', errors: [] });
    expect(await registered(ids)).to.deep.equal([]);
    const audits = await added();
    expect(audits.map((a) => [a.eventId, a.action, a.outcome, a.eventTypeCode])).to.deep.equal([['110110', 'D', 0, 'ITI-62']]);
    const objects = objectIds(audits[0]);
    expect(objects).to.include.members([...ids, 'D62-1^^^&1.3.6.1.4.1.21367.2005.3.7&ISO']);
    expect(objects).to.have.length(4);
    expect(userIds(audits[0])).to.include('CN=hosp-a,O=Test Region');
  });

  it('refuses another facility\'s entries with XDSRegistryError at each of them: nothing removed, a Security Alert and the failure audit naming them', async () => {
    const ids = await submissionOf(HOSP_A.oid);
    const added = await auditMark(f.store);
    const r = await remove(ids, NODE_B);
    expect(r.status).to.equal('Failure');
    expect(r.errors.map((e) => e.errorCode)).to.deep.equal(['XDSRegistryError', 'XDSRegistryError', 'XDSRegistryError']);
    expect(r.errors.map((e) => e.location).sort()).to.deep.equal([...ids].sort());
    expect(await registered(ids)).to.deep.equal([...ids].sort());
    const audits = await added();
    expect(audits.map((a) => [a.eventId, a.outcome])).to.deep.equal([
      ['110113', 4],
      ['110110', 4],
    ]);
    for (const a of audits) expect(userIds(a)).to.include('CN=hosp-b,O=Test Region');
    expect(objectIds(audits[1])).to.include.members(ids);
  });

  it('refuses a request mixing the node\'s own entries with another facility\'s as a whole: its own stay too', async () => {
    const own = await submissionOf(HOSP_B.oid);
    const other = await submissionOf(HOSP_A.oid);
    const r = await remove([...own, ...other], NODE_B);
    expect(r.status).to.equal('Failure');
    expect(r.errors.map((e) => e.location).sort()).to.deep.equal([...other].sort());
    expect(await registered([...own, ...other])).to.deep.equal([...own, ...other].sort());
    expect((await remove(own, NODE_B)).status).to.equal('Success');
    expect(await registered(own)).to.deep.equal([]);
  });

  it('answers an entryUUID the registry does not hold with UnresolvedReferenceException, removing nothing', async () => {
    const ids = await submissionOf(HOSP_A.oid);
    const unknown = uuid();
    const r = await remove([...ids, unknown], NODE_A);
    expect(r.errors.map((e) => [e.errorCode, e.location])).to.deep.equal([['UnresolvedReferenceException', unknown]]);
    expect(await registered(ids)).to.have.length(3);
  });
});
