import { expect } from 'chai';
import { Continuations, type ContinuationLimits, type OpenQuery } from './searchContinuations.ts';

const query = (tag: string, requester = 'APP|FAC', node = requester.split('|')[0]): OpenQuery => ({
  queryTag: tag,
  requester,
  node,
  pending: [{ recordId: 2, personId: 2 }],
  seen: new Set([1]),
  wantedDomainKeys: [],
  returned: 1,
  expiresAt: 0,
});
const limits = (maxOpen: number, maxOpenPerRequester = maxOpen, ttlMs = 60_000): ContinuationLimits => ({ ttlMs, maxOpen, maxOpenPerRequester });

describe('PDQ continuations', () => {
  it('gives an open query back once, to its own requester and tag', () => {
    const c = new Continuations(limits(10));
    const p = c.put(query('T1'));
    expect(c.take(p, 'T1', 'OTHER|X')).to.equal(undefined);
    expect(c.take(p, 'T2', 'APP|FAC')).to.equal(undefined);
    expect(c.take(p, 'T1', 'APP|FAC')!.returned).to.equal(1);
    expect(c.take(p, 'T1', 'APP|FAC')).to.equal(undefined);
  });

  it('forgets expired queries and the oldest beyond the limit, and cancels by tag', () => {
    const c = new Continuations(limits(2));
    const expired = new Continuations(limits(2, 2, -1)).put(query('OLD'));
    expect(c.take(expired, 'OLD', 'APP|FAC'), 'a pointer of another store').to.equal(undefined);
    const shortLived = new Continuations(limits(5, 5, -1));
    const gone = shortLived.put(query('OLD'));
    expect(shortLived.take(gone, 'OLD', 'APP|FAC'), 'expired').to.equal(undefined);
    const a = c.put(query('A'));
    c.put(query('B'));
    c.put(query('C'));
    expect(c.take(a, 'A', 'APP|FAC'), 'the oldest beyond the limit').to.equal(undefined);
    expect(c.size).to.equal(2);
    expect(c.cancel('B', 'APP|FAC', 'APP')).to.equal(true);
    expect(c.cancel('B', 'APP|FAC', 'APP')).to.equal(false);
    expect(c.size).to.equal(1);
  });

  it('a node beyond its own limit loses its own oldest; a full table takes from the node holding most', () => {
    const c = new Continuations(limits(5, 3));
    const victim = c.put(query('V', 'B|FAC'));
    const flood = Array.from({ length: 10 }, (_, i) => c.put(query(`F${i}`, 'A|FAC')));
    expect(c.openOf('A')).to.equal(3);
    expect(c.take(flood[0], 'F0', 'A|FAC')).to.equal(undefined);
    expect(c.take(victim, 'V', 'B|FAC'), 'another node’s query stays').to.not.equal(undefined);
    // B again, then C: the table (5) fills; A, holding most, gives up its oldest.
    const b = c.put(query('V2', 'B|FAC'));
    c.put(query('C1', 'C|FAC'));
    expect(c.size).to.equal(5);
    c.put(query('C2', 'C|FAC'));
    expect(c.size).to.equal(5);
    expect(c.openOf('A')).to.equal(2);
    expect(c.take(b, 'V2', 'B|FAC')).to.not.equal(undefined);
  });

  it('cancels only the same requester’s queries, of its own node', () => {
    const c = new Continuations(limits(10));
    const p = c.put(query('T', 'B|FAC'));
    expect(c.cancel('T', 'B|FAC', 'A'), 'the tag and MSH-3/4 from another node').to.equal(false);
    expect(c.cancel('T', 'B|OTHER', 'B')).to.equal(false);
    expect(c.take(p, 'T', 'B|FAC')).to.not.equal(undefined);
  });
});
