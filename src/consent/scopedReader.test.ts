import { expect } from 'chai';
import { affinityPid, HOSP_A, readFixture, REPOSITORY, type ReadFixture } from '../../test/helpers/readFixture.ts';
import { AssociationTypes, Status } from '../xds/registry/schemes.ts';

describe('ScopedReader: what a read path may reach', () => {
  let f: ReadFixture;
  let alice: number;
  let bob: number;
  let aliceDocs: string[];
  beforeEach(async () => {
    f = await readFixture();
    alice = await f.patient('SR-A', [{ authority: HOSP_A, id: 'LA' }], 'SATO^HANAKO');
    bob = await f.patient('SR-B', [{ authority: HOSP_A, id: 'LB' }], 'SATO^JIRO');
    const spec = await f.submit({ patientId: affinityPid('SR-A'), docs: [{}, {}, {}], folder: {} }, HOSP_A.oid);
    aliceDocs = spec.docs.map((d) => d.uniqueId!);
    await f.submit({ patientId: affinityPid('SR-B'), docs: [{}] }, HOSP_A.oid);
  });
  afterEach(() => f?.close());

  const regional = () => f.identity.domains.regional;

  it('answers a hidden patient as unknown: no resolution, no person, no identifiers, no records, no search match', async () => {
    f.decisions.hiddenPatients.add(alice);
    await f.read(async (r) => {
      expect(await r.resolve(regional(), 'SR-A')).to.deep.equal({ kind: 'unknown-identifier' });
      expect((await r.resolve(regional(), 'SR-B')).kind).to.equal('person');
      expect(await r.person(alice)).to.equal(undefined);
      expect(await r.recordsOfPerson(alice)).to.deep.equal([]);
      const [rec] = await f.store.read((tx) => tx.identity.recordsOfPerson(alice));
      expect(await r.recordById(rec.id)).to.equal(undefined);
      expect(await r.identifiersOf({ id: alice, token: null, regionalId: 'SR-A', mergedInto: null })).to.deep.equal([]);
      const page = await r.searchRecords({ keys: [{ kind: 'family', key: 'SATO', prefix: false }] }, 10);
      expect([...new Set(page.matches.map((m) => m.personId))]).to.deep.equal([bob]);
      expect(await r.personsOf(alice)).to.deep.equal([]);
    });
  });

  it('leaves withheld documents out of Find reads, and reads on until the limit is met with visible ones', async () => {
    f.decisions.hiddenDocuments.add(aliceDocs[0]);
    f.decisions.hiddenDocuments.add(aliceDocs[1]);
    await f.read(async (r) => {
      const persons = await r.personsOf(alice);
      const c = { kind: 'DocumentEntry' as const, personIds: persons, statuses: [Status.approved] };
      const one = await r.findEntries(c, 1);
      expect(one.map((e) => e.uniqueId)).to.deep.equal([aliceDocs[2]]);
      expect((await r.findEntries(c, 10)).map((e) => e.uniqueId)).to.deep.equal([aliceDocs[2]]);
      expect(await r.entriesByUniqueId('DocumentEntry', aliceDocs)).to.have.length(1);
      const all = await f.store.read((tx) => tx.registry.entriesByUniqueId('DocumentEntry', aliceDocs));
      expect(await r.entries(all.map((e) => e.uuid))).to.have.length(1);
    });
  });

  it('shows an association only when both its ends are visible, and packages by their patient', async () => {
    f.decisions.hiddenDocuments.add(aliceDocs[0]);
    const hidden = await f.entry(aliceDocs[0]);
    await f.read(async (r) => {
      const members = await r.associations({ targets: [hidden.uuid], types: [AssociationTypes.hasMember] }, 100);
      expect(members, 'the SubmissionSet’s and the Folder’s HasMember of the withheld document').to.deep.equal([]);
      const visible = await f.entry(aliceDocs[1]);
      expect(await r.associations({ targets: [visible.uuid] }, 100)).to.have.length(2);
      const sets = await r.findEntries({ kind: 'SubmissionSet', personIds: await r.personsOf(alice), statuses: [Status.approved] }, 10);
      expect(sets).to.have.length(1);
    });
    f.decisions.hiddenPatients.add(alice);
    await f.read(async (r) => {
      const persons = await f.store.read((tx) => tx.registry.personsOf(alice));
      expect(await r.findEntries({ kind: 'SubmissionSet', personIds: persons, statuses: [Status.approved] }, 10)).to.deep.equal([]);
      expect(await r.findEntries({ kind: 'Folder', personIds: persons, statuses: [Status.approved] }, 10)).to.deep.equal([]);
    });
  });

  it('gives a repository document only with a visible DocumentEntry of it', async () => {
    await f.storeDocument(aliceDocs[0], Buffer.from('a'));
    await f.storeDocument('1.2.3.999.unregistered', Buffer.from('u'));
    expect(await f.read((r) => r.repositoryDocument(REPOSITORY, aliceDocs[0]))).to.include({ uniqueId: aliceDocs[0] });
    expect(await f.read((r) => r.repositoryDocument(REPOSITORY, '1.2.3.999.unregistered'))).to.equal(undefined);
    expect(await f.read((r) => r.repositoryDocument(REPOSITORY, '1.2.3.999.unregistered', 'shown'))).to.include({ uniqueId: '1.2.3.999.unregistered' });
    f.decisions.hiddenDocuments.add(aliceDocs[0]);
    expect(await f.read((r) => r.repositoryDocument(REPOSITORY, aliceDocs[0]))).to.equal(undefined);
    expect(await f.read((r) => r.repositoryDocument(REPOSITORY, aliceDocs[0], 'shown')), 'registered here: consent decides').to.equal(undefined);
  });

  it('asks the decisions once per person and request', async () => {
    await f.read(async (r) => {
      const persons = await r.personsOf(alice);
      await r.findEntries({ kind: 'DocumentEntry', personIds: persons, statuses: [Status.approved] }, 10);
      await r.resolve(regional(), 'SR-A');
      await r.entriesByUniqueId('DocumentEntry', aliceDocs);
    });
    expect(f.decisions.views).to.equal(1);
  });

  it('records break-glass after the answer, with what was shown, and not when the read failed', async () => {
    f.decisions.hiddenDocuments.add(aliceDocs[0]);
    f.decisions.glassDocuments.add(aliceDocs[0]);
    const got = await f.read((r) => r.entriesByUniqueId('DocumentEntry', [aliceDocs[0], aliceDocs[1]]));
    expect(got).to.have.length(2);
    expect(f.decisions.recorded).to.have.length(1);
    expect(f.decisions.recorded[0]).to.deep.include({ personId: alice, transaction: 'TEST' });
    expect(f.decisions.recorded[0].items).to.include(aliceDocs[0]);
    await f
      .read(async (r) => {
        await r.entriesByUniqueId('DocumentEntry', [aliceDocs[0]]);
        throw new Error('query failed');
      })
      .catch(() => undefined);
    expect(f.decisions.recorded, 'a failed read shows nothing').to.have.length(1);
    f.decisions.glassPatients.add(bob);
    await f.read((r) => r.resolve(regional(), 'SR-B'));
    expect(f.decisions.recorded.map((x) => x.personId)).to.deep.equal([alice, bob]);
    expect(f.decisions.recorded[1].items).to.deep.equal(['patient SR-B']);
  });
});
