import { expect } from 'chai';
import { SourceQuota } from './sourceQuota.ts';

describe('per-source quotas of the audit intake', () => {
  const setup = (limits = { messages: 3, bytes: 1000, windowMs: 1000 }) => {
    let now = 0;
    const exceeded: string[] = [];
    const dropped: [string, number, number][] = [];
    const q = new SourceQuota(limits, { exceeded: (s, what) => exceeded.push(`${s} ${what}`), dropped: (s, n, b) => dropped.push([s, n, b]) }, () => now);
    return { q, exceeded, dropped, at: (t: number) => (now = t) };
  };

  it('admits a source up to its messages per window, drops the rest, and reports once per window with the count', () => {
    const { q, exceeded, dropped, at } = setup();
    expect([1, 2, 3, 4, 5].map(() => q.admit('10.0.0.1', 10))).to.deep.equal([true, true, true, false, false]);
    expect(q.admit('10.0.0.2', 10), 'another source has its own quota').to.equal(true);
    expect(exceeded).to.deep.equal(['10.0.0.1 messages']);
    at(1000);
    expect(q.admit('10.0.0.1', 10), 'a new window').to.equal(true);
    expect(dropped).to.deep.equal([['10.0.0.1', 2, 20]]);
  });

  it('drops by bytes too, and reports windows still open when flushed', () => {
    const { q, exceeded, dropped } = setup({ messages: 100, bytes: 1000, windowMs: 1000 });
    expect(q.admit('a', 600)).to.equal(true);
    expect(q.admit('a', 600)).to.equal(false);
    expect(q.admit('a', 400)).to.equal(true);
    expect(exceeded).to.deep.equal(['a bytes']);
    q.flush();
    expect(dropped).to.deep.equal([['a', 1, 600]]);
  });

  it('forgets sources quiet for a window', () => {
    const { q, at } = setup();
    for (let i = 0; i < 1000; i++) q.admit(`10.0.${i >> 8}.${i & 255}`, 1);
    at(5000);
    q.admit('x', 1);
    expect((q as unknown as { windows: Map<string, unknown> }).windows.size).to.equal(1);
  });
});
