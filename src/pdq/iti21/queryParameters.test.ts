import { expect } from 'chai';
import { Hl7v2Message } from '../../hl7v2/message.ts';
import { parseQueryParameters } from './queryParameters.ts';

const qpd3 = (params: string) =>
  Hl7v2Message.parse(`MSH|^~\\&|A|B|C|D|||QBP^Q22|1|P|2.5\rQPD|IHE PDQ Query|T|${params}`).first('QPD')!.reps(3);

describe('PDQ query parameters (QPD-3)', () => {
  it('reads names (normalized), birth date, sex, address, phone and prefixes', () => {
    const p = parseQueryParameters(qpd3('@PID.5.1.1^やまだ*~@PID.5.2^ﾀﾛｳ~@PID.7.1^19700101~@PID.8^m~@PID.11.5^100-0001~@PID.13^03-1234-5678'));
    expect(p.errors).to.deep.equal([]);
    expect(p.query.keys).to.deep.equal([
      { kind: 'family', key: 'ヤマダ', prefix: true },
      { kind: 'given', key: 'タロウ', prefix: false },
      { kind: 'addr.5', key: '1000001', prefix: false },
      { kind: 'phone', key: '0312345678', prefix: false },
    ]);
    expect(p.query.birthDate).to.equal('19700101');
    expect(p.query.sex).to.equal('M');
  });

  it('groups identifier parameters, each @PID.3.1 starting a new one', () => {
    const p = parseQueryParameters(qpd3('@PID.3.1^X1~@PID.3.4.1^HZLN~@PID.3.4.2^1.2.3.4~@PID.3.4.3^ISO~@PID.3.1^X2~@PID.3.4.2^1.2.3.4.5~@PID.18.1^ACC~@PID.18.4.2^1.2.3'));
    expect(p.identifiers.map((i) => [i.id, i.authority.namespace, i.authority.oid, i.repetition, i.authorityRepetition])).to.deep.equal([
      ['X1', 'HZLN', '1.2.3.4', 1, 2],
      ['X2', '', '1.2.3.4.5', 5, 6],
    ]);
    expect(p.query.keys).to.deep.equal([{ kind: 'account', key: 'ACC', prefix: false }]);
  });

  it('reports unsupported and malformed parameters with their repetition', () => {
    const p = parseQueryParameters(qpd3('@PID.5.1^A~@PID.99^x~PID.5^y~@PID.7^notadate'));
    expect(p.errors.map((e) => [e.code, e.location])).to.deep.equal([
      [102, { segment: 'QPD', field: 3, repetition: 2, component: 1 }],
      [102, { segment: 'QPD', field: 3, repetition: 3, component: 1 }],
      [102, { segment: 'QPD', field: 3, repetition: 4, component: 2 }],
    ]);
  });
});
