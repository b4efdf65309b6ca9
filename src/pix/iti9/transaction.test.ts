import { expect } from 'chai';
import { hl7Request, HOSP_A, HOSP_B, readFixture, type ReadFixture } from '../../../test/helpers/readFixture.ts';
import { pixQuery } from '../../../test/helpers/messages.ts';
import type { ResponseSpec } from '../../hl7v2/ack.ts';
import { iti9Transaction } from './transaction.ts';

describe('ITI-9 PIX Query (the transaction over the cross-reference service)', () => {
  let f: ReadFixture;
  let person: number;
  let handle: (text: string) => Promise<ResponseSpec>;
  before(async () => {
    f = await readFixture();
    person = await f.patient('P9-1', [
      { authority: HOSP_A, id: 'A9-1' },
      { authority: HOSP_B, id: 'B9-1' },
    ]);
    const t = iti9Transaction({ store: f.store, identity: f.identity, audit: f.audit, decisions: f.decisions });
    handle = (text) => t.handle(hl7Request(text));
  });
  afterEach(() => f.decisions.hiddenPatients.clear());
  after(() => f?.close());

  const ask = (id: string, domains: string[] = []) => handle(pixQuery({ key: `${id}^^^HOSP_A&1.2.392.999.1&ISO`, domains, tag: 'T9' }));
  /** The answer without the QPD echo (which repeats the queried identifier). */
  const shape = (r: ResponseSpec) => ({ ack: r.ack, errors: r.errors, qak: r.body?.[0] });

  it('answers a known identifier with the others in one PID, the wanted domain only', async () => {
    const r = await ask('A9-1', ['^^^HOSP_B&1.2.392.999.2&ISO']);
    expect(r.ack).to.equal('AA');
    expect(r.body![0]).to.equal('QAK|T9|OK');
    expect(r.body![2]).to.match(/^PID\|\|\|B9-1\^\^\^HOSP_B&1\.2\.392\.999\.2&ISO\|\|~\^\^\^\^\^\^S$/);
  });

  it('answers a patient the requester may not find exactly as an unknown identifier (AE, ERR 204 at QPD^1^3^1^1)', async () => {
    const unknown = await ask('A9-404');
    f.decisions.hiddenPatients.add(person);
    const hidden = await ask('A9-1');
    expect(shape(hidden)).to.deep.equal(shape(unknown));
    expect(hidden.ack).to.equal('AE');
    expect(hidden.errors).to.deep.equal([{ code: 204, text: 'Unknown patient identifier', location: { segment: 'QPD', field: 3, repetition: 1, component: 1 } }]);
    expect(JSON.stringify(hidden)).to.not.contain('B9-1').and.to.not.contain('P9-1');
  });

  it('locates an unknown what-domain at its QPD-4 repetition', async () => {
    const r = await ask('A9-1', ['^^^HOSP_B&1.2.392.999.2&ISO', '^^^NOWHERE&1.2.392.999.77&ISO']);
    expect(r.errors).to.deep.equal([{ code: 204, text: 'Unknown what-domain in QPD-4', location: { segment: 'QPD', field: 4, repetition: 2 } }]);
  });
});
