import { HL7Message, hl7UnEscape } from 'hl7v2';
const m = HL7Message.parse('MSH|^~\\&|A|B|C|D|20111220224447.3399+0900||ADT^A04|1|P|2.5\rPID|1||1\\S\\2^^^X&1.2&ISO||A\\T\\B^C||19480405|M\rOBX|1|NM|x||0167.80|cm\rPV1|1|I|||||||||||||||||||||||||||||||||||||||||||201001011230\r');
const h = m.header.field(7);
console.log(JSON.stringify(h.getValue()), h.toHL7String(), h.repetition(0).component(1).subcomp(1).toHL7String(), typeof h.repetition(0).component(1).subcomp(1).value);
const o = m.getSegment('OBX').field(5);
console.log(JSON.stringify(o.getValue()), o.toHL7String());
const p = m.getSegment('PID');
console.log(p.field(3).repetition(0).component(1).subcomp(1).toHL7String(), p.field(3).repetition(0).component(4).subcomp(2).toHL7String(), p.field(7).toHL7String(), JSON.stringify(p.field(7).getValue()));
console.log(m.getSegment('PV1').field(44).toHL7String(), p.field(99)?.toHL7String?.());
