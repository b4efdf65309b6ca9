import { expect } from 'chai';
import { emptyBase, type Classification, type ExtrinsicObject } from '../ebxml/rim.ts';
import type { NewEntry } from '../xds/registry/entries.ts';
import { DocumentEntrySchemes } from '../xds/registry/schemes.ts';
import { BppcConfigError, BppcRecorder, dtmToIso } from './bppc.ts';
import { ConsentService } from './service.ts';
import { XdsErrors } from '../xds/registry/errors.ts';

const P = '1.2.392.999.77';
const DOMAINS = [
  { namespace: 'HOSP_A', oid: '1.2.3.1' },
  { namespace: 'HOSP_B', oid: '1.2.3.2' },
];
const service = new ConsentService({ enabled: true, participationDefault: 'opt-in', emergencyPurposes: [], disasterPurposes: [] });
const recorder = new BppcRecorder(
  [
    { code: 'IN', codingScheme: P, participation: 'opted-in', facilities: ['HOSP_A'] },
    { code: 'PEER', codingScheme: P, peerRegions: ['urn:oid:1.9.9'] },
    { code: 'NO-PSY', codingScheme: P, withhold: { practiceSettingCodes: [{ code: 'PSY', codingScheme: 'S' }], facilities: ['1.2.3.2'] } },
    { code: 'OUT', codingScheme: P, participation: 'opted-out' },
  ],
  DOMAINS,
  service,
);

const cls = (scheme: string, code: string, codingScheme: string): Classification => ({
  ...emptyBase(`urn:uuid:${scheme}-${code}`),
  type: 'Classification',
  classificationScheme: scheme,
  classifiedObject: 'urn:uuid:d',
  nodeRepresentation: code,
  slots: [{ name: 'codingScheme', values: [codingScheme] }],
});

function entry(policies: [string, string][], index: Partial<NewEntry['index']> = {}): NewEntry {
  const object: ExtrinsicObject = {
    ...emptyBase('urn:uuid:d'),
    type: 'ExtrinsicObject',
    objectType: '',
    mimeType: 'text/xml',
    classifications: [cls(DocumentEntrySchemes.formatCode, 'urn:ihe:iti:bppc:2007', '1.3.6.1.4.1.19376.1.2.3'), ...policies.map(([c, s]) => cls(DocumentEntrySchemes.eventCodeList, c, s))],
  };
  return { uuid: 'urn:uuid:d', kind: 'DocumentEntry', lid: 'urn:uuid:d', version: 1, status: 'Approved', personId: 1, object, facility: null, index: { kind: 'DocumentEntry', uniqueId: '1.2.3.9', codes: [], authors: [], referenceIds: [], ...index } };
}

const refusal = (e: NewEntry): string => {
  try {
    recorder.termsOf(e);
  } catch (err) {
    expect(err).to.be.instanceOf(XdsErrors);
    const [first] = (err as XdsErrors).errors;
    expect(first.errorCode).to.equal('XDSRegistryMetadataError');
    expect(first.location).to.equal('1.2.3.9');
    return first.codeContext;
  }
  return expect.fail('accepted');
};

describe('BPPC: the consent an acknowledgement stands for', () => {
  it('maps one policy, with the validity period of serviceStartTime/StopTime', () => {
    expect(recorder.termsOf(entry([['IN', P]], { serviceStartTime: '20260401', serviceStopTime: '202704010930' }))).to.deep.equal({
      participation: 'opted-in',
      facilities: ['1.2.3.1'],
      peerRegions: [],
      withheld: { classCodes: [], typeCodes: [], confidentialityCodes: [], practiceSettingCodes: [], facilities: [], documents: [] },
      validFrom: '2026-04-01T00:00:00.000Z',
      validUntil: '2027-04-01T09:30:00.000Z',
    });
  });

  it('combines several policies: lists joined, opting out outweighs opting in', () => {
    const t = recorder.termsOf(entry([['IN', P], ['PEER', P], ['NO-PSY', P]]));
    expect(t).to.deep.include({ participation: 'opted-in', facilities: ['1.2.3.1'], peerRegions: ['urn:oid:1.9.9'] });
    expect(t.withheld).to.deep.include({ practiceSettingCodes: [{ code: 'PSY', codingScheme: 'S' }], facilities: ['1.2.3.2'] });
    expect(recorder.termsOf(entry([['IN', P], ['OUT', P]])).participation).to.equal('opted-out');
    expect(recorder.termsOf(entry([['NO-PSY', P]])).participation, 'a policy that only limits').to.equal('not-enrolled');
  });

  it('refuses an acknowledgement without policies, or with one the region does not know (code and scheme both count)', () => {
    expect(refusal(entry([]))).to.match(/names no acknowledged policy in eventCodeList/);
    expect(refusal(entry([['IN', P], ['SELL', P]]))).to.match(/does not know: SELL\^\^1\.2\.392\.999\.77$/);
    expect(refusal(entry([['IN', '9.9.9']]))).to.match(/IN\^\^9\.9\.9/);
  });

  it('refuses a policy naming a facility that is not an identity.domains entry, at start', () => {
    expect(() => new BppcRecorder([{ code: 'X', codingScheme: P, facilities: ['NOWHERE'] }], DOMAINS, service)).to.throw(BppcConfigError, /NOWHERE/);
  });

  it('reads XDS DTM of every precision as a UTC instant, and nothing else', () => {
    expect(dtmToIso('2026')).to.equal('2026-01-01T00:00:00.000Z');
    expect(dtmToIso('20260315')).to.equal('2026-03-15T00:00:00.000Z');
    expect(dtmToIso('20260315123045')).to.equal('2026-03-15T12:30:45.000Z');
    expect(dtmToIso('2026031')).to.equal(undefined);
    expect(dtmToIso('2026-03-15')).to.equal(undefined);
  });
});
