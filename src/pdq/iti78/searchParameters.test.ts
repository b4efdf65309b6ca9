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
    const s = parse('family=ﾔﾏﾀﾞ&given:exact=太郎&birthdate=1970-01&gender=male&address=東京都&telecom=03-1234-5678');
    expect(s.query).to.deep.equal({
      keys: [
        { kind: 'family', key: 'ヤマダ', prefix: true },
        { kind: 'given', key: '太郎', prefix: false },
        { kind: 'address', key: '東京都', prefix: true },
        { kind: 'phone', key: '0312345678', prefix: false },
      ],
      birthDate: '197001',
      sex: 'M',
    });
    expect(s.exact).to.deep.equal({ family: [], given: ['太郎'] });
  });
  it('takes identifier system|value (OR by comma) and _id as identifiers', () => {
    expect(parse('identifier=urn:oid:1.2|P1,urn:oid:1.2|P2').identifiers.map((i) => `${i.authority.oid}|${i.id}`)).to.deep.equal(['1.2|P1', '1.2|P2']);
    expect(parse('_id=R0000000001').identifiers).to.deep.equal([{ id: 'R0000000001', authority: REGIONAL }]);
  });
  it('refuses what it does not support with the right issue code', () => {
    expect(code('family:contains=x')).to.equal('400 not-supported');
    expect(code('name=x')).to.equal('400 not-supported');
    expect(code('family=a,b')).to.equal('400 not-supported');
    expect(code('birthdate=1970-13-01')).to.equal('400 invalid');
    expect(code('birthdate=ge1970')).to.equal('400 not-supported');
    expect(code('gender=f')).to.equal('400 code-invalid');
    expect(code('identifier=P1')).to.equal('400 not-supported');
    expect(code('identifier=s|1&_id=R1')).to.equal('400 not-supported');
    expect(code('telecom=email|a@b.jp')).to.equal('400 not-supported');
    expect(code('_id=not an id')).to.equal('400 invalid');
    expect(code('family=x&_format=xml')).to.equal('406 not-supported');
    expect(parse('family=x&colour=red', true).query.keys).to.have.length(1);
  });
  it('pages by _count, at most the maximum', () => {
    expect(pageSize(new URLSearchParams(''), 50, 1000)).to.equal(50);
    expect(pageSize(new URLSearchParams('_count=5000'), 50, 1000)).to.equal(1000);
    expect(() => pageSize(new URLSearchParams('_count=0'), 50, 1000)).to.throw(FhirError);
  });
});
