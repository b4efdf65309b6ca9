import { expect } from 'chai';
import { Continuations, type OpenQuery } from './searchContinuations.ts';

const query = (tag: string, requester = 'APP|FAC'): OpenQuery => ({
  queryTag: tag,
  requester,
  pending: [{ recordId: 2, personId: 2 }],
  seen: new Set([1]),
  wantedDomainKeys: [],
  returned: 1,
  expiresAt: 0,
});

describe('PDQ continuations', () => {
  it('gives an open query back once, to its own requester and tag', () => {
    const c = new Continuations(60_000, 10);
    const p = c.put(query('T1'));
    expect(c.take(p, 'T1', 'OTHER|X')).to.equal(undefined);
    expect(c.take(p, 'T2', 'APP|FAC')).to.equal(undefined);
    expect(c.take(p, 'T1', 'APP|FAC')!.returned).to.equal(1);
    expect(c.take(p, 'T1', 'APP|FAC')).to.equal(undefined);
  });

  it('forgets expired queries and the oldest beyond the limit, and cancels by tag', () => {
    const c = new Continuations(60_000, 2);
    const expired = new Continuations(-1, 2).put(query('OLD'));
    expect(c.take(expired, 'OLD', 'APP|FAC'), 'a pointer of another store').to.equal(undefined);
    const shortLived = new Continuations(-1, 5);
    const gone = shortLived.put(query('OLD'));
    expect(shortLived.take(gone, 'OLD', 'APP|FAC'), 'expired').to.equal(undefined);
    const a = c.put(query('A'));
    c.put(query('B'));
    c.put(query('C'));
    expect(c.take(a, 'A', 'APP|FAC'), 'the oldest beyond the limit').to.equal(undefined);
    expect(c.size).to.equal(2);
    expect(c.cancel('B', 'APP|FAC')).to.equal(true);
    expect(c.cancel('B', 'APP|FAC')).to.equal(false);
    expect(c.size).to.equal(1);
  });
});
