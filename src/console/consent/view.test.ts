import { expect } from 'chai';
import type { Consent } from '../../consent/model.ts';
import { ConsentChangeError } from '../../consent/service.ts';
import { termsBody } from './view.ts';

const consent: Consent = {
  personId: 1,
  participation: 'opted-in',
  facilities: ['1.2.3'],
  peerRegions: ['urn:oid:1.2.9'],
  withheld: {
    classCodes: [{ code: 'PSY', codingScheme: '1.2.392.1' }, { code: 'LAB', codingScheme: '1.2.392.1' }],
    typeCodes: [],
    confidentialityCodes: [],
    practiceSettingCodes: [],
    facilities: ['1.2.4'],
    documents: [],
  },
  validUntil: '2030-01-01T00:00:00Z',
  version: 3,
  updatedAt: '2026-01-01T00:00:00Z',
  source: { kind: 'desk' },
};

describe('console: consent changes as whole terms', () => {
  it('keeps every term when opting out, and drops only the released item', () => {
    expect(termsBody(consent, { participation: 'opted-out' })).to.deep.equal({
      participation: 'opted-out',
      facilities: ['1.2.3'],
      peerRegions: ['urn:oid:1.2.9'],
      withhold: { classCodes: ['PSY^^1.2.392.1', 'LAB^^1.2.392.1'], typeCodes: [], confidentialityCodes: [], practiceSettingCodes: [], facilities: ['1.2.4'], documents: [] },
      validUntil: '2030-01-01T00:00:00Z',
    });
    const released = termsBody(consent, { release: { kind: 'classCodes', value: 'PSY^^1.2.392.1' } });
    expect(released.participation).to.equal('opted-in');
    expect((released.withhold as { classCodes: string[] }).classCodes).to.deep.equal(['LAB^^1.2.392.1']);
  });

  it('opts a patient in only when asked to: no consent stays not enrolled, a revoked consent refuses a release', () => {
    expect(termsBody(null)).to.deep.include({ participation: 'not-enrolled', facilities: [], peerRegions: [] });
    expect(termsBody(null, { release: { kind: 'classCodes', value: 'PSY^^1.2.392.1' } }).participation).to.equal('not-enrolled');
    const revoked = { ...consent, revokedAt: '2026-02-01T00:00:00Z' };
    expect(() => termsBody(revoked, { release: { kind: 'classCodes', value: 'PSY^^1.2.392.1' } })).to.throw(ConsentChangeError, /revoked/);
    expect(termsBody(revoked, { participation: 'opted-in' }).participation).to.equal('opted-in');
  });
});
