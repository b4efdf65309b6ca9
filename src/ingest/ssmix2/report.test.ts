import { expect } from 'chai';
import { emptyCounts } from './ingestRun.ts';
import { closingReport, progressLine } from './report.ts';

describe('ingest progress and closing report', () => {
  it('draws counts and rate on one line', () => {
    const c = { ...emptyCounts(), files: 50, documents: 40, patients: 5, rejected: 1 };
    expect(progressLine(c, 100, 2000, 10)).to.equal('[#####.....] 50/100 files 25 files/s  documents 40  patients 5  unchanged 0  rejected 1');
  });
  it('lists every rejected file with its reason', () => {
    const text = closingReport('/s', 'HOSP01', {
      counts: { ...emptyCounts(), files: 3, documents: 1, rejected: 2 },
      rejected: [
        { path: 'a/b', reason: 'bad-encoding', detail: 'Message bytes are not valid iso-2022-jp' },
        { path: 'c/d', reason: 'unknown-patient', detail: 'patient 1 is not known' },
      ],
      elapsedMs: 1000,
    });
    expect(text).to.contain('rejected                  2');
    expect(text).to.contain('Rejected files (bad encoding: 1, unknown patient: 1):');
    expect(text).to.contain('  a/b\n    bad encoding: Message bytes are not valid iso-2022-jp');
    expect(text).to.contain('  c/d\n    unknown patient: patient 1 is not known');
  });
});
