import { expect } from 'chai';
import { PixQueryError, pixQueryMessage, regionalIdOfReply } from './pixQuery.ts';

const REGION = { namespace: 'REGION', oid: '2.999.392.1.2' };

describe('ITI-9 PIX Consumer: query and answer', () => {
  it('asks for the ID in the wanted domain (QPD-3 the patient, QPD-4 the domain)', () => {
    const m = pixQueryMessage('0001^^^HOSP_A&1.2.3&ISO', REGION, { application: 'APP', facility: 'FAC' }).split('\r');
    expect(m[0]).to.match(/^MSH\|\^~\\&\|APP\|FAC\|HIE\|REGION\|\d{14}\|\|QBP\^Q23\^QBP_Q21\|Q\w+\|P\|2\.5$/);
    expect(m[1]).to.match(/^QPD\|IHE PIX Query\|Q\w+\|0001\^\^\^HOSP_A&1\.2\.3&ISO\|\^\^\^REGION&2\.999\.392\.1\.2&ISO$/);
    expect(m[2]).to.equal('RCP|I');
  });
  it('reads the regional ID from PID-3, nothing for AE (unknown ID), and throws for AR', () => {
    expect(regionalIdOfReply('MSH|^~\\&|HIE\rMSA|AA|1\rQAK|Q1|OK\rPID|||X^^^OTHER&1.1&ISO~R0000000001^^^REGION&2.999.392.1.2&ISO', REGION)).to.equal('R0000000001');
    expect(regionalIdOfReply('MSH|^~\\&|HIE\rMSA|AA|1\rQAK|Q1|NF', REGION)).to.equal(undefined);
    expect(regionalIdOfReply('MSH|^~\\&|HIE\rMSA|AE|1\rERR|||204^Unknown key identifier', REGION)).to.equal(undefined);
    expect(() => regionalIdOfReply('MSH|^~\\&|HIE\rMSA|AR|1\rERR|||207^Application internal error|||||node may not', REGION)).to.throw(PixQueryError, 'ITI-9 answered AR: 207^Application internal error node may not');
  });
});
