import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { verifyPassword } from '../auth/passwords.ts';
import { newCode, PatientAccounts, type PasswordCheck } from './accounts.ts';

describe('console: patients\' one-time codes and passwords', () => {
  const file = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hie-patient-accounts-')), 'p.json');

  it('makes codes a person can read off paper', () => {
    for (let i = 0; i < 50; i++) expect(newCode()).to.match(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
  });

  it('lets a code set the password once; the code used twice is refused; only hashes are kept', async () => {
    const a = new PatientAccounts(file());
    const { code } = await a.issueCode('R1', 60_000);
    expect(await a.verify('R1', 'my own password')).to.equal(false);
    expect(await a.activate('R1', 'AAAA-AAAA-AAAA', 'my own password')).to.equal('wrong');
    expect(await a.activate('R1', code.toLowerCase().replace(/-/g, ' '), 'my own password')).to.equal('ok');
    expect(await a.activate('R1', code, 'another password')).to.equal('no-code');
    expect(await a.verify('R1', 'my own password')).to.equal(true);
    expect(await a.verify('R1', 'another password')).to.equal(false);
    const text = fs.readFileSync(a.file, 'utf8');
    expect(text).not.to.include(code);
    expect(text).not.to.include('my own password');
  });

  it('refuses an expired code, and a code replaced by a newer one', async () => {
    let now = 0;
    const a = new PatientAccounts(file(), () => now);
    const old = await a.issueCode('R2', 1000);
    const fresh = await a.issueCode('R2', 1000);
    expect(await a.activate('R2', old.code, 'password one')).to.equal('wrong');
    now = 1000;
    expect(await a.activate('R2', fresh.code, 'password one')).to.equal('expired');
    expect(await a.activate('R9', fresh.code, 'password one')).to.equal('no-code');
  });

  it('runs a hash for an unknown patient, one without a password and one without a code, as for a wrong password (no timing leak)', async () => {
    const hashed: string[] = [];
    const counting: PasswordCheck = {
      verify: (pw, stored) => (hashed.push(stored), verifyPassword(pw, stored)),
      decoy: async () => 'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    };
    const a = new PatientAccounts(file(), Date.now, counting);
    expect(await a.verify('NOBODY', 'some password')).to.equal(false);
    expect(hashed).to.have.length(1);
    await a.issueCode('R3', 60_000); // a code, no password yet
    expect(await a.verify('R3', 'some password')).to.equal(false);
    expect(hashed).to.have.length(2);
    expect(await a.activate('NOBODY', 'AAAA-AAAA-AAAA', 'some password')).to.equal('no-code');
    expect(hashed).to.have.length(3);
  });
});
