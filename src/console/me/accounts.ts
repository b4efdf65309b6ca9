/**
 * Patients' sign-in to their own page: a one-time code handed over at the facility's desk (`hie
 * consent code` prints it), used once to set a password of their own; afterwards the regional ID and
 * that password. Kept in a file of the data folder (console.patientAccountsFile), written whole and
 * atomically; codes and passwords only as scrypt hashes.
 */
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { decoyHash, hashPassword, verifyPassword } from '../auth/passwords.ts';

/** How passwords and codes are checked (tests count the hashes run). */
export interface PasswordCheck {
  verify(password: string, stored: string): Promise<boolean>;
  /** A hash to check against when there is nothing to check: an unknown patient costs as much as a wrong password. */
  decoy(): Promise<string>;
}

const SCRYPT: PasswordCheck = { verify: verifyPassword, decoy: decoyHash };

export interface PatientAccount {
  regionalId: string;
  /** The pending one-time code (hash) and until when it is valid; gone once used. */
  code?: { hash: string; expiresAt: string };
  passwordHash?: string;
  updatedAt: string;
}

/** Letters and digits a person reads off paper without confusing them (no 0/O, 1/I/L). */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_COST = { N: 16384, r: 8, p: 1 };

export function newCode(): string {
  const chars = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return `${chars.slice(0, 4).join('')}-${chars.slice(4, 8).join('')}-${chars.slice(8).join('')}`;
}

/** A code as typed: upper case, without spaces and dashes. */
export const normalizedCode = (c: string) => c.toUpperCase().replace(/[\s-]/g, '');

export type Activation = 'ok' | 'no-code' | 'expired' | 'wrong';

export class PatientAccounts {
  constructor(
    readonly file: string,
    private readonly clock: () => number = Date.now,
    private readonly passwords: PasswordCheck = SCRYPT,
  ) {}

  static of(dataDir: string, file: string): PatientAccounts {
    return new PatientAccounts(path.resolve(dataDir, file));
  }

  private read(): PatientAccount[] {
    try {
      const list = JSON.parse(fs.readFileSync(this.file, 'utf8')) as unknown;
      if (!Array.isArray(list)) throw new Error(`${this.file}: not a list of patient accounts`);
      return list as PatientAccount[];
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  private write(list: PatientAccount[]): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(list, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }

  find(regionalId: string): PatientAccount | undefined {
    return this.read().find((a) => a.regionalId === regionalId);
  }

  private put(a: PatientAccount): void {
    this.write([...this.read().filter((x) => x.regionalId !== a.regionalId), a]);
  }

  /** A new one-time code for the patient (an earlier unused one no longer works); the password, if any, stays until the code is used. */
  async issueCode(regionalId: string, ttlMs: number): Promise<{ code: string; expiresAt: string }> {
    const code = newCode();
    const expiresAt = new Date(this.clock() + ttlMs).toISOString();
    const a = this.find(regionalId) ?? { regionalId, updatedAt: '' };
    this.put({ ...a, code: { hash: await hashPassword(normalizedCode(code), CODE_COST), expiresAt }, updatedAt: new Date(this.clock()).toISOString() });
    return { code, expiresAt };
  }

  /** Uses the one-time code to set the patient's password: the code works once. */
  async activate(regionalId: string, code: string, password: string): Promise<Activation> {
    const a = this.find(regionalId);
    // Without a code (an unknown patient too) a hash runs all the same, so that the answer takes as long.
    const right = await this.passwords.verify(normalizedCode(code), a?.code?.hash ?? (await this.passwords.decoy()));
    if (!a?.code) return 'no-code';
    if (Date.parse(a.code.expiresAt) <= this.clock()) return 'expired';
    if (!right) return 'wrong';
    const now = this.find(regionalId);
    // Used meanwhile by another request: the code is gone.
    if (!now?.code || now.code.hash !== a.code.hash) return 'no-code';
    this.put({ regionalId, passwordHash: await hashPassword(password), updatedAt: new Date(this.clock()).toISOString() });
    return 'ok';
  }

  async verify(regionalId: string, password: string): Promise<boolean> {
    const a = this.find(regionalId);
    // An unknown patient (or one without a password yet) is checked against a decoy: no faster answer tells them apart.
    const right = await this.passwords.verify(password, a?.passwordHash ?? (await this.passwords.decoy()));
    return !!a?.passwordHash && right;
  }
}
