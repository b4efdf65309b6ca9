import { expect } from 'chai';
import { ConsentInputError, parseCode, parseDisaster, parseInstant, parseTerms, parseWithheld } from './input.ts';

const resolve = (f: string) => ({ HOSP_A: '1.2.3.1', '1.2.3.1': '1.2.3.1', HOSP_B: '1.2.3.2' })[f];

const refused = (fn: () => unknown, message: RegExp) => expect(fn).to.throw(ConsentInputError, message);

describe('consent input: JSON and CLI options checked into terms', () => {
  it('reads a whole consent, facilities by namespace or OID, codes in both forms, instants normalised to UTC', () => {
    expect(
      parseTerms(
        {
          participation: 'opted-in',
          facilities: ['HOSP_A', 'HOSP_B'],
          peerRegions: ['urn:oid:1.9.9'],
          withhold: { classCodes: ['IMG^^S'], practiceSettingCodes: [{ code: 'PSY', codingScheme: 'S' }], facilities: ['1.2.3.1'], documents: ['1.2.3.4'] },
          validFrom: '2026-04-01',
          validUntil: '2027-04-01T09:00:00+09:00',
        },
        resolve,
      ),
    ).to.deep.equal({
      participation: 'opted-in',
      facilities: ['1.2.3.1', '1.2.3.2'],
      peerRegions: ['urn:oid:1.9.9'],
      withheld: { classCodes: [{ code: 'IMG', codingScheme: 'S' }], typeCodes: [], confidentialityCodes: [], practiceSettingCodes: [{ code: 'PSY', codingScheme: 'S' }], facilities: ['1.2.3.1'], documents: ['1.2.3.4'] },
      validFrom: '2026-04-01T00:00:00.000Z',
      validUntil: '2027-04-01T00:00:00.000Z',
    });
    expect(parseTerms({ participation: 'opted-out' }, resolve)).to.deep.include({ participation: 'opted-out', facilities: [], peerRegions: [] });
  });

  it('refuses what it cannot read, saying which field and why', () => {
    refused(() => parseTerms(null, resolve), /consent must be a JSON object/);
    refused(() => parseTerms([], resolve), /consent must be a JSON object/);
    refused(() => parseTerms({}, resolve), /participation must be one of not-enrolled, opted-in, opted-out/);
    refused(() => parseTerms({ participation: 'opted-in', facilities: 'HOSP_A' }, resolve), /consent.facilities must be a list/);
    refused(() => parseTerms({ participation: 'opted-in', facilities: ['HOSP_Z'] }, resolve), /HOSP_Z is not a facility/);
    refused(() => parseTerms({ participation: 'opted-in', validFrom: '2027-01-01', validUntil: '2026-01-01' }, resolve), /validUntil must be after/);
    refused(() => parseTerms({ participation: 'opted-in', withhold: { colors: [] } }, resolve), /unknown field colors/);
    refused(() => parseWithheld({}, resolve, 'withhold', true), /at least one thing/);
    refused(() => parseCode('PSY', 'c'), /not code\^\^codingScheme/);
    refused(() => parseCode('PSY^^', 'c'), /not code\^\^codingScheme/);
    refused(() => parseCode({ code: 'PSY' }, 'c'), /needs code and codingScheme/);
    refused(() => parseInstant('2026-04-01T09:00:00', 'validFrom'), /with its zone/);
    refused(() => parseInstant('2026-13-45', 'validFrom'), /ISO 8601/);
    refused(() => parseDisaster({ facilities: ['HOSP_A'] }, resolve), /description is required/);
    refused(() => parseDisaster({ description: 'quake' }, resolve), /name the facilities/);
  });

  it('reads a disaster: description, area, optional window', () => {
    expect(parseDisaster({ description: ' 地震 ', facilities: ['HOSP_A'], end: '2026-05-01T00:00:00Z' }, resolve)).to.deep.equal({
      description: '地震',
      facilities: ['1.2.3.1'],
      end: '2026-05-01T00:00:00.000Z',
    });
  });
});
