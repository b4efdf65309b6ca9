import { expect } from 'chai';
import { DisplayNames, namesNoOne, OPERATOR } from './displayNames.ts';

const names = new DisplayNames({
  domains: [
    { namespace: 'HOSP01', oid: '2.999.392.100.1', displayName: '登呂中央病院', sourceFacility: 'TORO' },
    { namespace: 'HOSP02', oid: '2.999.392.100.2' },
  ],
  nodes: [
    { name: 'clinic-x', displayName: 'ひまわりクリニック', facility: 'HOSP02' },
    { name: 'toro-ehr', facility: 'HOSP01' },
    { name: 'gateway' },
  ],
  localName: 'local',
});
const p = (userId: string, userName = '', altUserId = '') => ({ userId, userName, altUserId });

describe('access report: display names', () => {
  it('takes URLs, file paths, anonymous and unknown peers for no one', () => {
    for (const id of ['http://10.1.1.1/services/registry', 'https://hie.example/x', 'file:///srv/ssmix2/HOSP01', '/var/lib/ssmix2', './storage', 'C:\\SSMIX2\\data', '\\\\server\\share', 'urn:oid:1.2.3', 'http://www.w3.org/2005/08/addressing/anonymous', 'anonymous', 'unknown:10.0.0.9', ' ']) {
      expect(namesNoOne(id), id).to.equal(true);
    }
    for (const id of ['HOSP01|HIS', 'node:clinic-x', 'CN=hosp-a,O=Hospital A', 'dr.kato@clinic', 'NATIONAL|GATEWAY']) expect(namesNoOne(id), id).to.equal(false);
  });

  it('names facilities by their display name, by namespace, OID or source MSH-4, else by code', () => {
    expect(['HOSP01', '2.999.392.100.1', 'TORO', 'HOSP02', 'OTHER'].map((c) => names.facility(c))).to.deep.equal(['登呂中央病院', '登呂中央病院', '登呂中央病院', 'HOSP02', 'OTHER']);
  });

  it('names nodes by their display name, else their facility\'s, else their name; the local identity is the operator', () => {
    expect(['clinic-x', 'toro-ehr', 'gateway', 'local', 'stranger'].map((n) => names.node(n))).to.deep.equal(['ひまわりクリニック', '登呂中央病院', 'gateway', OPERATOR, 'stranger']);
  });

  it('shows each participant by a name, or not at all', () => {
    expect(names.user(p('http://www.w3.org/2005/08/addressing/anonymous'))).to.equal(undefined);
    expect(names.user(p('file:///srv/ssmix2/HOSP01'))).to.equal(undefined);
    expect(names.user(p('http://10.1.1.1/services/registry', 'Dr. Ito'))).to.equal('Dr. Ito');
    expect(names.user(p('node:clinic-x'))).to.equal('ひまわりクリニック');
    // A node known by its certificate: the subject, the fingerprint as UserName, the node as AlternativeUserID.
    expect(names.user(p('CN=clinic-x', 'SHA-256:AB:CD', 'clinic-x'))).to.equal('ひまわりクリニック');
    expect(names.user(p('CN=stranger', 'SHA-256:AB:CD'))).to.equal('CN=stranger');
    expect(names.user(p('HOSP01|HIS'))).to.equal('登呂中央病院・HIS');
    expect(names.user(p('HOSP01|HIS', 'Dr. Kato'))).to.equal('Dr. Kato (登呂中央病院・HIS)');
    expect(names.user(p('CLINIC_X|EHR', 'Dr. Kato'))).to.equal('Dr. Kato (CLINIC_X|EHR)');
    // XUA: UserName alias<user@issuer> (ITI TF-2b 3.40.4.2).
    expect(names.user(p('kato@idp', '加藤 医師<kato@idp.example>'))).to.equal('加藤 医師 (kato@idp)');
    expect(names.user(p('kato@idp', '<kato@idp.example>'))).to.equal('kato@idp.example (kato@idp)');
  });
});
