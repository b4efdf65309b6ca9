import { expect } from 'chai';
import { authorityName, IndividualNumberDomain } from './domain.ts';

const domain = new IndividualNumberDomain({ namespace: 'MYNUMBER', oid: '2.999.392.1.9', authorities: ['JP-MN'], typeCodes: ['MN'] });

describe('individual-number domain', () => {
  it('names the domain whatever the spelling of its OID or namespace', () => {
    for (const a of ['2.999.392.1.9', 'urn:oid:2.999.392.1.9', 'URN:OID:2.999.392.1.9', ' 2.999.392.1.9 ', 'urn:oid: 2.999.392.1.9', '２．９９９．３９２．１．９', 'MYNUMBER', 'mynumber', ' MyNumber ', 'ＭＹＮＵＭＢＥＲ', 'jp-mn']) {
      expect(domain.isAuthority(a), a).to.equal(true);
    }
    for (const a of ['2.999.392.1', '2.999.392.1.91', '1.2.392.1.9', 'MYNUMBERS', '', undefined]) expect(domain.isAuthority(a), String(a)).to.equal(false);
    expect(authorityName(' urn:oid:1.2.3 ')).to.equal('1.2.3');
  });

  it('takes either part of CX-4, or the CX-5 type code', () => {
    expect(domain.isIndividualNumber({ namespace: 'MYNUMBER' })).to.equal(true);
    expect(domain.isIndividualNumber({ oid: 'urn:oid:2.999.392.1.9' })).to.equal(true);
    expect(domain.isIndividualNumber({ namespace: '2.999.392.1.9' })).to.equal(true);
    expect(domain.isIndividualNumber({ namespace: 'HOSP', oid: '1.2.3' }, ' mn ')).to.equal(true);
    expect(domain.isIndividualNumber({ namespace: 'HOSP', oid: '1.2.3' }, 'PI')).to.equal(false);
  });

  it('finds the domain named in text, in plain text or in character references, percent-encoding and JSON escapes', () => {
    expect(domain.mentionedIn('x^^^&2.999.392.1.9&ISO')).to.equal(true);
    expect(domain.mentionedIn('x^^^&#x32;&#46;999.392.1.9')).to.equal(true);
    expect(domain.mentionedIn('urn%3Aoid%3A2%2E999%2E392%2E1%2E9%7C1')).to.equal(true);
    expect(domain.mentionedIn('"\\u0032.999.392.1.9"')).to.equal(true);
    expect(domain.mentionedIn('x^^^&1.2.3&ISO')).to.equal(false);
    expect(domain.typeCodeMentionedIn('123^^^^MN')).to.equal(true);
    expect(domain.typeCodeMentionedIn('123^^^^MNO')).to.equal(false);
  });
});
