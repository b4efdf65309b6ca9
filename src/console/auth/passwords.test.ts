import { expect } from 'chai';
import { hashPassword, isPasswordHash, verifyPassword } from './passwords.ts';

describe('console: password hashing (scrypt)', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const h = await hashPassword('正しいパスワード-1');
    expect(h).to.match(/^scrypt\$32768\$8\$1\$/);
    expect(isPasswordHash(h)).to.equal(true);
    expect(await verifyPassword('正しいパスワード-1', h)).to.equal(true);
    expect(await verifyPassword('正しいパスワード-2', h)).to.equal(false);
    expect(await verifyPassword('', h)).to.equal(false);
  });

  it('salts: one password hashes differently each time', async () => {
    expect(await hashPassword('same')).not.to.equal(await hashPassword('same'));
  });

  it('compares Unicode passwords in NFC', async () => {
    const h = await hashPassword('ガ'); // U+30AC
    expect(await verifyPassword('ガ', h)).to.equal(true); // カ + combining dakuten
  });

  it('refuses hashes it did not write or with outlandish cost, without running them', async () => {
    for (const bad of ['', 'plain', 'scrypt$3$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA', 'scrypt$2097152$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA', 'argon2id$v=19$m=65536']) {
      expect(isPasswordHash(bad), bad).to.equal(false);
      expect(await verifyPassword('x', bad), bad).to.equal(false);
    }
  });
});
