import { expect } from 'chai';
import { HOSP_A, readFixture, type ReadFixture } from '../../test/helpers/readFixture.ts';
import { internalContext, type RequestContext } from '../kernel/requestContext.ts';
import { DemographicSearch, searchRequester, type SearchOutcome } from './demographicSearch.ts';

const asker = (facility: string, node = 'test'): RequestContext => ({ ...internalContext(node), hl7: { application: 'PDQ_CONSUMER', facility } });
const family = (key: string) => ({ keys: [{ kind: 'family' as const, key, prefix: false }] });

function page(o: SearchOutcome) {
  if (o.kind !== 'page') throw new Error(`expected a page, got ${JSON.stringify(o)}`);
  return o.page;
}

describe('the demographic search (the PDQ service)', () => {
  let f: ReadFixture;
  let search: DemographicSearch;
  const persons: number[] = [];
  before(async () => {
    f = await readFixture();
    for (let i = 0; i < 5; i++) persons.push(await f.patient(`DS-${i}`, [{ authority: HOSP_A, id: `DS-L${i}` }], 'TANAKA^ICHIRO'));
  });
  beforeEach(() => {
    search = new DemographicSearch({ maxMatches: 100, continuationTtlMs: 60_000, maxOpenContinuations: 10, maxOpenContinuationsPerRequester: 3 });
    f.decisions.hiddenPatients.clear();
  });
  after(() => f?.close());

  const start = (ctx: RequestContext, limit: number, whatDomains = [HOSP_A]) =>
    f.read((r) => search.start(r, { queryTag: 'Q1', query: family('TANAKA'), identifiers: [], whatDomains, limit }), ctx);
  const more = (ctx: RequestContext, pointer: string, limit: number) => f.read((r) => search.continue(r, { pointer, queryTag: 'Q1', limit }), ctx);
  const ids = (p: { patients: { identifiers: { id: string }[] }[] }) => p.patients.map((x) => x.identifiers[0].id);

  it('pages the matches under a continuation, each patient once, with the wanted domain’s identifiers', async () => {
    const ctx = asker('HOSP_B');
    const first = page(await start(ctx, 2));
    expect(ids(first)).to.deep.equal(['DS-L0', 'DS-L1']);
    const second = page(await more(ctx, first.continuation!, 2));
    const third = page(await more(ctx, second.continuation!, 2));
    expect([...ids(second), ...ids(third)]).to.deep.equal(['DS-L2', 'DS-L3', 'DS-L4']);
    expect(third.continuation).to.equal(undefined);
  });

  it('never finds a hidden patient: not in a page, not counted, not on a continued page either', async () => {
    const ctx = asker('HOSP_B');
    f.decisions.hiddenPatients.add(persons[1]);
    const first = page(await start(ctx, 2));
    expect(ids(first)).to.deep.equal(['DS-L0', 'DS-L2']);
    // Hidden after the first page: the continued page asks again.
    f.decisions.hiddenPatients.add(persons[3]);
    const rest = page(await more(ctx, first.continuation!, 10));
    expect(ids(rest)).to.deep.equal(['DS-L4']);
    expect(rest.continuation).to.equal(undefined);
    f.decisions.hiddenPatients.add(persons[4]);
    f.decisions.hiddenPatients.add(persons[0]);
    f.decisions.hiddenPatients.add(persons[2]);
    const empty = page(await start(ctx, 2));
    expect(empty).to.deep.equal({ patients: [], continuation: undefined, answered: 0 });
  });

  it('leaves no continuation when the only patients left are hidden', async () => {
    const ctx = asker('HOSP_B');
    for (const p of persons.slice(2)) f.decisions.hiddenPatients.add(p);
    const first = page(await start(ctx, 2));
    expect(ids(first)).to.deep.equal(['DS-L0', 'DS-L1']);
    expect(first.continuation, 'a pointer would tell that more patients match').to.equal(undefined);
  });

  it('continues and cancels an open query for its requester only: the node and MSH-3/4', async () => {
    const first = page(await start(asker('HOSP_B'), 1));
    expect(await more(asker('HOSP_C'), first.continuation!, 1)).to.deep.equal({ kind: 'invalid', problems: [{ reason: 'unknown-continuation' }] });
    expect(await more(asker('HOSP_B', 'other-node'), first.continuation!, 1)).to.deep.equal({ kind: 'invalid', problems: [{ reason: 'unknown-continuation' }] });
    expect(searchRequester(asker('HOSP_B'))).to.not.equal(searchRequester(asker('HOSP_B', 'other-node')));
    expect(await search.cancel(asker('HOSP_C'), 'Q1')).to.equal(false);
    expect(await search.cancel(asker('HOSP_B'), 'Q1')).to.equal(true);
    expect(await search.openQueries()).to.equal(0);
  });

  it('keeps open queries per node: a node over its limit loses its own oldest, never another node’s', async () => {
    const victim = page(await start(asker('HOSP_B', 'victim'), 1));
    const own: string[] = [];
    for (let i = 0; i < 6; i++) own.push(page(await start(asker('HOSP_B', 'flooder'), 1)).continuation!);
    expect(await search.openQueriesOf(asker('HOSP_B', 'flooder'))).to.equal(3);
    expect(await more(asker('HOSP_B', 'flooder'), own[0], 1), 'its own oldest went').to.deep.equal({ kind: 'invalid', problems: [{ reason: 'unknown-continuation' }] });
    expect(ids(page(await more(asker('HOSP_B', 'victim'), victim.continuation!, 1)))).to.deep.equal(['DS-L1']);
  });

  it('a QCN^J01 with the victim’s MSH-3/4 and query tag from another node cancels nothing', async () => {
    const victim = page(await start(asker('HOSP_B', 'victim'), 1));
    expect(await search.cancel(asker('HOSP_B', 'attacker'), 'Q1')).to.equal(false);
    expect(ids(page(await more(asker('HOSP_B', 'victim'), victim.continuation!, 1)))).to.deep.equal(['DS-L1']);
  });

  it('names unknown domains by position, and refuses a query without criteria', async () => {
    const unknown = { namespace: 'NOWHERE', oid: '1.2.392.999.77', type: 'ISO' };
    const r = await f.read((x) => search.start(x, { queryTag: 'Q', query: family('TANAKA'), identifiers: [{ id: '1', authority: unknown }], whatDomains: [HOSP_A, unknown], limit: 5 }));
    expect(r).to.deep.equal({ kind: 'invalid', problems: [{ reason: 'unknown-what-domain', index: 1 }, { reason: 'unknown-identifier-domain', index: 0 }] });
    const sexOnly = await f.read((x) => search.start(x, { queryTag: 'Q', query: { keys: [], sex: 'M' }, identifiers: [], whatDomains: [], limit: 5 }));
    expect(sexOnly).to.deep.equal({ kind: 'invalid', problems: [{ reason: 'no-criteria', sexOnly: true }] });
  });

  it('passes over records a refinement fails: nothing answered, nothing counted, no continuation', async () => {
    const ctx = asker('HOSP_B');
    const run = (refine: () => boolean) => f.read((r) => search.start(r, { queryTag: 'Q1', query: family('TANAKA'), identifiers: [], whatDomains: [HOSP_A], limit: 2, refine }), ctx);
    expect(page(await run(() => false))).to.deep.equal({ patients: [], continuation: undefined, answered: 0 });
    const all = page(await run(() => true));
    expect([ids(all), all.answered, !!all.continuation]).to.deep.equal([['DS-L0', 'DS-L1'], 2, true]);
  });

  it('finds by identifier only a patient the requester may find', async () => {
    const byId = () => f.read((x) => search.start(x, { queryTag: 'Q', query: { keys: [] }, identifiers: [{ id: 'DS-L3', authority: HOSP_A }], whatDomains: [HOSP_A], limit: 5 }));
    expect(ids(page(await byId()))).to.deep.equal(['DS-L3']);
    f.decisions.hiddenPatients.add(persons[3]);
    expect(page(await byId()).patients).to.deep.equal([]);
  });
});
