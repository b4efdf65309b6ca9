import { expect } from 'chai';
import { HOSP_A, HOSP_B, readFixture, type ReadFixture } from '../../test/helpers/readFixture.ts';
import { crossReferences } from './crossReferences.ts';

const none = { namespace: '', oid: '', type: '' };

describe('cross-references (the PIX query service)', () => {
  let f: ReadFixture;
  let person: number;
  before(async () => {
    f = await readFixture();
    person = await f.patient('XR-1', [
      { authority: HOSP_A, id: 'A-1' },
      { authority: HOSP_B, id: 'B-1' },
    ]);
  });
  afterEach(() => {
    f.decisions.hiddenPatients.clear();
    f.decisions.glassPatients.clear();
  });
  after(() => f?.close());

  it('gives the other identifiers of the patient, the queried one left out, limited to the wanted domains', async () => {
    const all = await f.read((r) => crossReferences(r, { id: 'A-1', authority: HOSP_A, whatDomains: [] }));
    expect(all.kind).to.equal('found');
    if (all.kind !== 'found') return;
    expect(all.key).to.deep.include({ id: 'A-1' });
    expect(all.identifiers.map((i) => `${i.id}@${i.domain.key}`)).to.have.members(['B-1@1.2.392.999.2', `XR-1@${f.identity.domains.regional.key}`]);
    const onlyB = await f.read((r) => crossReferences(r, { id: 'A-1', authority: HOSP_A, whatDomains: [none, { ...HOSP_B, namespace: '' }] }));
    expect(onlyB.kind === 'found' && onlyB.identifiers.map((i) => i.id)).to.deep.equal(['B-1']);
  });

  it('names each problem: no identifier, an unknown domain, an unknown what-domain by position', async () => {
    expect(await f.read((r) => crossReferences(r, { id: '', authority: HOSP_A, whatDomains: [] }))).to.deep.equal({ kind: 'invalid', problems: [{ reason: 'no-identifier' }] });
    const unknown = { namespace: 'NOWHERE', oid: '1.2.392.999.77', type: 'ISO' };
    expect(await f.read((r) => crossReferences(r, { id: 'A-1', authority: unknown, whatDomains: [HOSP_B, unknown] }))).to.deep.equal({
      kind: 'invalid',
      problems: [{ reason: 'unknown-domain' }, { reason: 'unknown-what-domain', index: 1 }],
    });
  });

  it('answers a patient the requester may not find exactly as an unknown identifier', async () => {
    const unknownId = await f.read((r) => crossReferences(r, { id: 'A-404', authority: HOSP_A, whatDomains: [] }));
    f.decisions.hiddenPatients.add(person);
    const hidden = await f.read((r) => crossReferences(r, { id: 'A-1', authority: HOSP_A, whatDomains: [] }));
    expect(hidden).to.deep.equal(unknownId).and.to.deep.equal({ kind: 'invalid', problems: [{ reason: 'unknown-identifier' }] });
  });

  it('finds a hidden patient under break-glass, and the read records it', async () => {
    f.decisions.hiddenPatients.add(person);
    f.decisions.glassPatients.add(person);
    const before = f.decisions.recorded.length;
    const got = await f.read((r) => crossReferences(r, { id: 'B-1', authority: HOSP_B, whatDomains: [] }));
    expect(got.kind).to.equal('found');
    expect(f.decisions.recorded.slice(before)).to.deep.equal([{ personId: person, transaction: 'TEST', items: ['patient XR-1'] }]);
  });
});
