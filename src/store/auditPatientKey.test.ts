import { expect } from 'chai';
import { readCx } from './auditPatientKey.ts';

describe('CX read for audit search keys', () => {
  it('reads CX-1, the CX-4 namespace and OID, and CX-5 as splitting the CX would, whatever is absent', () => {
    const cases = [
      'P1^^^HOSP_A&1.2.392.100.1&ISO^PI',
      'P1^^^&1.2.3&ISO',
      'P1^^^HOSP_C',
      'P1',
      '',
      '^^^',
      'P1^^^HOSP_A&1.2.3&ISO^PI^extra^more',
      '123456789018^^^&2.999.392.1.9&ISO',
      'P1^^^^MR',
      'P1^^^a&b&c&d',
      '佐藤^^^病院&1.2&ISO',
    ];
    for (const cx of cases) {
      const c = cx.split('^');
      const hd = (c[3] ?? '').split('&');
      expect(readCx(cx), cx).to.deep.equal({ value: c[0], namespace: hd[0], oid: hd[1] ?? '', typeCode: c[4] ?? '' });
    }
  });
});
