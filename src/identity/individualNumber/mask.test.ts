import { expect } from 'chai';
import { maskBytes, maskStrings, maskText } from './mask.ts';

const N = '123456789018';
const hexRefs = [...N].map((d) => `&#x3${d};`).join('');
const decRefs = [...N].map((d) => `&#${48 + Number(d)};`).join('');

describe('masking individual numbers', () => {
  it('masks a known number in every spelling', () => {
    for (const spelled of [N, hexRefs, decRefs, [...N].map((d) => `\\u003${d}`).join(''), [...N].map((d) => `%3${d}`).join('')]) {
      expect(maskText(`<a b="${spelled}^^^&amp;x">`, { numbers: [N] })).to.equal('<a b="XXXXXXXXXXXX^^^&amp;x">');
    }
  });

  it('masks inside base64, at every alignment', () => {
    for (const prefix of ['', 'Q', 'QP', 'QPD|Q|T|']) {
      const b64 = Buffer.from(`${prefix}${N}^^^&2.999.392.1.9&ISO`).toString('base64');
      const out = maskText(`<ParticipantObjectQuery>${b64}</ParticipantObjectQuery>`, { numbers: [N] });
      const decoded = Buffer.from(out.slice(24, -25), 'base64').toString();
      expect(decoded).to.equal(`${prefix}XXXXXXXXXXXX^^^&2.999.392.1.9&ISO`);
    }
  });

  it('masks every 12-digit run when asked, and leaves other runs', () => {
    expect(maskText('1234567890123 123456789012 12345', { allTwelveDigitRuns: true })).to.equal('1234567890123 XXXXXXXXXXXX 12345');
    expect(maskText(`${N} 123456789012`, { checkDigitRuns: true })).to.equal('XXXXXXXXXXXX 123456789012');
  });

  it('masks the strings of a JSON value and the bytes of a message', () => {
    expect(maskStrings({ a: [{ value: N }], n: 1 }, { numbers: [N] })).to.deep.equal({ a: [{ value: 'XXXXXXXXXXXX' }], n: 1 });
    expect(maskBytes(Buffer.from(`x${N}y`), { numbers: [N] }).toString()).to.equal('xXXXXXXXXXXXXy');
    const untouched = Buffer.from('nothing');
    expect(maskBytes(untouched, { numbers: [N] })).to.equal(untouched);
  });
});
