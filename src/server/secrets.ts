/**
 * Secrets come from config (or HIE_TOKEN_KEY). When the token issuer key is not configured, a random
 * one is made once under the data folder (mode 0600), so that a demo server and `hie token issue`
 * on the same data folder agree without any key in the code.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../kernel/config.ts';

export function tokenIssuerKey(config: Config): Buffer {
  if (config.identity.token.issuerKey) return Buffer.from(config.identity.token.issuerKey, 'utf8');
  const file = path.join(config.dataDir, 'keys', 'token-issuer.key');
  try {
    return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  try {
    fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    return key;
  } catch (e) {
    // Another process made it first: use theirs.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
    throw e;
  }
}
