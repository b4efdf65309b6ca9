import { expect } from 'chai';
import { individualNumberCheckDigit } from '../token/checkDigit.ts';
import { checkDigitNumbers, looksLikeIndividualNumber } from './freeText.ts';

const valid = (first11: string) => first11 + individualNumberCheckDigit(first11);

describe('free-text screening', () => {
  const n = valid('12345678901');

  it('finds 12 digits with a valid check digit, alone or written 4-4-4', () => {
    expect(looksLikeIndividualNumber(`tel ${n}`)).to.equal(true);
    expect(looksLikeIndividualNumber(`${n.slice(0, 4)}-${n.slice(4, 8)}-${n.slice(8)}`)).to.equal(true);
    expect(looksLikeIndividualNumber(`${n.slice(0, 4)} ${n.slice(4, 8)} ${n.slice(8)}`)).to.equal(true);
    expect(looksLikeIndividualNumber(n.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))))).to.equal(true);
  });

  it('passes a wrong check digit, and runs that are not exactly 12 digits', () => {
    const wrong = n.slice(0, 11) + ((Number(n[11]) + 1) % 10);
    expect(looksLikeIndividualNumber(wrong)).to.equal(false);
    expect(looksLikeIndividualNumber(`9${n}`)).to.equal(false);
    expect(looksLikeIndividualNumber('山田 太郎')).to.equal(false);
    expect(checkDigitNumbers(`${n}x${n}`)).to.have.length(2);
  });
});
