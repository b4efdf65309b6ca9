import { expect } from 'chai';
import { ExpiringMap } from './expiringMap.ts';

describe('console: pending sign-ins are kept in a bounded, expiring map', () => {
  it('keeps at most maxEntries, the oldest dropped first', () => {
    let now = 0;
    const m = new ExpiringMap<number>({ ttlMs: 1_000_000, maxEntries: 50 }, () => now);
    for (let i = 0; i < 5000; i++) {
      now++;
      m.set(`k${i}`, i);
    }
    expect(m.size).to.equal(50);
    expect(m.take('k0')).to.equal(undefined);
    expect(m.take('k4999')).to.equal(4999);
  });

  it('forgets an entry after ttlMs, and gives each entry once', () => {
    let now = 0;
    const m = new ExpiringMap<string>({ ttlMs: 100, maxEntries: 10 }, () => now);
    m.set('a', 'x');
    m.set('b', 'y');
    expect(m.take('a')).to.equal('x');
    expect(m.take('a')).to.equal(undefined);
    now = 100;
    expect(m.take('b')).to.equal(undefined);
    for (let i = 0; i < 10; i++) m.set(`n${i}`, 'z');
    now = 300;
    m.set('late', 'w'); // full: the expired ones are swept, not only the oldest
    expect(m.size).to.equal(1);
  });
});
