/**
 * The XDS registry and repository part of the store behaviour suite: what tx.registry and
 * tx.repository promise, run by every engine beside storeSuite (same factory).
 */
import { expect } from 'chai';
import { emptyBase, type Association, type ExtrinsicObject } from '../ebxml/rim.ts';
import type { EntryCriteria, NewEntry } from '../xds/registry/entries.ts';
import { associationIndex, type EntryIndex } from '../xds/registry/metadata.ts';
import type { StoreFactory } from './store.suite.ts';
import type { Store } from './types.ts';

const APPROVED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved';
const DEPRECATED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated';
const STABLE = 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1';
const ON_DEMAND = 'urn:uuid:34268e47-fdf5-41a6-ba33-82133c465248';
const HAS_MEMBER = 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember';

let n = 0;
const id = () => `urn:uuid:00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

function doc(personId: number, index: Partial<EntryIndex> = {}, over: Partial<NewEntry> = {}): NewEntry {
  const uuid = over.uuid ?? id();
  const object: ExtrinsicObject = { ...emptyBase(uuid), type: 'ExtrinsicObject', objectType: index.objectType ?? STABLE, mimeType: 'text/plain' };
  return {
    uuid,
    kind: 'DocumentEntry',
    lid: over.lid ?? uuid,
    version: over.version ?? 1,
    status: over.status ?? APPROVED,
    personId,
    object,
    facility: over.facility ?? null,
    index: { kind: 'DocumentEntry', objectType: STABLE, codes: [], authors: [], referenceIds: [], ...index },
  };
}

function assoc(source: string, target: string, type = HAS_MEMBER, status = APPROVED): NewEntry {
  const uuid = id();
  const object: Association = { ...emptyBase(uuid), type: 'Association', associationType: type, sourceObject: source, targetObject: target };
  return { uuid, kind: 'Association', lid: uuid, version: 1, status, personId: null, object, facility: null, index: associationIndex() };
}

export function registryStoreSuite(engine: string, factory: StoreFactory): void {
  describe(`store behaviour: XDS registry and repository (${engine})`, () => {
    let store: Store;
    let person: number;
    let other: number;
    beforeEach(async () => {
      store = await factory.open();
      [person, other] = await store.write(async (tx) => [(await tx.identity.createPerson(null, { prefix: 'R' })).id, (await tx.identity.createPerson(null, { prefix: 'R' })).id]);
    });
    afterEach(async () => {
      await store.close().catch(() => undefined);
    });
    const insert = (...entries: NewEntry[]) => store.write(async (tx) => {
      for (const e of entries) await tx.registry.insertEntry(e);
    });
    const find = (c: Partial<EntryCriteria>, limit = 100) =>
      store.read((tx) => tx.registry.findEntries({ kind: 'DocumentEntry', personIds: [person], statuses: [APPROVED], ...c }, limit)).then((r) => r.map((e) => e.uuid));

    it('keeps entries across a reopen, with their object, status, lid and version applied', async () => {
      const d = doc(person, { uniqueId: '1.2.3.1', hash: 'ab', size: 3, repositoryUniqueId: '1.2.3' }, { facility: '1.2.392.999.1' });
      const unknownFacility = doc(person);
      await insert(d, unknownFacility);
      await store.close();
      store = await factory.reopen();
      const [e] = await store.read((tx) => tx.registry.entries([d.uuid]));
      expect(e).to.include({ uuid: d.uuid, kind: 'DocumentEntry', status: APPROVED, uniqueId: '1.2.3.1', hash: 'ab', size: 3, repositoryUniqueId: '1.2.3', personId: person, facility: '1.2.392.999.1' });
      expect((await store.read((tx) => tx.registry.entries([unknownFacility.uuid])))[0].facility).to.equal(null);
      expect(e.object.lid).to.equal(d.uuid);
      expect(e.object.versionName).to.equal('1');
      expect((await store.read((tx) => tx.registry.entriesByUniqueId('DocumentEntry', ['1.2.3.1']))).map((x) => x.uuid)).to.deep.equal([d.uuid]);
      expect(await store.read((tx) => tx.registry.entriesByUniqueId('Folder', ['1.2.3.1']))).to.deep.equal([]);
    });

    it('lists the versions of a logical object oldest first, and changes a status', async () => {
      const v1 = doc(person);
      const v2 = doc(person, {}, { lid: v1.uuid, version: 2 });
      await insert(v2, v1);
      await store.write((tx) => tx.registry.setStatus(v1.uuid, DEPRECATED));
      const all = await store.read((tx) => tx.registry.entriesByLid([v1.uuid]));
      expect(all.map((e) => [e.version, e.status])).to.deep.equal([
        [1, DEPRECATED],
        [2, APPROVED],
      ]);
      expect(all[1].object.lid).to.equal(v1.uuid);
    });

    it('finds documents by person, status and objectType, in insertion order, at most `limit`', async () => {
      const a = doc(person);
      const b = doc(person, { objectType: ON_DEMAND });
      const c = doc(person, {}, { status: DEPRECATED });
      const d = doc(other);
      await insert(a, b, c, d);
      expect(await find({ objectTypes: [STABLE] })).to.deep.equal([a.uuid]);
      expect(await find({ objectTypes: [STABLE, ON_DEMAND] })).to.deep.equal([a.uuid, b.uuid]);
      expect(await find({ statuses: [DEPRECATED] })).to.deep.equal([c.uuid]);
      expect(await find({ personIds: [person, other], statuses: [APPROVED, DEPRECATED] }, 2)).to.deep.equal([a.uuid, b.uuid]);
      expect(await find({ personIds: [] })).to.deep.equal([]);
    });

    it('filters times: From inclusive, To exclusive, at any precision; absent values and exempt types pass', async () => {
      const full = doc(person, { creationTime: '20230615123045', serviceStartTime: '20230615' });
      const year = doc(person, { creationTime: '2022' });
      const od = doc(person, { objectType: ON_DEMAND });
      await insert(full, year, od);
      const t = (column: 'creationTime' | 'serviceStartTime', from?: string, to?: string, more: object = {}) => find({ objectTypes: [STABLE, ON_DEMAND], times: [{ column, from, to, ...more }] });
      expect(await t('creationTime', '2023', '2024')).to.deep.equal([full.uuid]);
      expect(await t('creationTime', '2022', '2023')).to.deep.equal([year.uuid]);
      expect(await t('creationTime', undefined, '20230615123045')).to.deep.equal([year.uuid]);
      expect(await t('creationTime', '20230615123045', '20230615123046')).to.deep.equal([full.uuid]);
      expect(await t('creationTime', '2030', undefined, { exemptObjectType: ON_DEMAND })).to.deep.equal([od.uuid]);
      expect(await t('serviceStartTime', '2024')).to.deep.equal([]);
      expect(await t('serviceStartTime', '2024', undefined, { absentMatches: true })).to.deep.equal([year.uuid, od.uuid]);
    });

    it('matches codes (OR within a group, AND across groups), author LIKE patterns and reference ids', async () => {
      const a = doc(person, { codes: [{ attr: 'eventCodeList', code: 'e1^^s' }, { attr: 'eventCodeList', code: 'e2^^s' }], authors: ['^山田^花子^^^'], referenceIds: ['R1'] });
      const b = doc(person, { codes: [{ attr: 'eventCodeList', code: 'e1^^s' }], authors: ['^100%^x^^^'] });
      await insert(a, b);
      expect(await find({ codes: [{ attr: 'eventCodeList', codes: ['e1^^s', 'e9^^s'] }] })).to.deep.equal([a.uuid, b.uuid]);
      expect(await find({ codes: [{ attr: 'eventCodeList', codes: ['e1^^s'] }, { attr: 'eventCodeList', codes: ['e2^^s'] }] })).to.deep.equal([a.uuid]);
      expect(await find({ codes: [{ attr: 'classCode', codes: ['e1^^s'] }] }), 'a code of another attribute').to.deep.equal([]);
      expect(await find({ authors: ['%山田%'] })).to.deep.equal([a.uuid]);
      expect(await find({ authors: ['^山田_花子%'] })).to.deep.equal([a.uuid]);
      expect(await find({ authors: ['^100\\%%'] }), 'an escaped % is a literal').to.deep.equal([b.uuid]);
      expect(await find({ referenceIds: ['R1', 'R2'] })).to.deep.equal([a.uuid]);
    });

    it('finds associations by either end, type and status', async () => {
      const d1 = doc(person);
      const d2 = doc(person);
      const hm = assoc('urn:uuid:ss', d1.uuid);
      const rplc = assoc(d2.uuid, d1.uuid, 'urn:ihe:iti:2007:AssociationType:RPLC', DEPRECATED);
      await insert(d1, d2, hm, rplc);
      const ids = (r: { uuid: string }[]) => r.map((e) => e.uuid);
      expect(ids(await store.read((tx) => tx.registry.associations({ targets: [d1.uuid] }, 10)))).to.deep.equal([hm.uuid, rplc.uuid]);
      expect(ids(await store.read((tx) => tx.registry.associations({ sources: [d2.uuid] }, 10)))).to.deep.equal([rplc.uuid]);
      expect(ids(await store.read((tx) => tx.registry.associations({ either: [d2.uuid], types: [HAS_MEMBER] }, 10)))).to.deep.equal([]);
      expect(ids(await store.read((tx) => tx.registry.associations({ targets: [d1.uuid], statuses: [APPROVED] }, 10)))).to.deep.equal([hm.uuid]);
      expect(await store.read((tx) => tx.registry.associations({}, 10)), 'no end given: nothing').to.deep.equal([]);
    });

    it('replaces an object and deletes entries with everything they are found by', async () => {
      const d = doc(person, { codes: [{ attr: 'classCode', code: 'c^^s' }], authors: ['^A^^^^'] });
      await insert(d);
      await store.write((tx) => tx.registry.replaceObject({ ...d, index: { ...d.index, codes: [{ attr: 'classCode', code: 'k^^s' }] } }));
      expect(await find({ codes: [{ attr: 'classCode', codes: ['c^^s'] }] })).to.deep.equal([]);
      expect(await find({ codes: [{ attr: 'classCode', codes: ['k^^s'] }] })).to.deep.equal([d.uuid]);
      await store.write((tx) => tx.registry.deleteEntries([d.uuid]));
      expect(await store.read((tx) => tx.registry.entries([d.uuid]))).to.deep.equal([]);
      expect(await find({ authors: ['%'] })).to.deep.equal([]);
    });

    it('counts the persons merged into a survivor, along the chain', async () => {
      const third = await store.write((tx) => tx.identity.createPerson(null, { prefix: 'R' }));
      await store.write(async (tx) => {
        await tx.identity.mergePerson(other, person);
        await tx.identity.mergePerson(person, third.id);
      });
      expect((await store.read((tx) => tx.registry.personsOf(third.id))).sort()).to.deep.equal([person, other, third.id].sort());
      expect(await store.read((tx) => tx.registry.personsOf(other))).to.deep.equal([other]);
    });

    it('keeps nothing of a registration that fails part way', async () => {
      const d = doc(person);
      const failing = store.write(async (tx) => {
        await tx.registry.insertEntry(d);
        await tx.repository.putDocument({ uniqueId: '9.9', repositoryUniqueId: '1.2', mimeType: 'text/plain', hash: 'aa', size: 1, blob: 'aa' });
        throw new Error('boom');
      });
      expect(await failing.then(() => 'ok', (e: Error) => e.message)).to.equal('boom');
      expect(await store.read((tx) => tx.registry.entries([d.uuid]))).to.deep.equal([]);
      expect(await store.read((tx) => tx.repository.documents('1.2', ['9.9']))).to.deep.equal([]);
    });

    it('holds repository documents by repository and uniqueId, once, and counts blob references', async () => {
      const put = (uniqueId: string, blob: string) => store.write((tx) => tx.repository.putDocument({ uniqueId, repositoryUniqueId: '1.2', mimeType: 'application/pdf', hash: blob, size: 10, blob }));
      await put('1.1', 'b1');
      await put('1.1', 'b2');
      await put('1.2', 'b1');
      const [d] = await store.read((tx) => tx.repository.documents('1.2', ['1.1']));
      expect(d).to.include({ uniqueId: '1.1', blob: 'b1', mimeType: 'application/pdf', size: 10 });
      expect(await store.read((tx) => tx.repository.documents('9.9', ['1.1']))).to.deep.equal([]);
      expect(await store.read((tx) => tx.repository.blobReferences('b1'))).to.equal(2);
      expect(await store.read((tx) => tx.repository.blobReferences('b2'))).to.equal(0);
    });
  });
}
