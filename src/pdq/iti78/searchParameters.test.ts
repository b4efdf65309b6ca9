import { expect } from 'chai';
import { FhirError } from '../../fhir/outcome.ts';
import { pageSize, parseSearch } from './searchParameters.ts';

const REGIONAL = { namespace: 'REGION', oid: '2.999.392.1.2', type: 'ISO' };
const parse = (q: string, lenient = false) => parseSearch(new URLSearchParams(q), REGIONAL, lenient);
const code = (q: string) => {
  try {
    parse(q);
  } catch (e) {
    if (e instanceof FhirError) return `${e.status} ${e.code}`;
    throw e;
  }
  return 'accepted';
};

describe('PDQm ITI-78 search parameters as a demographic query (ITI TF-2 3.78.4.1.2)', () => {
  it('makes the keys ITI-21 searches by: names folded (kana, width), starts-with unless :exact', () => {
    const s = parse('family=ﾔﾏﾀﾞ&given:exact=太郎&birthdate=1970-01&gender=male&address=東京都&address-postalcode=100-0001&telecom=03-1234-5678');
    expect(s.query).to.deep.equal({
      keys: [
        { kind: 'family', key: 'ヤマダ', prefix: true },
        { kind: 'given', key: '太郎', prefix: false },
        { kind: 'address', key: '東京都', prefix: true },
        { kind: 'addr.5', key: '1000001', prefix: true },
        { kind: 'phone', key: '0312345678', prefix: false },
      ],
      birthDate: '197001',
      sex: 'M',
    });
    // :exact also asks for the whole string, casing included.
    expect(s.refinements).to.have.length(1);
    const taro = { fields: { 5: [[['山田'], ['太郎']]] } };
    expect(s.refinements[0](taro)).to.equal(true);
    expect(s.refinements[0]({ fields: { 5: [[['山田'], ['太郎丸']]] } })).to.equal(false);
  });
  it('takes identifiers: a list is OR, repeated is AND, no system any domain, system| the domains answered', () => {
    const s = parse('identifier=urn:oid:1.2|P1,P2&identifier=urn:oid:1.3|Q1&_id=R0000000001&identifier=urn:oid:1.4|,urn:oid:1.5|');
    expect(s.identifiers).to.deep.equal([
      [{ id: 'P1', authority: { namespace: '', oid: '1.2', type: 'ISO' } }, { id: 'P2' }],
      [{ id: 'Q1', authority: { namespace: '', oid: '1.3', type: 'ISO' } }],
      [{ id: 'R0000000001', authority: REGIONAL, logicalId: true }],
    ]);
    expect(s.whatDomains.map((d) => d.oid)).to.deep.equal(['1.4', '1.5']);
  });

  it('selects an OR list by any of its values', () => {
    expect(parse('family=ヤマダ,髙橋&telecom=031234,0312').query.keys).to.deep.equal([
      { kind: 'family', key: 'ヤマダ', prefix: true, or: [{ key: '高橋', prefix: true }] },
      { kind: 'phone', key: '031234', prefix: false, or: [{ key: '0312', prefix: false }] },
    ]);
  });

  it('compares birth dates as ranges at their precision (FHIR R4 date search prefixes)', () => {
    const born = (d: string) => ({ fields: { 7: [[[d]]] } });
    const test = (q: string, d: string) => parse(`family=x&${q}`).refinements.every((r) => r(born(d)));
    expect(parse('birthdate=1970').query.birthDate).to.equal('1970');
    expect(test('birthdate=ge1970-01-01', '19700101')).to.equal(true);
    expect(test('birthdate=ge1970-01-01', '19691231')).to.equal(false);
    expect(test('birthdate=lt1970', '19691231')).to.equal(true);
    expect(test('birthdate=lt1970', '19700601')).to.equal(false);
    expect(test('birthdate=gt1970-12', '19710101')).to.equal(true);
    expect(test('birthdate=gt1970-12', '19701231')).to.equal(false);
    expect(test('birthdate=le1970-02-28', '19700228')).to.equal(true);
    expect(test('birthdate=ne1970', '19700228')).to.equal(false);
    expect(test('birthdate=ge1970&birthdate=lt1980', '19751010')).to.equal(true);
    expect(test('birthdate=ge1970&birthdate=lt1980', '19801010')).to.equal(false);
    expect(test('birthdate=sa1970', '1971')).to.equal(true);
    expect(test('birthdate=eb1970-06', '19700531')).to.equal(true);
  });
  it('refuses what it does not support with the right issue code', () => {
    expect(code('family:contains=x')).to.equal('400 not-supported');
    expect(code('name=x')).to.equal('400 not-supported');
    expect(code('family=a,')).to.equal('400 invalid');
    expect(code('birthdate=1970-13-01')).to.equal('400 invalid');
    expect(code('birthdate=ap1970')).to.equal('400 not-supported');
    expect(code('gender=f')).to.equal('400 code-invalid');
    expect(code('identifier=urn:oid:1.2|,urn:oid:1.2|P1')).to.equal('400 not-supported');
    expect(code('active=maybe')).to.equal('400 invalid');
    expect(code('telecom=email|a@b.jp')).to.equal('400 not-supported');
    expect(code('_id=not an id')).to.equal('400 invalid');
    expect(code('family=x&_format=html')).to.equal('406 not-supported');
    expect(parse('family=x&colour=red', true).query.keys).to.have.length(1);
  });
  it('pages by _count, at most the maximum', () => {
    expect(pageSize(new URLSearchParams(''), 50, 1000)).to.equal(50);
    expect(pageSize(new URLSearchParams('_count=5000'), 50, 1000)).to.equal(1000);
    expect(() => pageSize(new URLSearchParams('_count=0'), 50, 1000)).to.throw(FhirError);
  });
});
