import { expect } from 'chai';
import { authorityOfSystem, splitOr, splitToken, systemOf } from './fhirIdentifier.ts';
import { patientResourceId, regionalIdOf } from '../../fhir/patientId.ts';

describe('patient identifier domains as FHIR systems, and Patient ids', () => {
  it('writes an OID as urn:oid:, a namespace that is a URI as it is, any other under urn:hie:domain:', () => {
    expect(systemOf({ namespace: 'HOSP_A', oid: '1.2.392.999.1' })).to.equal('urn:oid:1.2.392.999.1');
    expect(systemOf({ namespace: 'http://example.org/ids', oid: '' })).to.equal('http://example.org/ids');
    expect(systemOf({ namespace: '病院 A', oid: '' })).to.equal('urn:hie:domain:%E7%97%85%E9%99%A2%20A');
  });
  it('reads back each system as the authority it names', () => {
    expect(authorityOfSystem('urn:oid:1.2.392.999.1')).to.deep.equal({ namespace: '', oid: '1.2.392.999.1', type: 'ISO' });
    expect(authorityOfSystem('urn:hie:domain:%E7%97%85%E9%99%A2%20A').namespace).to.equal('病院 A');
    expect(authorityOfSystem('http://example.org/ids')).to.deep.equal({ namespace: 'http://example.org/ids', oid: '', type: '' });
    expect(authorityOfSystem('urn:oid:not-an-oid').oid).to.equal('');
  });
  it('splits tokens and OR lists at unescaped separators only (FHIR R4 3.1.1.4)', () => {
    expect(splitToken('urn:oid:1.2|P1')).to.deep.equal({ system: 'urn:oid:1.2', value: 'P1' });
    expect(splitToken('|P1')).to.deep.equal({ system: '', value: 'P1' });
    expect(splitToken('P1')).to.deep.equal({ value: 'P1' });
    expect(splitToken('s|a\\|b')).to.deep.equal({ system: 's', value: 'a|b' });
    expect(splitOr('a,b\\,c,d')).to.deep.equal(['a', 'b\\,c', 'd']);
  });
  it('keeps a regional ID that fits the FHIR id type as the Patient id, and encodes any other reversibly', () => {
    expect(patientResourceId('R0000000001')).to.equal('R0000000001');
    for (const id of ['地域-1', 'a_b', 'x-ab', 'h-ab', 'a'.repeat(64)]) {
      const encoded = patientResourceId(id);
      expect(encoded).to.match(/^[A-Za-z0-9\-.]{1,64}$/);
      expect(regionalIdOf(encoded), id).to.equal(id);
    }
    const long = [`${'地'.repeat(11)}a`, `${'地'.repeat(11)}b`].map(patientResourceId);
    expect(long[0]).to.match(/^h-[0-9a-f]{62}$/);
    expect(long[0]).to.not.equal(long[1]);
    expect(regionalIdOf(long[0]), 'not read back').to.equal(undefined);
    expect(regionalIdOf('bad id')).to.equal(undefined);
    expect(regionalIdOf('x-zz')).to.equal(undefined);
  });
});
