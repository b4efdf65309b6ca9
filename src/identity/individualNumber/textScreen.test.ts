import { expect } from 'chai';
import { IndividualNumberDomain } from './domain.ts';
import { maskRequestFor, numbersNamedIn } from './textScreen.ts';

const domain = new IndividualNumberDomain({ namespace: 'MYNUMBER', oid: '2.999.392.1.9', authorities: [], typeCodes: ['MN'] });
const N = '123456789018';

describe('individual numbers named in text', () => {
  it('reads CX, PDQ parameters and FHIR tokens, in any spelling', () => {
    expect(numbersNamedIn(`PID|||${N}^^^&urn:oid:2.999.392.1.9&ISO`, domain)).to.deep.equal([N]);
    expect(numbersNamedIn(`<Value>('A1^^^&amp;1.2.3&amp;ISO','${N}^^^MYNUMBER')</Value>`, domain)).to.deep.equal([N]);
    expect(numbersNamedIn(`QPD|Q22|T|@PID.3.1^${N}~@PID.3.4.2^2.999.392.1.9`, domain)).to.deep.equal([N]);
    expect(numbersNamedIn(`patient.identifier=urn%3Aoid%3A2.999.392.1.9%7C${N}`, domain)).to.deep.equal([N]);
    expect(numbersNamedIn(`${N}^^^^MN`, domain)).to.deep.equal([N]);
    expect(numbersNamedIn(`${N}^^^&1.2.3&ISO^PI`, domain)).to.deep.equal([]);
  });

  it('asks for every 12-digit run to be masked when the domain is named, and for nothing otherwise', () => {
    expect(maskRequestFor(`x 2.999.392.1.9 ${N}`, domain)).to.deep.equal({ numbers: [], allTwelveDigitRuns: true });
    expect(maskRequestFor(`x ${N}^^^&1.2.3&ISO`, domain)).to.equal(undefined);
    expect(maskRequestFor('plain', domain, [N])).to.deep.equal({ numbers: [N], allTwelveDigitRuns: false });
  });
});
