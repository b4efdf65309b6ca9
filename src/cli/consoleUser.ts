/**
 * `hie console-user`: local accounts of the web console. `add` writes the data folder's accounts file
 * (console.usersFile), read at each sign-in; `hash` prints a passwordHash for config's console.users.
 * The password is read from the first line of stdin, never from the command line (it would be seen
 * in the process list and the shell's history).
 */
import { parseArgs } from 'node:util';
import { Accounts, AccountError, CONSOLE_ROLES } from '../console/auth/accounts.ts';
import { hashPassword } from '../console/auth/passwords.ts';
import type { ConsoleRole } from '../kernel/config.ts';
import { commonOptions, configFrom, UsageError } from './args.ts';

export const consoleUserHelp = `hie console-user: local accounts of the web console (/console)

Usage:
  hie console-user add NAME --role viewer|operator|admin [--display-name TEXT] < password
  hie console-user hash < password      print a passwordHash for config console.users

The password is the first line of stdin (at least 10 characters). add replaces an account of the
same name in the data folder's accounts file; accounts of the config file are changed there.
Options: --config FILE, --data-dir DIR, -h/--help.
`;

async function readPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if ([...line].length < 10) throw new UsageError('the password (first line of stdin) must have at least 10 characters');
  return line;
}

export async function consoleUser(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { ...commonOptions, role: { type: 'string' }, 'display-name': { type: 'string' } } });
  if (values.help) {
    process.stdout.write(consoleUserHelp);
    return 0;
  }
  const [action, name] = positionals;
  if (action === 'hash') {
    process.stdout.write(`${await hashPassword(await readPassword())}\n`);
    return 0;
  }
  if (action !== 'add') {
    process.stderr.write(consoleUserHelp);
    return 2;
  }
  if (!name) throw new UsageError('hie console-user add: give the account name');
  if (!CONSOLE_ROLES.includes(values.role as ConsoleRole)) throw new UsageError('--role must be viewer, operator or admin');
  const config = configFrom(values);
  const accounts = new Accounts(config.console, config.dataDir);
  try {
    accounts.put({ name, role: values.role as ConsoleRole, passwordHash: await hashPassword(await readPassword()), ...(values['display-name'] ? { displayName: values['display-name'] } : {}) });
  } catch (e) {
    if (e instanceof AccountError) {
      process.stderr.write(`hie console-user add: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  process.stdout.write(`account ${name} (${values.role}) written to ${accounts.file}\n`);
  return 0;
}
