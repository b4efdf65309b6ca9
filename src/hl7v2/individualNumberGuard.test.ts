import { expect } from 'chai';
import { DomainDirectory } from '../identity/domainDirectory.ts';
import { validate } from '../server/config/load.ts';
import { findIndividualNumber } from './individualNumberGuard.ts';
import { Hl7v2Message } from './message.ts';

const N = '123456789018';
const directory = (screening = false) =>
  new DomainDirectory(validate({ identity: { token: { issuerKey: 'k'.repeat(32) }, individualNumber: { freeTextScreening: { enabled: screening } } } }).identity);
const msg = (...segs: string[]) => Hl7v2Message.parse(['MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101||ADT^A04^ADT_A01|C1|P|2.5', ...segs].join('\r') + '\r');
const find = (m: Hl7v2Message, screening = false) => findIndividualNumber(m, directory(screening));

describe('the HL7 v2 individual-number guard', () => {
  it('finds the domain in PID-3 whatever the spelling of its OID or namespace', () => {
    for (const cx of [
      `${N}^^^&urn:oid:2.999.392.1.9&ISO`,
      `${N}^^^&URN:OID:2.999.392.1.9&ISO`,
      `${N}^^^& 2.999.392.1.9 &ISO`,
      `${N}^^^MYNUMBER`,
      `${N}^^^mynumber&&`,
      `${N}^^^\\X4D594E554D424552\\`,
      `${N}^^^^MN`,
    ]) {
      expect(find(msg(`PID|1||A1^^^HOSP_A~${cx}`)), cx).to.deep.equal({ segment: 'PID', sequence: 1, field: 3, repetition: 2 });
    }
    expect(find(msg(`PID|1||A1^^^HOSP_A&1.2.3&ISO~${N}^^^&1.2.392.1.9&ISO`))).to.equal(undefined);
  });

  it('finds a PDQ query parameter naming the domain, in any component of any field', () => {
    const qpd = `QPD|IHE PDQ Query|T1|@PID.3.1^${N}~@PID.3.4.2^urn:oid:2.999.392.1.9`;
    expect(find(msg(qpd))).to.deep.equal({ segment: 'QPD', sequence: 1, field: 3, repetition: 2 });
    expect(find(msg(`NTE|1||see ${N}^^^MYNUMBER`))).to.include({ segment: 'NTE' });
  });

  it('screens PID-5, PID-13 and OBX-5 for 12 digits with a valid check digit only when configured', () => {
    const phone = msg(`PID|1||A1^^^HOSP_A||YAMADA^TARO||19700101|M|||||${N}`);
    expect(find(phone)).to.equal(undefined);
    expect(find(phone, true)).to.deep.equal({ segment: 'PID', sequence: 1, field: 13, repetition: 1 });
    expect(find(msg(`PID|1||A1^^^HOSP_A||YAMADA^${N.slice(0, 4)} ${N.slice(4, 8)} ${N.slice(8)}`), true)).to.include({ field: 5 });
    expect(find(msg('PID|1||A1^^^HOSP_A', `OBX|1|ST|1^x||番号 ${N}`), true)).to.include({ segment: 'OBX', field: 5 });
    // A wrong check digit is no individual number.
    expect(find(msg(`PID|1||A1^^^HOSP_A||||||||||123456789012`), true)).to.equal(undefined);
  });
});
