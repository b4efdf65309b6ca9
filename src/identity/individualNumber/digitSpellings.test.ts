import { expect } from 'chai';
import { decodeSpellings, digitRuns, maskSpans } from './digitSpellings.ts';

describe('digit spellings', () => {
  it('reads a run of digits whatever the spelling of each digit', () => {
    const text = 'a1&#x32;&#51;４\\u0035%36&#X0037;&#0056;&#xFF19;b';
    const [run] = digitRuns(text);
    expect(run.digits).to.equal('123456789');
    expect(maskSpans(text, run.spans)).to.equal('aXXXXXXXXXb');
  });

  it('finds each run apart, plain digits quickly', () => {
    expect(digitRuns('12 345-6789').map((r) => r.digits)).to.deep.equal(['12', '345', '6789']);
    expect(digitRuns('&amp; 12').map((r) => r.digits)).to.deep.equal(['12']);
  });

  it('decodes character references, named entities, JSON escapes and percent-encoding, then folds width', () => {
    expect(decodeSpellings('&#x41;&amp;\\u0042%43ＤＥ')).to.equal('A&BCDE');
  });
});
