import { expect } from 'chai';
import { encodeMessage } from '../../hl7v2/charset.ts';
import { messages } from '../i18n/messages.ts';
import { fieldText, hl7Text, observations, parseHl7, resultsTable, segmentTables } from './hl7Table.ts';

const MESSAGE = [
  'MSH|^~\\&|HIS|HOSP02|SSMIX2|HOSP02|20240507145859||OUL^R22^OUL_R22|066865820008|P|2.5||||||~ISO IR87||ISO 2022-1994',
  'PID|0001||06686582^^^^PI||佐藤^直美^^^^^L^I~サトウ^ナオミ^^^^^L^P||19900422|F',
  'OBX|1|NM|3C015000002327101^クレアチニン^JC10||0.88|mg/dL^mg/dL^ISO+|0.46-1.07|N|||F|||202405071258',
  'OBX|2|NM|3B035000002327201^AST^JC10||31|U/L^U/L^ISO+|13-30|H|||F|||202405071258',
  'NTE|1||溶血\\F\\あり<script>alert(1)</script>',
].join('\r');

describe('console: HL7 v2 messages as tables', () => {
  it('decodes ISO-2022-JP by MSH-18 before anything else', () => {
    const bytes = encodeMessage(MESSAGE, 'iso-2022-jp');
    expect(bytes.includes(0x1b)).to.equal(true);
    expect(hl7Text(bytes)).to.equal(MESSAGE);
    expect(hl7Text(Buffer.from('%PDF-1.4'))).to.equal(undefined);
  });

  it('splits segments, fields, repetitions and components, with MSH-1 and MSH-2 as they are and escapes undone', () => {
    const m = parseHl7(MESSAGE);
    expect(m.segments.map((s) => s.name)).to.deep.equal(['MSH', 'PID', 'OBX', 'OBX', 'NTE']);
    const msh = m.segments[0]!;
    expect(msh.fields[1]).to.deep.equal([['|']]);
    expect(msh.fields[2]).to.deep.equal([['^~\\&']]);
    expect(fieldText(msh.fields[9]!)).to.equal('OUL ^ R22 ^ OUL_R22');
    expect(fieldText(m.segments[1]!.fields[5]!)).to.equal('佐藤 ^ 直美 ^  ^  ^  ^  ^ L ^ I\nサトウ ^ ナオミ ^  ^  ^  ^  ^ L ^ P');
    expect(fieldText(m.segments[4]!.fields[3]!)).to.equal('溶血|あり<script>alert(1)</script>');
  });

  it('reads observations with units, reference ranges and flags', () => {
    expect(observations(parseHl7(MESSAGE))).to.deep.equal([
      { item: 'クレアチニン', value: '0.88', units: 'mg/dL', range: '0.46-1.07', flag: 'N', time: '202405071258' },
      { item: 'AST', value: '31', units: 'U/L', range: '13-30', flag: 'H', time: '202405071258' },
    ]);
  });

  it('renders Japanese field names, marks abnormal results, and escapes every value', () => {
    const m = parseHl7(MESSAGE);
    const tables = segmentTables(m, messages('ja'), 'ja').text;
    expect(tables).to.include('<caption>PID 患者識別</caption>');
    expect(tables).to.include('<td>PID-5</td><td>患者氏名</td>');
    expect(tables).to.include('<td>OBX-7</td><td>基準値範囲</td><td>0.46-1.07</td>');
    expect(tables).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(tables).not.to.include('<script>');
    expect(segmentTables(m, messages('en'), 'en').text).to.include('<td>PID-5</td><td>Patient name</td>');
    const results = resultsTable(m, 'ja').text;
    expect(results).to.include('<td>クレアチニン</td><td>0.88</td><td>mg/dL</td><td>0.46-1.07</td><td></td>');
    expect(results).to.include('<td class="abnormal">31</td>').and.include('高 (H)');
  });
});
