import { expect } from 'chai';
import { Continuations, type OpenQuery } from './continuations.ts';

const query = (tag: string, requester = 'APP|FAC'): OpenQuery => ({
  queryTag: tag,
  requester,
  personIds: [1, 2, 3],
  bestRecord: new Map(),
  wantedDomainKeys: [],
  next: 1,
  expiresAt: Date.now() + 60_000,
});

describe('PDQ continuations', () => {
  it('gives an open query back once, to its own requester and tag', () => {
    const c = new Continuations(60_000, 10);
    const p = c.put(query('T1'));
    expect(c.take(p, 'T1', 'OTHER|X')).to.equal(undefined);
    expect(c.take(p, 'T2', 'APP|FAC')).to.equal(undefined);
    expect(c.take(p, 'T1', 'APP|FAC')!.next).to.equal(1);
    expect(c.take(p, 'T1', 'APP|FAC')).to.equal(undefined);
  });

  it('forgets expired queries and the oldest beyond the limit, and cancels by tag', () => {
    const c = new Continuations(60_000, 2);
    const expired = c.put({ ...query('OLD'), expiresAt: Date.now() - 1 });
    const a = c.put(query('A'));
    c.put(query('B'));
    c.put(query('C'));
    expect(c.take(expired, 'OLD', 'APP|FAC')).to.equal(undefined);
    expect(c.take(a, 'A', 'APP|FAC')).to.equal(undefined);
    expect(c.size).to.equal(2);
    expect(c.cancel('B', 'APP|FAC')).to.equal(true);
    expect(c.cancel('B', 'APP|FAC')).to.equal(false);
    expect(c.size).to.equal(1);
  });
});
