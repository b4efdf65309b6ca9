import { expect } from 'chai';
import { nestsDeeperThan } from './jsonDepth.ts';

describe('JSON nesting depth', () => {
  const b = (s: string) => Buffer.from(s);
  it('counts arrays and objects, not brackets inside strings or escaped quotes', () => {
    expect(nestsDeeperThan(b('{"a":[{"b":1}]}'), 3)).to.equal(false);
    expect(nestsDeeperThan(b('{"a":[{"b":[1]}]}'), 3)).to.equal(true);
    expect(nestsDeeperThan(b(`{"a":"${'['.repeat(50)}\\"${'{'.repeat(50)}"}`), 2)).to.equal(false);
    expect(nestsDeeperThan(b('[[],[],[],[]]'), 2)).to.equal(false);
  });
  it('finds 10,000 levels without recursion', () => {
    expect(nestsDeeperThan(b('['.repeat(10_000) + ']'.repeat(10_000)), 100)).to.equal(true);
  });
});
