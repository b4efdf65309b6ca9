import { expect } from 'chai';
import { cpuRatio, share, type Load } from './twoProcesses.ts';

describe('bench:xds two processes against one', () => {
  it('splits a load into parts that cover it once', () => {
    for (const [total, parts] of [[1000, 1], [1000, 2], [1001, 2], [7, 3]]) {
      const shares = Array.from({ length: parts }, (_, k) => share(total, parts, k));
      expect(shares.reduce((n, s) => n + s.count, 0)).to.equal(total);
      shares.forEach((s, k) => expect(s.first).to.equal(k === 0 ? 0 : shares[k - 1].first + shares[k - 1].count));
    }
    expect(share(7, 3, 0)).to.deep.equal({ first: 0, count: 3 });
  });

  it('compares CPU per operation, hie and PostgreSQL together', () => {
    const load = (hieCpuMs: number, pgCpuMs: number): Load => ({ operations: 1, perSecond: 1, hieCpuMs, pgCpuMs, errors: 0, firstErrors: [] });
    expect(cpuRatio(load(3, 1), load(3.5, 1.1))).to.be.closeTo(1.15, 1e-9);
  });
});
