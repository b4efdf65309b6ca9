import { expect } from 'chai';
import { Lockout } from './lockout.ts';

describe('console: lockout', () => {
  it('locks after maxFailures wrong passwords in a row, for lockoutMs', () => {
    let now = 1000;
    const l = new Lockout({ maxFailures: 3, lockoutMs: 500 }, () => now);
    expect(l.failed('sato')).to.equal(false);
    expect(l.failed('sato')).to.equal(false);
    expect(l.lockedUntil('sato')).to.equal(undefined);
    expect(l.failed('sato')).to.equal(true);
    expect(l.lockedUntil('sato')).to.equal(1500);
    expect(l.lockedUntil('kato')).to.equal(undefined);
    now = 1499;
    expect(l.lockedUntil('sato')).to.equal(1500);
    now = 1500;
    expect(l.lockedUntil('sato')).to.equal(undefined);
    expect(l.failed('sato')).to.equal(false); // the count started again
  });

  it('clears the count on success', () => {
    const l = new Lockout({ maxFailures: 2, lockoutMs: 500 });
    l.failed('a');
    l.succeeded('a');
    expect(l.failed('a')).to.equal(false);
  });
});

describe('console: lockout is bounded', () => {
  it('forgets a count not added to for lockoutMs', () => {
    let now = 0;
    const l = new Lockout({ maxFailures: 3, lockoutMs: 100 }, () => now);
    l.failed('a');
    l.failed('a');
    now = 100;
    expect(l.failed('a')).to.equal(false); // the two earlier failures were forgotten
    expect(l.size).to.equal(1);
  });

  it('keeps at most maxEntries keys, dropping the oldest counts before any lock', () => {
    let now = 0;
    const l = new Lockout({ maxFailures: 2, lockoutMs: 1_000_000, maxEntries: 100 }, () => now);
    l.failed('victim');
    expect(l.failed('victim')).to.equal(true);
    for (let i = 0; i < 10_000; i++) {
      now++;
      l.failed(`flood-${i}`);
    }
    expect(l.size).to.be.at.most(100);
    expect(l.lockedUntil('victim')).to.equal(1_000_000); // a flood of new names does not unlock an account
  });
});
