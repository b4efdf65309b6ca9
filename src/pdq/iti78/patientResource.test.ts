import { expect } from 'chai';
import { FhirSchemaValidator } from '../../fhir/schemaValidator.ts';
import type { Domain } from '../../identity/types.ts';
import { EN_REPRESENTATION, patientResource } from './patientResource.ts';

const domain = (namespace: string, oid: string, kind: Domain['kind'] = 'local'): Domain => ({ key: oid, namespace, oid, type: 'ISO', kind });
const rep = (...components: string[]) => components.map((c) => [c]);

describe('a PDQm Patient from PID demographics (JP Core names)', () => {
  const p = patientResource(
    'R0000000001',
    [
      { domain: domain('HOSP_A', '1.2.392.999.1'), id: 'P1' },
      { domain: domain('REGION', '2.999.392.1.2', 'regional'), id: 'R0000000001' },
    ],
    {
      fields: {
        5: [rep('山田', '太郎', '', '', '', '', 'L', 'I'), rep('ヤマダ', 'タロウ', '', '', '', '', 'L', 'P'), rep('YAMADA', 'TARO', '', '', '', '', '', 'A')],
        7: [rep('19700101')],
        8: [rep('M')],
        11: [rep('', '', '', '', '100-0001', 'JPN', 'H', '東京都千代田区千代田１－１')],
        13: [rep('', 'PRN', 'PH', '', '', '', '', '', '', '', '', '03-1234-5678'), rep('', 'NET', 'Internet', 'taro@example.jp')],
        14: [rep('03-9999-0000', 'WPN', 'FX')],
      },
    },
  );

  it('validates against the FHIR R4 schema', () => {
    expect(new FhirSchemaValidator().validate(p, 'Patient')).to.deep.equal([]);
  });
  it('writes kanji and kana as two HumanNames told apart by iso21090-EN-representation IDE and SYL', () => {
    expect(p.name).to.deep.equal([
      { extension: [{ url: EN_REPRESENTATION, valueCode: 'IDE' }], use: 'official', text: '山田 太郎', family: '山田', given: ['太郎'] },
      { extension: [{ url: EN_REPRESENTATION, valueCode: 'SYL' }], use: 'official', text: 'ヤマダ タロウ', family: 'ヤマダ', given: ['タロウ'] },
      { extension: [{ url: EN_REPRESENTATION, valueCode: 'ABC' }], text: 'YAMADA TARO', family: 'YAMADA', given: ['TARO'] },
    ]);
  });
  it('maps identifiers, birth date, gender, address and telecom', () => {
    expect(p.id).to.equal('R0000000001');
    expect(p.identifier).to.deep.equal([
      { system: 'urn:oid:1.2.392.999.1', value: 'P1' },
      { system: 'urn:oid:2.999.392.1.2', value: 'R0000000001' },
    ]);
    expect([p.birthDate, p.gender]).to.deep.equal(['1970-01-01', 'male']);
    expect(p.address).to.deep.equal([{ use: 'home', text: '東京都千代田区千代田１－１', postalCode: '100-0001', country: 'JPN' }]);
    expect(p.telecom).to.deep.equal([
      { system: 'phone', value: '03-1234-5678', use: 'home' },
      { system: 'email', value: 'taro@example.jp', use: 'home' },
      { system: 'fax', value: '03-9999-0000', use: 'work' },
    ]);
  });
  it('leaves out what PID does not hold, and a partial birth date stays partial', () => {
    const q = patientResource('R2', [], { fields: { 7: [rep('1970')] } });
    expect(q).to.deep.equal({ resourceType: 'Patient', id: 'R2', meta: q.meta, identifier: [], active: true, birthDate: '1970' });
  });
});
