import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { organizationPseudonym, TokenIssuer, InvalidIndividualNumberError } from '../identity/token/issuer.ts';
import { tokenIssuerKey } from '../server/secrets.ts';
import { commonOptions, configFrom, UsageError } from './args.ts';

export const tokenHelp = `hie token issue: derive medical-field tokens (demo and test issuer)

Usage: hie token issue [--org NAMESPACE] [--config FILE] [--data-dir DIR] < numbers.txt

Reads 12-digit individual numbers from standard input, one per line, checks each check digit, and
prints one token per line (HMAC-SHA-256 under identity.token.issuerKey, or the key made under the
data folder). With --org, prints that organization's pseudonym of each token instead
(identity.pseudonymDomains). Numbers are never printed, logged or kept; a bad line is reported by
its line number only.

Options:
  --org NAMESPACE    print the pseudonym of this configured pseudonym domain
  -h, --help         this text
`;

export async function token(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { ...commonOptions, org: { type: 'string' } } });
  if (values.help || sub === '--help' || sub === '-h' || sub === undefined) {
    process.stdout.write(tokenHelp);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'issue') throw new UsageError(`hie token: unknown subcommand '${sub}' (try 'hie token issue')`);
  const config = configFrom(values);
  const issuer = new TokenIssuer(tokenIssuerKey(config));
  let orgKey: Buffer | undefined;
  if (values.org) {
    const d = config.identity.pseudonymDomains.find((p) => p.namespace === values.org || p.oid === values.org);
    if (!d) throw new UsageError(`hie token: no pseudonym domain '${values.org}' in identity.pseudonymDomains`);
    orgKey = Buffer.from(d.key, 'utf8');
  }
  let line = 0;
  let failures = 0;
  for await (const input of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    line++;
    if (input.trim() === '') continue;
    try {
      const t = issuer.issue(input);
      process.stdout.write((orgKey ? organizationPseudonym(orgKey, t) : t) + '\n');
    } catch (e) {
      if (!(e instanceof InvalidIndividualNumberError)) throw e;
      failures++;
      process.stderr.write(`line ${line}: ${e.message}\n`);
    }
  }
  return failures === 0 ? 0 : 1;
}
