import { expect } from 'chai';
import { derivedUniqueIds, derivedUuid, hl7TimeToUtcDtm } from './documentMetadata.ts';
import { isUuid } from '../ebxml/rim.ts';

describe('clinical document metadata', () => {
  it('writes hospital times (JST unless they carry an offset) in UTC at their own precision', () => {
    expect(hl7TimeToUtcDtm('20110701103045')).to.equal('20110701013045');
    expect(hl7TimeToUtcDtm('201107010830')).to.equal('201106302330');
    expect(hl7TimeToUtcDtm('20111220224447.3399')).to.equal('20111220134447');
    expect(hl7TimeToUtcDtm('20240401120000+0000')).to.equal('20240401120000');
    expect(hl7TimeToUtcDtm('20240401')).to.equal('20240401');
    expect(hl7TimeToUtcDtm('2024')).to.equal('2024');
    expect(hl7TimeToUtcDtm('')).to.equal(undefined);
    expect(hl7TimeToUtcDtm('2024010')).to.equal(undefined);
  });

  it('derives the same uniqueIds and entryUUID from the same source, others from another', () => {
    const a = derivedUniqueIds('2.999.1', 'F', 'a/b', 'sha');
    expect(a).to.deep.equal(derivedUniqueIds('2.999.1', 'F', 'a/b', 'sha'));
    expect(a.document).to.match(/^2\.999\.1\.1\.[1-9]\d*$/);
    expect(a.submissionSet).to.equal(a.document.replace('2.999.1.1.', '2.999.1.2.'));
    expect(a.document.length).to.be.at.most(64);
    expect(derivedUniqueIds('2.999.1', 'F', 'a/b', 'other').document).to.not.equal(a.document);
    const u = derivedUuid('x', a.document);
    expect(isUuid(u)).to.equal(true);
    expect(u).to.equal(derivedUuid('x', a.document));
    expect(u.slice(9 + 14, 9 + 15)).to.equal('5');
  });
});
