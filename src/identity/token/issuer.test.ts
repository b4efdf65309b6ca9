import { expect } from 'chai';
import { individualNumberCheckDigit, isValidIndividualNumber } from './checkDigit.ts';
import { InvalidIndividualNumberError, organizationPseudonym, TokenIssuer } from './issuer.ts';

/** Appends the check digit to 11 digits. */
const withCheck = (first11: string) => first11 + individualNumberCheckDigit(first11);

describe('individual number check digit', () => {
  it('weights the first 11 digits 6,5,4,3,2,7,6,5,4,3,2 and takes 11 - (sum mod 11)', () => {
    // 1*6+2*5+3*4+4*3+5*2+6*7+7*6+8*5+9*4+0*3+1*2 = 212; 212 mod 11 = 3; 11 - 3 = 8
    expect(individualNumberCheckDigit('12345678901')).to.equal(8);
    expect(isValidIndividualNumber('123456789018')).to.equal(true);
    expect(isValidIndividualNumber('123456789017')).to.equal(false);
  });

  it('gives 0 when the remainder is 0 or 1', () => {
    // 0...0 -> sum 0 -> r 0 -> 0
    expect(individualNumberCheckDigit('00000000000')).to.equal(0);
    // 1 in the last place: sum 2 -> r 2 -> 9; find a remainder-1 case: digit 1 at weight 6 then 5 -> 6+5=11 -> r 0
    expect(individualNumberCheckDigit('11000000000')).to.equal(0);
    // weight 7 (6th digit) alone plus weight 6 (1st digit): 13 -> r 2 -> 9; weight 6 + weight 6 (7th) = 12 -> r 1 -> 0
    expect(individualNumberCheckDigit('10000010000')).to.equal(0);
  });

  it('refuses anything but 12 digits', () => {
    for (const bad of ['', '12345678901', '1234567890123', '12345678901a', ' 123456789018']) {
      expect(isValidIndividualNumber(bad), bad).to.equal(false);
    }
  });
});

describe('token issuer', () => {
  const key = Buffer.from('0123456789abcdef0123456789abcdef');
  const issuer = new TokenIssuer(key);

  it('derives one stable token per number, and different tokens for different numbers', () => {
    const a = issuer.issue('123456789018');
    expect(a).to.match(/^[A-Z2-7]{32}$/);
    expect(issuer.issue('123456789018')).to.equal(a);
    expect(issuer.issue(withCheck('12345678902'))).to.not.equal(a);
  });

  it('depends on the key', () => {
    const other = new TokenIssuer(Buffer.from('another-secret-key-of-32-bytes!!'));
    expect(other.issue('123456789018')).to.not.equal(issuer.issue('123456789018'));
  });

  it('refuses a number with a wrong check digit without repeating it', () => {
    try {
      issuer.issue('123456789017');
      expect.fail('should refuse');
    } catch (e) {
      expect(e).to.be.instanceOf(InvalidIndividualNumberError);
      expect(String((e as Error).message)).to.not.contain('12345678901');
    }
  });

  it('never contains the number in the token', () => {
    expect(issuer.issue('123456789018')).to.not.contain('123456789018');
  });

  it('derives organization pseudonyms that differ per organization key', () => {
    const token = issuer.issue('123456789018');
    const a = organizationPseudonym(Buffer.from('org-a-key-0123456789'), token);
    const b = organizationPseudonym(Buffer.from('org-b-key-0123456789'), token);
    expect(a).to.match(/^[A-Z2-7]{32}$/);
    expect(a).to.not.equal(b);
    expect(a).to.not.equal(token);
    expect(organizationPseudonym(Buffer.from('org-a-key-0123456789'), token)).to.equal(a);
  });
});
