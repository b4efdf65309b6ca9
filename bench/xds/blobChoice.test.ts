import { expect } from 'chai';
import { lsnBytes } from './blobChoice.ts';

describe('bench:xds document bytes', () => {
  it('reads WAL positions as byte counts', () => {
    expect(lsnBytes('0/16B3748')).to.equal(0x16b3748n);
    expect(lsnBytes('1/0') - lsnBytes('0/FFFFFFFF')).to.equal(1n);
  });
});
