import { expect } from 'chai';
import type { ScopedReadDeps } from '../consent/scopedReader.ts';
import { internalContext } from '../kernel/requestContext.ts';
import { PdqmQuery } from '../pdq/iti78/query.ts';
import { parseSearch } from '../pdq/iti78/searchParameters.ts';
import { pixmQuery } from '../pix/iti83/query.ts';
import { IndividualNumberRefused } from './individualNumber.ts';
import { FhirError } from './outcome.ts';

/** Read dependencies whose identity service knows the individual-number domain only: a refusal reads nothing. */
const deps = {
  identity: { domains: { isIndividualNumber: (a: { oid?: string }) => a.oid === '2.999.392.1.9' } },
} as unknown as ScopedReadDeps;
const NUMBER = '123456789018';

describe('the individual-number refusal of the FHIR faces: one typed error', () => {
  it('is a 400 code-invalid FhirError located at the parameter, without the value', () => {
    const e = new IndividualNumberRefused('patient.identifier');
    expect(e).to.be.instanceOf(FhirError);
    expect([e.status, e.code, e.expression]).to.deep.equal([400, 'code-invalid', ['patient.identifier']]);
  });

  it('is what PIXm ITI-83 and PDQm ITI-78 throw, before anything is read', async () => {
    const pix = await pixmQuery(deps, internalContext('test'), { source: { system: 'urn:oid:2.999.392.1.9', value: NUMBER }, targetSystems: [] }).catch((e: unknown) => e);
    expect(pix).to.be.instanceOf(IndividualNumberRefused);
    expect((pix as Error).message).to.not.contain(NUMBER);
    const search = parseSearch(new URLSearchParams({ identifier: `urn:oid:2.999.392.1.9|${NUMBER}` }), { namespace: 'R', oid: '1.2.3' } as never, false);
    const pdq = await new PdqmQuery(deps, { continuationTtlMs: 1000, maxOpenContinuations: 1, maxOpenContinuationsPerRequester: 1, maxMatches: 10 } as never).start(internalContext('test'), search, 10).catch((e: unknown) => e);
    expect(pdq).to.be.instanceOf(IndividualNumberRefused);
    expect((pdq as Error).message).to.not.contain(NUMBER);
  });
});
