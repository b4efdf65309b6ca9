import { expect } from 'chai';
import { FhirError } from './outcome.ts';
import { isLenient, supportedParameters } from './searchHandling.ts';

describe('FHIR search handling (strict by default)', () => {
  const supported = new Map([
    ['family', ['', 'exact']],
    ['_count', ['']],
  ]);
  it('keeps supported parameters and modifiers', () => {
    const kept = supportedParameters(new URLSearchParams('family=a&family:exact=B&_count=2'), supported, false);
    expect([...kept]).to.deep.equal([['family', 'a'], ['family:exact', 'B'], ['_count', '2']]);
  });
  it('refuses unknown parameters and modifiers with 400 not-supported naming each, unless lenient', () => {
    const params = new URLSearchParams('family:contains=a&colour=red&colour=blue&family=b');
    try {
      supportedParameters(params, supported, false);
      expect.fail('refused');
    } catch (e) {
      expect(e).to.be.instanceOf(FhirError);
      expect([(e as FhirError).status, (e as FhirError).code, (e as FhirError).expression]).to.deep.equal([400, 'not-supported', ['family:contains', 'colour']]);
    }
    expect([...supportedParameters(params, supported, true)]).to.deep.equal([['family', 'b']]);
  });
  it('reads Prefer: handling=lenient among other preferences', () => {
    expect(isLenient('return=minimal; handling=lenient')).to.equal(true);
    expect(isLenient('handling=strict')).to.equal(false);
    expect(isLenient(undefined)).to.equal(false);
  });
});
