import { expect } from 'chai';
import { FhirError } from '../../fhir/outcome.ts';
import { fromParameters, fromSearchParams } from './parameters.ts';

const fails = (fn: () => unknown): FhirError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof FhirError) return e;
    throw e;
  }
  throw new Error('expected a FhirError');
};

describe('PIXm ITI-83 input (ITI TF-2 3.83.4.1.2)', () => {
  it('reads sourceIdentifier and targetSystem by GET, repeated or comma-separated', () => {
    const q = fromSearchParams(new URLSearchParams('sourceIdentifier=urn:oid:1.2|P1&targetSystem=urn:oid:1.3,urn:oid:1.4&targetSystem=urn:oid:1.5'), false);
    expect(q).to.deep.equal({ source: { system: 'urn:oid:1.2', value: 'P1' }, targetSystems: ['urn:oid:1.3', 'urn:oid:1.4', 'urn:oid:1.5'] });
  });
  it('reads a Parameters resource: valueString, valueUri, or an Identifier for the source', () => {
    const q = fromParameters(
      {
        resourceType: 'Parameters',
        parameter: [
          { name: 'sourceIdentifier', valueIdentifier: { system: 'urn:oid:1.2', value: 'a|b' } },
          { name: 'targetSystem', valueUri: 'urn:oid:1.3' },
        ],
      },
      false,
    );
    expect(q).to.deep.equal({ source: { system: 'urn:oid:1.2', value: 'a|b' }, targetSystems: ['urn:oid:1.3'] });
  });
  it('refuses what the operation does not define, unless lenient; a missing or system-less source; two sources; XML', () => {
    expect(fails(() => fromSearchParams(new URLSearchParams('sourceIdentifier=s|v&x=1'), false)).expression).to.deep.equal(['x']);
    expect(fromSearchParams(new URLSearchParams('sourceIdentifier=s|v&x=1'), true).source.value).to.equal('v');
    expect(fails(() => fromSearchParams(new URLSearchParams(''), false)).code).to.equal('required');
    expect(fails(() => fromSearchParams(new URLSearchParams('sourceIdentifier=v'), false)).code).to.equal('invalid');
    expect(fails(() => fromSearchParams(new URLSearchParams('sourceIdentifier=s|v&sourceIdentifier=s|w'), false)).code).to.equal('invalid');
    expect(fails(() => fromSearchParams(new URLSearchParams('sourceIdentifier=s|v,s|w'), false)).code).to.equal('invalid');
    expect(fails(() => fromSearchParams(new URLSearchParams('sourceIdentifier=s|v&_format=ttl'), false)).status).to.equal(406);
    expect(fails(() => fromParameters({ resourceType: 'Parameters', parameter: [{ name: 'targetSystem', valueIdentifier: { value: 'x' } }] }, false)).code).to.equal('invalid');
  });
});
