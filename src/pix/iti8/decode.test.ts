import { expect } from 'chai';
import { adt, HOSP_A, HOSP_B } from '../../../test/helpers/messages.ts';
import { Hl7ProcessingError, type Hl7ErrorDetail } from '../../hl7v2/errors.ts';
import { Hl7v2Message } from '../../hl7v2/message.ts';
import { decodeIti8 } from './decode.ts';

const decode = (text: string, maxIdentifiers = 20) => decodeIti8(Hl7v2Message.parse(text), maxIdentifiers);

/** The HL7 error a decode raises: ack code and its one detail. */
function refusal(text: string): { ack: string; detail: Hl7ErrorDetail } {
  try {
    decode(text);
  } catch (e) {
    if (!(e instanceof Hl7ProcessingError)) throw e;
    expect(e.details).to.have.length(1);
    return { ack: e.ack, detail: e.details[0] };
  }
  throw new Error('decoded without error');
}

const without = (text: string, segment: string) =>
  text
    .split('\r')
    .filter((s) => !s.startsWith(`${segment}|`))
    .join('\r');

/** Replaces field n of the first segment of a type (n counted as HL7 does: the type is field 0). */
function withField(text: string, segment: string, n: number, value: string): string {
  return text
    .split('\r')
    .map((s) => {
      if (!s.startsWith(`${segment}|`)) return s;
      const f = s.split('|');
      while (f.length <= n) f.push('');
      f[n] = value;
      return f.join('|');
    })
    .join('\r');
}

describe('ITI-8 message structure (decodeIti8, ITI TF-2 3.8.4.1.2 and 3.8.4.2.2)', () => {
  it('reads an A04: the event, each PID-3 identifier with its authority, type code and repetition, the demographics', () => {
    const r = decode(adt({ event: 'A04', ids: [`A-1^^^${HOSP_A}^PI`, `B-1^^^${HOSP_B}`], name: 'YAMADA^TARO', birthDate: '19800202', sex: 'F' }));
    expect(r.event).to.equal('A04');
    expect(r.ids).to.deep.equal([
      { id: 'A-1', authority: { namespace: 'HOSP_A', oid: '1.2.392.999.1', type: 'ISO' }, typeCode: 'PI', index: 0 },
      { id: 'B-1', authority: { namespace: 'HOSP_B', oid: '1.2.392.999.2', type: 'ISO' }, typeCode: '', index: 1 },
    ]);
    expect(r.priors).to.deep.equal([]);
    expect(r.demographics.fields[5]).to.deep.equal([[['YAMADA'], ['TARO']]]);
    expect(r.demographics.fields[7]).to.deep.equal([[['19800202']]]);
    expect(r.demographics.fields[8]).to.deep.equal([[['F']]]);
    expect(r.demographics.fields).to.not.have.property('3');
  });

  it('keeps the repetition of each identifier when an empty one comes before it (errors point at the right PID-3 repetition)', () => {
    const r = decode(adt({ ids: ['', `^^^${HOSP_B}`, `A-2^^^${HOSP_A}`] }));
    expect(r.ids.map((i) => [i.id, i.index])).to.deep.equal([['A-2', 2]]);
  });

  for (const event of ['A01', 'A05', 'A08'] as const) {
    it(`reads an ${event} as MSH, EVN, PID, PV1`, () => {
      const r = decode(adt({ event, ids: [`A-3^^^${HOSP_A}`] }));
      expect(r.event).to.equal(event);
      expect(r.ids.map((i) => i.id)).to.deep.equal(['A-3']);
    });
  }

  it('reads an A40: PID-3 the survivor, MRG-1 the prior identifiers with their repetitions, PV1 optional', () => {
    const text = adt({ event: 'A40', ids: [`A-4^^^${HOSP_A}`], mrg: [`A-5^^^${HOSP_A}`, `B-5^^^${HOSP_B}`] });
    expect(text).to.not.contain('PV1|');
    const r = decode(text);
    expect(r.event).to.equal('A40');
    expect(r.ids.map((i) => i.id)).to.deep.equal(['A-4']);
    expect(r.priors).to.deep.equal([
      { id: 'A-5', authority: { namespace: 'HOSP_A', oid: '1.2.392.999.1', type: 'ISO' }, typeCode: '', index: 0 },
      { id: 'B-5', authority: { namespace: 'HOSP_B', oid: '1.2.392.999.2', type: 'ISO' }, typeCode: '', index: 1 },
    ]);
  });

  it('reads an MRG-1 without an assigning authority as such (the feed places it in a domain)', () => {
    const r = decode(adt({ event: 'A40', ids: [`A-6^^^${HOSP_A}`], mrg: ['A-7'] }));
    expect(r.priors).to.deep.equal([{ id: 'A-7', authority: { namespace: '', oid: '', type: '' }, typeCode: '', index: 0 }]);
  });

  describe('refuses a message missing a required part, located where it belongs (AE)', () => {
    const a04 = adt({ event: 'A04', ids: [`A-8^^^${HOSP_A}`] });
    const a40 = adt({ event: 'A40', ids: [`A-8^^^${HOSP_A}`], mrg: [`A-9^^^${HOSP_A}`] });
    const cases: [string, string, Hl7ErrorDetail][] = [
      ['no EVN', without(a04, 'EVN'), { code: 100, text: 'Required segment EVN is missing', location: { segment: 'EVN' } }],
      ['no PID', without(a04, 'PID'), { code: 100, text: 'Required segment PID is missing', location: { segment: 'PID' } }],
      ['an A04 without PV1', without(a04, 'PV1'), { code: 100, text: 'Required segment PV1 is missing', location: { segment: 'PV1' } }],
      ['an A08 without PV1', without(adt({ event: 'A08', ids: [`A-8^^^${HOSP_A}`] }), 'PV1'), { code: 100, text: 'Required segment PV1 is missing', location: { segment: 'PV1' } }],
      ['an A40 without MRG', without(a40, 'MRG'), { code: 100, text: 'Required segment MRG is missing', location: { segment: 'MRG' } }],
      ['an empty PID-3', withField(a04, 'PID', 3, ''), { code: 101, text: 'PID-3 holds no patient identifier', location: { segment: 'PID', field: 3 } }],
      ['a PID-3 of authorities without IDs', withField(a04, 'PID', 3, `^^^${HOSP_A}~^^^${HOSP_B}`), { code: 101, text: 'PID-3 holds no patient identifier', location: { segment: 'PID', field: 3 } }],
      ['an empty PID-5', withField(a04, 'PID', 5, ''), { code: 101, text: 'PID-5 patient name is required', location: { segment: 'PID', field: 5 } }],
      ['a PID-5 of separators only', withField(a04, 'PID', 5, '^^^^^^'), { code: 101, text: 'PID-5 patient name is required', location: { segment: 'PID', field: 5 } }],
      ['an A40 with an empty MRG-1', withField(a40, 'MRG', 1, ''), { code: 101, text: 'MRG-1 prior patient identifier is required', location: { segment: 'MRG', field: 1 } }],
      ['an A40 whose MRG-1 names only an authority', withField(a40, 'MRG', 1, `^^^${HOSP_A}`), { code: 101, text: 'MRG-1 prior patient identifier is required', location: { segment: 'MRG', field: 1 } }],
      ['a PID-5 of empty repetitions', withField(a04, 'PID', 5, '~^'), { code: 101, text: 'PID-5 patient name is required', location: { segment: 'PID', field: 5 } }],
    ];
    for (const [what, text, detail] of cases) {
      it(what, () => {
        expect(refusal(text)).to.deep.equal({ ack: 'AE', detail });
      });
    }
  });

  it('refuses more PID-3 or MRG-1 repetitions than the limit: AR 207 at the first one beyond it', () => {
    const ids = Array.from({ length: 4 }, (_, i) => `A${i}^^^${HOSP_A}`);
    expect(decode(adt({ event: 'A04', ids }), 4).ids).to.have.length(4);
    const r = refusal(adt({ event: 'A04', ids: Array.from({ length: 21 }, (_, i) => `A${i}^^^${HOSP_A}`) }));
    expect(r.ack).to.equal('AR');
    expect(r.detail).to.deep.include({ code: 207, location: { segment: 'PID', field: 3, repetition: 21 } });
    try {
      decode(adt({ event: 'A40', ids: [`S^^^${HOSP_A}`], mrg: ids.concat(ids) }), 4);
      expect.fail('decoded');
    } catch (e) {
      expect((e as Hl7ProcessingError).ack).to.equal('AR');
      expect((e as Hl7ProcessingError).details[0]).to.deep.include({ code: 207, location: { segment: 'MRG', field: 1, repetition: 5 } });
    }
  });

  it('checks EVN before PID, and PID-3 before PID-5 (the first missing part is reported)', () => {
    const bare = ['MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101120000||ADT^A04^ADT_A01|C1|P|2.5', 'PID|1||||', 'PV1||O'].join('\r');
    expect(refusal(bare).detail.location).to.deep.equal({ segment: 'EVN' });
    const noIds = withField(withField(adt({ ids: [`A-10^^^${HOSP_A}`] }), 'PID', 3, ''), 'PID', 5, '');
    expect(refusal(noIds).detail.location).to.deep.equal({ segment: 'PID', field: 3 });
  });
});
