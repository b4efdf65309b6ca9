/**
 * The console's local accounts: those of config (console.users) and those `hie console-user add`
 * wrote to the accounts file in the data folder (console.usersFile), read at each sign-in so that an
 * account added while the server runs can sign in at once. Config wins when a name is in both.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ConsoleConfig, ConsoleRole, ConsoleUserConfig } from '../../kernel/config.ts';
import { isPasswordHash } from './passwords.ts';

export const CONSOLE_ROLES: readonly ConsoleRole[] = ['viewer', 'operator', 'admin'];
const NAME = /^[A-Za-z0-9._@-]{1,64}$/;

export class AccountError extends Error {}

export class Accounts {
  constructor(
    private readonly cfg: Pick<ConsoleConfig, 'users' | 'usersFile'>,
    private readonly dataDir: string,
  ) {}

  get file(): string {
    return path.resolve(this.dataDir, this.cfg.usersFile);
  }

  /** The accounts of the file; a missing file is none, a broken one an error (never silently empty). */
  fromFile(): ConsoleUserConfig[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const list = JSON.parse(text) as unknown;
    if (!Array.isArray(list)) throw new AccountError(`${this.file}: not a list of accounts`);
    return list.map((u, i) => checked(u, `${this.file}[${i}]`));
  }

  find(name: string): ConsoleUserConfig | undefined {
    return this.cfg.users.find((u) => u.name === name) ?? this.fromFile().find((u) => u.name === name);
  }

  /** Adds or replaces an account of the file (written whole, atomically); a config account cannot be replaced here. */
  put(user: ConsoleUserConfig): void {
    checked(user, user.name);
    if (this.cfg.users.some((u) => u.name === user.name)) throw new AccountError(`${user.name} is an account of the config file: change it there`);
    const list = this.fromFile().filter((u) => u.name !== user.name);
    list.push(user);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(list, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}

function checked(u: unknown, where: string): ConsoleUserConfig {
  const x = u as Partial<ConsoleUserConfig>;
  if (typeof x !== 'object' || x === null) throw new AccountError(`${where}: not an account`);
  if (typeof x.name !== 'string' || !NAME.test(x.name)) throw new AccountError(`${where}: the name must be 1 to 64 of A-Z a-z 0-9 . _ @ -`);
  if (!CONSOLE_ROLES.includes(x.role as ConsoleRole)) throw new AccountError(`${where}: the role must be viewer, operator or admin`);
  if (typeof x.passwordHash !== 'string' || !isPasswordHash(x.passwordHash)) throw new AccountError(`${where}: passwordHash is not a scrypt hash`);
  if (x.displayName !== undefined && (typeof x.displayName !== 'string' || x.displayName.length > 128)) throw new AccountError(`${where}: displayName must be text of at most 128 characters`);
  return { name: x.name, role: x.role as ConsoleRole, passwordHash: x.passwordHash, ...(x.displayName ? { displayName: x.displayName } : {}) };
}
