import { expect } from 'chai';
import { compareAnswers, entryUuids, errorPart } from './answers.ts';

describe('bench:xds ITI-18 answers of two engines', () => {
  const answer = (...ids: string[]) => `<rim:RegistryObjectList>${ids.map((id) => `<rim:ExtrinsicObject mimeType="text/xml" id="${id}" status="x"><rim:Slot/></rim:ExtrinsicObject>`).join('')}</rim:RegistryObjectList>`;

  it('reads the entries of an answer, sorted', () => {
    expect(entryUuids(answer('urn:uuid:b', 'urn:uuid:a'))).to.deep.equal(['urn:uuid:a', 'urn:uuid:b']);
    expect(entryUuids('<rim:RegistryObjectList/>')).to.deep.equal([]);
  });

  it('finds the same entries the same, and names the first query that differs', () => {
    expect(compareAnswers([['a', 'b'], ['c']], [['a', 'b'], ['c']])).to.equal(undefined);
    expect(compareAnswers([['a', 'b'], ['c']], [['a', 'b'], ['d']])).to.match(/^query 2: 1 entries \[c/);
    expect(compareAnswers([['a']], [])).to.equal('1 answers against 0');
  });

  it('prints the RegistryErrorList of a failure, or the start of an answer without one', () => {
    const failure = `<env:Envelope><env:Header>${'h'.repeat(2000)}</env:Header><rs:RegistryResponse><rs:RegistryErrorList><rs:RegistryError errorCode="XDSRegistryError"/></rs:RegistryErrorList>`;
    expect(errorPart(failure)).to.match(/^<rs:RegistryErrorList><rs:RegistryError errorCode="XDSRegistryError"/);
    expect(errorPart('<html>busy</html>', 6)).to.equal('<html>');
  });
});
