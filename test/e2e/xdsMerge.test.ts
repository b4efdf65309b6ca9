/**
 * A patient merge in the XDS affinity domain (ITI-8 A40, ITI TF-2 3.8.4.2.4) as the Document
 * Registry sees it: documents registered under the subsumed ID are found by FindDocuments under the
 * survivor, a query under the subsumed ID returns no content, and a new registration under it is
 * refused with XDSUnknownPatientId. Merge chains are followed to the last survivor.
 */
import { expect } from 'chai';
import { field, type TestServer } from '../helpers/hieServer.ts';
import { adt } from '../helpers/messages.ts';
import { NIST_AFFINITY, XdsClient, expectFailure, expectSchemaValid, expectSuccess, feedPatient, pid, ReplyLog, startXdsServer } from '../helpers/xds.ts';
import { submitObjectsRequest, type SubmissionSpec } from '../helpers/xdsMetadata.ts';
import { findDocuments, idsOf } from '../helpers/xdsQuery.ts';

describe('XDS.b registry after an ITI-8 A40 merge in the affinity domain (e2e)', function () {
  this.timeout(60_000);
  let s: TestServer;
  let c: XdsClient;
  const log = new ReplyLog();
  const affinity = `AFFINITY&${NIST_AFFINITY}&ISO`;

  before(async () => {
    ({ s, c } = await startXdsServer(['M-SUBSUMED', 'M-SURVIVOR', 'M-FIRST']));
  });
  after(async () => {
    await s?.stop();
  });

  const registerDoc = async (patient: string) => {
    const spec: SubmissionSpec = { patientId: pid(patient), docs: [{}] };
    const r = log.add(await c.register(submitObjectsRequest(spec)));
    return { r, uniqueId: spec.docs[0].uniqueId! };
  };
  const uuidOf = async (uniqueId: string) => (await s.app.store.read((tx) => tx.registry.entriesByUniqueId('DocumentEntry', [uniqueId])))[0].uuid;
  const merge = async (survivor: string, subsumed: string) => {
    const ack = await s.send(adt({ event: 'A40', ids: [`${survivor}^^^${affinity}`], mrg: [`${subsumed}^^^${affinity}`] }));
    expect(field(ack, 'MSA', 1), ack).to.equal('AA');
  };

  it('finds the subsumed patient’s documents under the survivor; nothing under the subsumed ID; refuses new registrations under it', async () => {
    const before = await registerDoc('M-SUBSUMED');
    expectSuccess(before.r);
    const own = await registerDoc('M-SURVIVOR');
    expectSuccess(own.r);
    await merge('M-SURVIVOR', 'M-SUBSUMED');

    const survivor = log.add(await c.query(findDocuments(pid('M-SURVIVOR'))));
    expectSuccess(survivor);
    expect(idsOf(survivor).sort()).to.deep.equal([await uuidOf(before.uniqueId), await uuidOf(own.uniqueId)].sort());

    const subsumed = log.add(await c.query(findDocuments(pid('M-SUBSUMED'))));
    expectSuccess(subsumed);
    expect(idsOf(subsumed), 'a query under a subsumed ID returns no content').to.deep.equal([]);

    const refused = await registerDoc('M-SUBSUMED');
    expectFailure(refused.r, 'XDSUnknownPatientId');
    expect(refused.r.xml).to.contain('M-SUBSUMED');
  });

  it('follows a merge chain: the last survivor finds the documents of every ID merged into it', async () => {
    const first = await registerDoc('M-FIRST');
    await merge('M-SURVIVOR', 'M-FIRST');
    await feedPatient(s, 'M-LAST');
    await merge('M-LAST', 'M-SURVIVOR');
    const last = log.add(await c.query(findDocuments(pid('M-LAST'))));
    expect(idsOf(last)).to.include(await uuidOf(first.uniqueId)).and.have.length(3);
    expectFailure(log.add(await c.register(submitObjectsRequest({ patientId: pid('M-SURVIVOR'), docs: [{}] }))), 'XDSUnknownPatientId');
  });

  it('every reply validates against the schemas', () => {
    expectSchemaValid(log.xmls);
  });
});
