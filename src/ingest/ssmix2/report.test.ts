import { expect } from 'chai';
import { emptyCounts } from './ingestRun.ts';
import { closingReport, progressLine, settledFiles } from './report.ts';

describe('ingest progress and closing report', () => {
  it('draws counts and rate on one line', () => {
    const c = { ...emptyCounts(), files: 50, documents: 40, patients: 5, rejected: 1 };
    expect(progressLine(c, 100, 2000, 10)).to.equal('[#####.....] 46/100 files done (50 read)  documents registered 40 (20/s)  patients 5  unchanged 0  rejected 1');
  });
  it('moves the bar by files settled, not files read: documents waiting for their submission do not count', () => {
    const read = { ...emptyCounts(), files: 80, patients: 10 };
    expect(progressLine(read, 100, 1000, 10)).to.match(/^\[#\.{9}\] 10\/100 files done \(80 read\)  documents registered 0 /);
    const registered = { ...read, documents: 70 };
    expect(settledFiles(registered)).to.equal(80);
    expect(progressLine(registered, 100, 1000, 10)).to.match(/^\[########\.\.\] 80\/100 files done \(80 read\)  documents registered 70 \(70\/s\)/);
    expect(settledFiles({ ...emptyCounts(), files: 6, unchanged: 1, removed: 1, alreadyRegistered: 1, rejected: 1, documents: 2, deprecated: 1, replacing: 1 })).to.equal(6);
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
