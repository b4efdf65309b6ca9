import { expect } from 'chai';
import { Hl7v2Message } from '../../hl7v2/message.ts';
import { dataTypeOfMessage, messageFacts, NO_ORDER } from './messageFacts.ts';

const msg = (type: string, ...segs: string[]) => Hl7v2Message.parse([`MSH|^~\\&|HIS|HOSP|GW|RCV|20240401101500.12||${type}|C1|P|2.5`, 'PID|1||123', ...segs].join('\r'));

describe('clinical feed: what a message is filed under', () => {
  it('tells prescriptions from injections, and the kinds of examination', () => {
    expect(dataTypeOfMessage(msg('RDE^O11^RDE_O11', 'ORC|NW|1', 'RXE||1^A^HOT9|1||TAB', 'RXR|PO'))!.code).to.equal('OMP-01');
    expect(dataTypeOfMessage(msg('RDE^O11^RDE_O11', 'ORC|NW|1', 'RXE||1^A^HOT9|1||ML|INJ', 'RXR|IV'))!.code).to.equal('OMP-02');
    expect(dataTypeOfMessage(msg('RAS^O17^RAS_O17', 'ORC|NW|1', 'RXA|0|1|20240401', 'RXR|IV'))!.code).to.equal('OMP-12');
    expect(dataTypeOfMessage(msg('OMG^O19^OMG_O19', 'ORC|NW|1', 'OBR|1|1||1^X^JJ1017'))!.code).to.equal('OMG-01');
    expect(dataTypeOfMessage(msg('OMG^O19^OMG_O19', 'ORC|NW|1', 'OBR|1|1||1^X^LENDO'))!.code).to.equal('OMG-02');
    expect(dataTypeOfMessage(msg('OMG^O19^OMG_O19', 'ORC|NW|1', 'OBR|1|1||9A110^ECG^JC10'))!.code).to.equal('OMG-03');
    expect(dataTypeOfMessage(msg('OMI^Z23^OMI_Z23', 'ORC|NW|1', 'OBR|1|1||1^X^LENDO'))!.code).to.equal('OMG-12');
    expect(dataTypeOfMessage(msg('ADT^A11^ADT_A09', 'EVN||1', 'PV1|1|I'))!.code).to.equal('ADT-22');
    expect(dataTypeOfMessage(msg('ADT^A11^ADT_A09', 'EVN||1', 'PV1|1|O'))!.code).to.equal('ADT-12');
    expect(dataTypeOfMessage(msg('OUL^R22^OUL_R22'))!.code).to.equal('OML-11');
    expect(dataTypeOfMessage(msg('DFT^P03^DFT_P03'))).to.equal(undefined);
  });

  it('reads order number, timestamp, department and condition from the message', () => {
    expect(messageFacts(msg('RDE^O11^RDE_O11', 'ORC|CA|000123|||||||||||||||01^内科^99Z01'))).to.deep.equal({ orderNo: '000123', timestamp: '20240401101500120', department: '01', condition: 0 });
    expect(messageFacts(msg('ADT^A02^ADT_A02', 'EVN||1', 'PV1|1|I|||||||||内科'))).to.deep.equal({ orderNo: NO_ORDER, timestamp: '20240401101500120', department: '-', condition: 1 });
  });
});
