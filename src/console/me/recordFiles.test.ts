import { expect } from 'chai';
import { readRecord } from './recordFiles.ts';

const RDE = ['MSH|^~\\&|HIS|HOSP|GW|RCV|20240401101500||RDE^O11^RDE_O11|M1|P|2.5', 'PID|0001||1234567^^^^PI', 'ORC|NW|1', 'RXE|^1T3X^JHP|110626901^Drug^HOT9|1||TAB^Tablet^MR9P'].join('\r');

describe('console: the patient\'s record is read from their files with a bound on the work', () => {
  const files = (n: number, size = 100) => Array.from({ length: n }, (_, i) => ({ file: `f${i}`, size, facility: 'HOSP', date: '2024-04-01' }));

  it('reads at most maxFiles files and maxTotalBytes in all, skipping files bigger than maxFileBytes', async () => {
    const opened: string[] = [];
    const readFile = async (f: string) => (opened.push(f), Buffer.from(RDE));
    const r = await readRecord(files(300), { maxFiles: 10, maxFileBytes: 1000, maxTotalBytes: 1_000_000 }, readFile);
    expect(opened).to.have.length(10);
    expect(r.read).to.equal(10);
    expect(r.skipped).to.equal(290);
    expect(r.record.prescriptions).to.have.length(10);
    opened.length = 0;
    await readRecord([...files(3, 5000), ...files(50, 400)], { maxFiles: 100, maxFileBytes: 1000, maxTotalBytes: 2000 }, readFile);
    expect(opened.length).to.be.at.most(2000 / RDE.length + 1);
  });

  it('leaves out a file that is gone, and reads the rest', async () => {
    const readFile = async (f: string) => {
      if (f === 'f1') throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return Buffer.from(RDE);
    };
    const r = await readRecord(files(3), undefined, readFile);
    expect(r.read).to.equal(2);
    expect(r.skipped).to.equal(1);
  });
});
