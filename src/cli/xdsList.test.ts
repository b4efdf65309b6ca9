import { expect } from 'chai';
import type { DocumentSummary } from '../xds/consumer/storedQuery.ts';
import { documentListText, dtmText } from './xdsList.ts';

const doc: DocumentSummary = {
  entryUuid: 'urn:uuid:1',
  uniqueId: '1.2.3.4',
  patientId: 'R0000000001^^^&2.999.392.1.2&ISO',
  status: 'Approved',
  title: '処方オーダ',
  classCode: { code: 'medication-order', codingScheme: '2.999.392.1.20.1', display: '処方・注射オーダ' },
  typeCode: { code: 'OMP-01', codingScheme: '2.999.392.1.20.2', display: '' },
  healthcareFacilityTypeCode: { code: 'hospital', codingScheme: '2.999.392.1.20.6', display: '病院' },
  institutions: ['HOSP01', '2.999.392.100.1'],
  creationTime: '20240309005521',
  mimeType: 'x-application/hl7-v2+er7',
  size: 1209,
  repositoryUniqueId: '2.999.392.1.3',
  hash: 'ab',
};

describe('hie xds find: the readable list', () => {
  it('reads XDS times (UTC) to the precision they have', () => {
    expect(dtmText('20240309005521')).to.equal('2024-03-09 00:55:21 UTC');
    expect(dtmText('202403')).to.equal('2024-03 UTC');
    expect(dtmText(undefined)).to.equal('-');
    expect(dtmText('garbage')).to.equal('garbage');
  });
  it('writes one block per document, the facility by the name config gives it', () => {
    const names: Record<string, string> = { HOSP01: '登呂中央病院', '2.999.392.100.1': '登呂中央病院' };
    const text = documentListText(doc.patientId, 'http://h/services/registry', [doc, { ...doc, uniqueId: '1.2.3.5', size: undefined, classCode: undefined }], (c) => names[c] ?? c);
    expect(text.split('\n').slice(0, 11).join('\n')).to.equal(
      [
        '2 documents of R0000000001^^^&2.999.392.1.2&ISO (registry http://h/services/registry)',
        '',
        '1.2.3.4  Approved',
        '  title       処方オーダ',
        '  class       処方・注射オーダ (medication-order, 2.999.392.1.20.1)',
        '  type        OMP-01 (OMP-01, 2.999.392.1.20.2)',
        '  facility    登呂中央病院, 病院',
        '  created     2024-03-09 00:55:21 UTC',
        '  size        1209 bytes, x-application/hl7-v2+er7',
        '  repository  2.999.392.1.3',
        '',
      ].join('\n'),
    );
    expect(text).to.contain('1.2.3.5  Approved\n  title       処方オーダ\n  class       -\n');
    expect(text).to.contain('  size        -, x-application/hl7-v2+er7\n');
  });
});
