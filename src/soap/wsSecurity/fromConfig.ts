/**
 * The X-Service Provider of config `xua`: the identity providers' certificates read from their PEM
 * files (once, at start; a missing or bad file stops the start with its name), the audiences and the
 * clock skew. No identity provider configured: no verifier, and every assertion is refused.
 */
import fs from 'node:fs';
import type { XuaConfig } from '../../kernel/config.ts';
import { XuaVerifier } from './verifier.ts';

export function xuaVerifierOf(xua: XuaConfig): XuaVerifier | undefined {
  if (xua.identityProviders.length === 0) return undefined;
  const providers = xua.identityProviders.map((p) => {
    let cert: string;
    try {
      cert = fs.readFileSync(p.cert, 'utf8');
    } catch (e) {
      throw new Error(`xua.identityProviders ${p.name}: cannot read the certificate ${p.cert}: ${e instanceof Error ? e.message : String(e)}`);
    }
    return { name: p.name, cert, issuer: p.issuer };
  });
  return new XuaVerifier(providers, { audiences: xua.audiences, clockSkewSeconds: xua.clockSkewSeconds });
}
