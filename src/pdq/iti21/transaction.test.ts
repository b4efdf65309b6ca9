import { expect } from 'chai';
import { hl7Request, HOSP_A, readFixture, type ReadFixture } from '../../../test/helpers/readFixture.ts';
import { pdqQuery } from '../../../test/helpers/messages.ts';
import type { ResponseSpec } from '../../hl7v2/ack.ts';
import { iti21Transactions } from './transaction.ts';

describe('ITI-21 Patient Demographics Query (the transaction over the demographic search)', () => {
  let f: ReadFixture;
  const persons: number[] = [];
  let handle: (text: string) => Promise<ResponseSpec>;
  before(async () => {
    f = await readFixture();
    for (let i = 0; i < 3; i++) persons.push(await f.patient(`P21-${i}`, [{ authority: HOSP_A, id: `A21-${i}` }], 'SUZUKI^KEN'));
    const [query] = iti21Transactions({ store: f.store, identity: f.identity, audit: f.audit, decisions: f.decisions, config: f.config.pdq });
    handle = (text) => query.handle(hl7Request(text));
  });
  afterEach(() => f.decisions.hiddenPatients.clear());
  after(() => f?.close());

  const pids = (r: ResponseSpec) => (r.body ?? []).filter((s) => s.startsWith('PID|'));
  const dsc = (r: ResponseSpec) => (r.body ?? []).find((s) => s.startsWith('DSC|'))?.split('|')[1];
  const ask = (o: { limit?: number; pointer?: string; facility?: string } = {}) => {
    const text = pdqQuery({ params: ['@PID.5.1^SUZUKI'], domains: ['^^^HOSP_A&1.2.392.999.1&ISO'], limit: o.limit, pointer: o.pointer, tag: 'Q21' });
    return handle(o.facility ? text.replace('|HOSP_B|', `|${o.facility}|`) : text);
  };

  it('writes each visible patient as a PID, and leaves a hidden one out of every page and count', async () => {
    expect(pids(await ask())).to.have.length(3);
    f.decisions.hiddenPatients.add(persons[1]);
    const first = await ask({ limit: 1 });
    expect(pids(first)).to.have.length(1);
    expect(pids(first)[0]).to.contain('A21-0');
    const second = await ask({ limit: 1, pointer: dsc(first) });
    expect(pids(second)).to.have.length(1);
    expect(pids(second)[0]).to.contain('A21-2');
    expect(dsc(second), 'nothing more: the hidden patient is not counted').to.equal(undefined);
    expect(JSON.stringify([first, second])).to.not.contain('A21-1');
  });

  it('answers NF when every match is hidden', async () => {
    for (const p of persons) f.decisions.hiddenPatients.add(p);
    const r = await ask();
    expect(r.ack).to.equal('AA');
    expect(r.body![0]).to.equal('QAK|Q21|NF');
    expect(pids(r)).to.deep.equal([]);
  });

  it('refuses a continuation from another sending facility (AE, 204 at DSC-1)', async () => {
    const first = await ask({ limit: 1 });
    const r = await ask({ limit: 1, pointer: dsc(first), facility: 'HOSP_C' });
    expect(r.ack).to.equal('AE');
    expect(r.errors).to.deep.equal([{ code: 204, text: 'Unknown or expired continuation pointer', location: { segment: 'DSC', field: 1 } }]);
  });
});
