import { expect } from 'chai';
import { Hl7ProcessingError } from './errors.ts';
import { Hl7v2Message } from './message.ts';

const ADT = 'MSH|^~\\&|EHR|HOSP|HIE|REGION|20240101||ADT^A04^ADT_A01|C1|P|2.5|||AL|NE||UNICODE UTF-8\rEVN|A04\rPID|1||A\\S\\1^^^NS&1.2.3&ISO~B2^^^&4.5&ISO||山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P\rPV1||O';

describe('HL7 v2 message model', () => {
  it('reads the header', () => {
    const m = Hl7v2Message.parse(ADT);
    expect(m.header.type).to.deep.equal({ code: 'ADT', event: 'A04', structure: 'ADT_A01' });
    expect(m.header.controlId).to.equal('C1');
    expect(m.header.version).to.equal('2.5');
    expect(m.header.sendingApplication).to.equal('EHR');
    expect(m.header.acceptAckType).to.equal('AL');
    expect(m.header.applicationAckType).to.equal('NE');
    expect(m.header.characterSet).to.equal('UNICODE UTF-8');
  });

  it('gives unescaped values by field, repetition, component and subcomponent', () => {
    const pid = Hl7v2Message.parse(ADT).first('PID')!;
    expect(pid.get(3)).to.equal('A^1');
    expect(pid.get(3, 4, 2)).to.equal('1.2.3');
    expect(pid.get(3, 4, 2, 1)).to.equal('4.5');
    expect(pid.reps(5).map((r) => r.get(1))).to.deep.equal(['山田', 'ヤマダ']);
    expect(pid.reps(5)[1].get(8)).to.equal('P');
    expect(pid.raw(3)).to.equal('A\\S\\1^^^NS&1.2.3&ISO~B2^^^&4.5&ISO');
    expect(pid.get(40)).to.equal('');
  });

  it('keeps each segment exactly as received (for echoes)', () => {
    const m = Hl7v2Message.parse('MSH|^~\\&|A|B|C|D|||QBP^Q23|1|P|2.5\rQPD|IHE PIX Query|T1|X^^^NS&1.2&ISO|^^^&3.4&ISO');
    expect(m.first('QPD')!.toString()).to.equal('QPD|IHE PIX Query|T1|X^^^NS&1.2&ISO|^^^&3.4&ISO');
  });

  it('accepts LF and CRLF segment ends', () => {
    expect(Hl7v2Message.parse(ADT.replace(/\r/g, '\n')).first('PV1')!.get(2)).to.equal('O');
    expect(Hl7v2Message.parse(ADT.replace(/\r/g, '\r\n')).all('PID')).to.have.length(1);
  });

  it('numbers repeated segments for error locations', () => {
    const m = Hl7v2Message.parse('MSH|^~\\&|A|B|C|D|||ORU^R01|1|P|2.5\rOBX|1\rOBX|2');
    expect(m.all('OBX').map((s) => s.sequence)).to.deep.equal([1, 2]);
  });

  it('refuses text without MSH, two messages in one text, and a header without type or control id', () => {
    const refuse = (text: string) => {
      try {
        Hl7v2Message.parse(text);
      } catch (e) {
        expect(e).to.be.instanceOf(Hl7ProcessingError);
        return (e as Hl7ProcessingError).details[0];
      }
      return expect.fail(`should refuse: ${text}`);
    };
    expect(refuse('PID|1').code).to.equal(100);
    expect(refuse(ADT + '\r' + ADT).location).to.deep.equal({ segment: 'MSH', sequence: 2 });
    expect(refuse('MSH|^~\\&|A|B|C|D||||1|P|2.5').location).to.deep.equal({ segment: 'MSH', field: 9, repetition: 1, component: 1 });
    expect(refuse('MSH|^~\\&|A|B|C|D|||ADT^A04||P|2.5').code).to.equal(101);
  });
});
