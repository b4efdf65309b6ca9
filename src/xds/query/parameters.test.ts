import { expect } from 'chai';
import { XdsError } from '../registry/errors.ts';
import { parseParams, parseValue } from './parameters.ts';

describe('stored query parameter values (ITI TF-2a 3.18.4.1.2.3)', () => {
  it('reads quoted strings with doubled quotes, numbers and lists', () => {
    expect(parseValue('$p', "'O''Brien'")).to.deep.equal(["O'Brien"]);
    expect(parseValue('$p', ' 20240101 ')).to.deep.equal(['20240101']);
    expect(parseValue('$p', "( 'a' , 'b''c',-3.5 )")).to.deep.equal(['a', "b'c", '-3.5']);
    for (const bad of ["'open", "('a' 'b')", 'abc', "'a' x"]) expect(() => parseValue('$p', bad), bad).to.throw(XdsError);
  });

  it('refuses more values than the limit per parameter, over all its slots, as soon as it is seen', () => {
    const list = (n: number) => `(${Array.from({ length: n }, (_, i) => `'v${i}'`).join(',')})`;
    expect(parseParams([{ name: '$p', values: [list(3)] }, { name: '$p', values: [list(2)] }], 5).get('$p')).to.have.length(2);
    const err = (() => {
      try {
        parseParams([{ name: '$p', values: [list(3)] }, { name: '$p', values: ["'x'", list(2)] }], 5);
      } catch (e) {
        return e;
      }
    })();
    expect(err).to.be.instanceOf(XdsError).and.to.include({ errorCode: 'XDSRegistryError', location: '$p' });
    // A million values: refused without reading them all into memory, no stack used per value.
    expect(() => parseValue('$p', list(1_000_000), 1000)).to.throw(XdsError, 'more than 1000 values');
    expect(parseValue('$p', list(200_000))).to.have.length(200_000);
  });
});
