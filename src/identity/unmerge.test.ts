import { expect } from 'chai';
import { HOSP_A, HOSP_B, readFixture, type ReadFixture } from '../../test/helpers/readFixture.ts';
import { IdentityError } from './errors.ts';
import type { DomainIdentifier } from './service.ts';

describe('identity service: unmerge (undoing an ITI-8 A40 merge)', () => {
  let f: ReadFixture;
  const demographics = (family: string) => ({ fields: { 5: [[[family], ['TARO']]], 7: [[['19700101']]], 8: [[['M']]] } });
  const local = (authority: typeof HOSP_A, id: string) => f.store.read(async (tx) => ({ domain: (await f.identity.domains.find(tx, authority))!, id }));
  const feed = (ids: DomainIdentifier[], family: string) => f.store.write((tx) => f.identity.registerFeed(tx, { identifiers: ids, demographics: demographics(family) }));
  const merge = (survivor: DomainIdentifier, prior: DomainIdentifier) =>
    f.store.write((tx) => f.identity.mergeFeed(tx, { identifiers: [survivor], demographics: demographics('SURVIVOR'), priors: [prior] }));
  const resolve = (i: DomainIdentifier) => f.store.read(async (tx) => {
    const r = await f.identity.resolve(tx, i.domain, i.id);
    return r.kind === 'person' ? r.person.id : undefined;
  });
  const unmerge = (i: DomainIdentifier) => f.store.write((tx) => f.identity.unmerge(tx, i, 'registered as the wrong patient'));
  const refusal = async (i: DomainIdentifier) => {
    try {
      await unmerge(i);
    } catch (e) {
      if (e instanceof IdentityError) return e.reason;
      throw e;
    }
    return 'unmerged';
  };

  before(async () => {
    f = await readFixture();
  });
  after(() => f?.close());

  it('gives the prior ID back its patient, the records that patient brought, and its search keys', async () => {
    const a1 = await local(HOSP_A, 'UM-A1');
    const a2 = await local(HOSP_A, 'UM-A2');
    const b2 = await local(HOSP_B, 'UM-B2');
    const survivor = (await feed([a1], 'KEEP')).personId;
    const prior = (await feed([a2, b2], 'SPLIT')).personId;
    await merge(a1, a2);
    expect(await resolve(a2)).to.equal(survivor);
    expect(await resolve(b2), 'the prior patient\'s other facility follows it').to.equal(survivor);
    const out = await unmerge(a2);
    expect(out).to.deep.equal({ survivorPersonId: survivor, priorPersonId: prior });
    expect(await resolve(a2)).to.equal(prior);
    expect(await resolve(b2)).to.equal(prior);
    expect(await resolve(a1)).to.equal(survivor);
    const found = await f.store.read((tx) => tx.identity.searchRecords({ keys: [{ kind: 'family', key: 'SPLIT', prefix: false }] }, 10));
    expect(found.matches.map((m) => m.personId), 'found by its own name again').to.include(prior);
    expect(await refusal(a2), 'once').to.equal('not-merged');
  });

  it('unmerges within one patient: the prior ID is active again on the same patient', async () => {
    const a = await local(HOSP_A, 'UM-S1');
    const b = await local(HOSP_A, 'UM-S2');
    const person = (await feed([a, b], 'SAME')).personId;
    await merge(a, b);
    expect((await f.store.read((tx) => tx.identity.recordsOfPerson(person))).map((r) => r.localId)).to.deep.equal(['UM-S1']);
    await unmerge(b);
    expect((await f.store.read((tx) => tx.identity.recordsOfPerson(person))).map((r) => r.localId)).to.deep.equal(['UM-S1', 'UM-S2']);
  });

  it('refuses an ID never merged, and one whose survivor was merged since (undo that first), changing nothing', async () => {
    expect(await refusal(await local(HOSP_A, 'UM-NONE'))).to.equal('not-merged');
    const x1 = await local(HOSP_A, 'UM-X1');
    const x2 = await local(HOSP_A, 'UM-X2');
    const x3 = await local(HOSP_A, 'UM-X3');
    await feed([x1], 'X');
    await feed([x2], 'X');
    const p3 = (await feed([x3], 'X')).personId;
    await merge(x2, x1);
    await merge(x3, x2);
    expect(await resolve(x1)).to.equal(p3);
    expect(await refusal(x1)).to.equal('merged-since');
    expect(await resolve(x1), 'nothing changed').to.equal(p3);
    await unmerge(x2);
    await unmerge(x1);
    expect(new Set([await resolve(x1), await resolve(x2), await resolve(x3)]).size).to.equal(3);
  });
});
