/**
 * The regional assigning authority (XDS affinity domain) of a server whose configuration names none.
 * Regional IDs are a prefix and a sequence number (R0000000001, ...), so two regions under one
 * authority hand out the same IDs for different people: a server started without
 * identity.regional.authority gets an OID of its own, made once under its data folder
 * (regional-authority.json) and kept, so that the server and the offline commands on that folder
 * agree. It lies under the example arc 2.999 (ITU-T X.660: for examples), as every default here
 * does: a region in production configures the OID its registration authority gave it.
 */
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AuthorityConfig, Config } from '../../kernel/config.ts';

/** The schema's default, and the authority of data folders made before each server had its own. */
export const EXAMPLE_REGIONAL_AUTHORITY: AuthorityConfig = { namespace: 'REGION', oid: '2.999.392.1.2' };

export const REGIONAL_AUTHORITY_FILE = 'regional-authority.json';

export function ownRegionalAuthority(config: Config): AuthorityConfig {
  const file = path.join(config.dataDir, REGIONAL_AUTHORITY_FILE);
  const read = (): AuthorityConfig => JSON.parse(fs.readFileSync(file, 'utf8')) as AuthorityConfig;
  try {
    return read();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  // A store made before: its regional IDs keep the authority they were handed out under.
  const made = fs.existsSync(path.join(config.dataDir, config.store.sqlite.file));
  const own = made ? EXAMPLE_REGIONAL_AUTHORITY : { namespace: EXAMPLE_REGIONAL_AUTHORITY.namespace, oid: `${EXAMPLE_REGIONAL_AUTHORITY.oid}.${randomInt(1, 2 ** 31)}` };
  fs.mkdirSync(config.dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, JSON.stringify(own) + '\n', { flag: 'wx' });
    return own;
  } catch (e) {
    // Another command on this folder made it first: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return read();
    throw e;
  }
}
