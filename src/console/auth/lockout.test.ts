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
