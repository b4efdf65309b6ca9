import { expect } from 'chai';
import type { AccessEntry, AccessReport } from './accessReport.ts';
import { accessReportHtml, accessReportText, shownTime } from './html.ts';

const entry = (o: Partial<AccessEntry>): AccessEntry => ({
  eventId: 1,
  time: '2024-03-02T15:30:00.000Z',
  kind: 'searched',
  event: { code: '110112', name: 'Query' },
  transaction: { code: 'ITI-18', name: 'Registry Stored Query' },
  action: 'E',
  success: true,
  facility: '',
  facilityName: '',
  users: [],
  who: '不明 / unknown',
  addresses: ['10.1.1.1'],
  purposeOfUse: [],
  emergency: false,
  patientIdentifier: 'P1^^^HOSP01',
  reportedBy: 'self',
  verified: true,
  ...o,
});
const report = (entries: AccessEntry[], timeZone = 'Asia/Tokyo'): AccessReport => ({
  generatedAt: '2024-03-10T00:00:00.000Z',
  timeZone,
  patient: { identifiers: ['P1^^^HOSP01'] },
  entries,
  truncated: false,
  summary: { total: entries.length, facilities: ['HOSP01'], facilityNames: ['登呂中央病院'], emergency: 0 },
});

describe('access report page', () => {
  it('shows who by display name, the facility by its name, and times in the zone', () => {
    const html = accessReportHtml(report([entry({}), entry({ time: '2024-07-01T00:00:00.000Z', facility: 'HOSP01', facilityName: '登呂中央病院', who: '登呂中央病院・HIS' })]));
    expect(html).to.contain('<td data-label="利用者 / User" class="who">不明 / unknown<div class="addr">10.1.1.1</div></td>');
    expect(html).to.contain('<td data-label="施設 / Facility">登呂中央病院</td>');
    expect(html).to.contain('<td data-label="利用者 / User" class="who">登呂中央病院・HIS');
    expect(html).to.contain('2024-03-03 00:30:00 (+09:00)');
    expect(html).to.contain('2024-07-01 09:00:00 (+09:00)');
    expect(html).to.contain('作成日時 / Generated: 2024-03-10 09:00:00 (+09:00) Asia/Tokyo');
    expect(html).to.contain('施設 / Facilities: 登呂中央病院');
  });
  it('writes the plain text in the zone too', () => {
    const text = accessReportText(report([entry({})], 'UTC'));
    expect(text).to.contain('generated 2024-03-10 00:00:00 (+00:00) (times in UTC)');
    expect(text).to.match(/^2024-03-02 15:30:00 \(\+00:00\) {2}searched/m);
  });
  it('keeps a time it cannot read as it is', () => {
    expect(shownTime('yesterday', 'Asia/Tokyo')).to.equal('yesterday');
  });
});
