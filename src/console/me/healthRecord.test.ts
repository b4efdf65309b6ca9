import { expect } from 'chai';
import { parseHl7 } from '../documents/hl7Table.ts';
import { addMessage, emptyRecord, sorted } from './healthRecord.ts';

const msg = (type: string, ...segs: string[]) => [`MSH|^~\\&|HIS|HOSP02|SSMIX2|HOSP02|20240507145859||${type}|1|P|2.5||||||~ISO IR87||ISO 2022-1994`, 'PID|0001||06686582^^^^PI||佐藤^直美^^^^^L^I', ...segs].join('\r');
const src = { facility: '駿河総合病院', date: '2024-05-07' };

describe('console: a patient\'s health record from SS-MIX2 messages', () => {
  it('reads lab results with units, reference ranges and flags', () => {
    const r = emptyRecord();
    addMessage(r, parseHl7(msg('OUL^R22^OUL_R22', 'OBR|1|2405078667495|240507866749501|E001^生化学的検査^99O03', 'OBX|1|NM|3B035000002327201^AST^JC10||31|U/L^U/L^ISO+|13-30|H|||F|||202405071258')), src);
    expect(r.labs).to.deep.equal([{ facility: '駿河総合病院', date: '2024-05-07 12:58', test: '生化学的検査', item: 'AST', value: '31', units: 'U/L', range: '13-30', flag: 'H' }]);
  });

  it('reads prescriptions with their timing and route, allergies, problems and encounters', () => {
    const r = emptyRecord();
    addMessage(
      r,
      parseHl7(
        msg(
          'OMP^O09^OMP_O09',
          'ORC|NW|2404289050181',
          'RXE||113045601^ロキソプロフェンナトリウム錠６０ｍｇ^HOT9|3||TAB^錠^MR9P|||||84|TAB^錠^MR9P',
          'TQ1|1||1012040400000000&内服・経口・１日２回朝夕食後&JAMISDP01|||28^d|2024042810',
          'RXR|PO^口^HL70162',
        ),
      ),
      src,
    );
    addMessage(r, parseHl7(msg('ADT^A60^ADT_A60', 'EVN||20240304170740', 'IAM|1|DA^薬剤アレルギー^HL70127|113045601^ロキソプロフェン^HOT9|MO^中等度^HL70128|蕁麻疹|A^追加^HL70323')), src);
    addMessage(r, parseHl7(msg('PPR^ZD1^PPR_ZD1', 'PRB|AD|20240304|20061234^本態性高血圧症^MDCDX2|P066865830|||20240304||||||||||20240301')), src);
    addMessage(r, parseHl7(msg('ADT^A01^ADT_A01', 'EVN||20240529100504', 'PV1|0001|I|32^302^1^^^N||||306^医師^陽子^^^^^^^L^^^^^I|||13^外科^99Z01||||||||||||||||||||||||||||||||||202405291005')), src);
    expect(r.prescriptions).to.have.length(1);
    expect(r.prescriptions[0]).to.include({ drug: 'ロキソプロフェンナトリウム錠６０ｍｇ', amount: '3', units: '錠', route: '口', days: '28 d' });
    expect(r.prescriptions[0]!.instructions).to.include('１日２回朝夕食後');
    expect(r.allergies[0]).to.include({ allergen: 'ロキソプロフェン', kind: '薬剤アレルギー', severity: '中等度', reaction: '蕁麻疹' });
    expect(r.problems[0]).to.include({ problem: '本態性高血圧症', onset: '2024-03-01' });
    expect(r.encounters[0]).to.include({ date: '2024-05-29 10:05', department: '外科', doctor: '医師 陽子' });
    expect(r.encounters[0]!.kind).to.include('入院');
  });

  it('sorts every section newest first', () => {
    const r = emptyRecord();
    r.problems.push({ ...src, date: '2020', problem: 'a', onset: '', status: '' }, { ...src, date: '2024', problem: 'b', onset: '', status: '' });
    expect(sorted(r).problems.map((p) => p.problem)).to.deep.equal(['b', 'a']);
  });
});
