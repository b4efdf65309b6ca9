/**
 * The IUA Resource Server's check of a JWT access token (ITI-72, JWT token option; RFC 9068 4):
 * its issuer must be a configured one, its signature one of that issuer's keys (JWKS file or inline
 * JWKs, read at start), its `aud` one the issuer entry accepts, `exp` present and not passed and
 * `nbf`/`iat` not ahead (within the clock skew), `sub` present, and its scopes those required. A
 * token bound to a client certificate (RFC 8705 3.1, `cnf.x5t#S256`) must come over TLS with that
 * certificate.
 */
import fs from 'node:fs';
import { createLocalJWKSet, decodeJwt, errors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { IuaConfig, IuaIssuerConfig } from '../kernel/config.ts';
import { grantOf, type IuaGrant } from './claims.ts';
import { IuaError } from './errors.ts';

export class IuaConfigError extends Error {}

interface Issuer {
  cfg: IuaIssuerConfig;
  keys: JWTVerifyGetKey;
}

export class IuaVerifier {
  private constructor(
    private readonly issuers: Map<string, Issuer>,
    private readonly cfg: IuaConfig,
  ) {}

  /** The verifier of config `iua`, or undefined when no issuer is configured (IUA off). Throws on a bad key set. */
  static fromConfig(cfg: IuaConfig): IuaVerifier | undefined {
    if (cfg.issuers.length === 0) return undefined;
    const issuers = new Map<string, Issuer>();
    for (const [i, c] of cfg.issuers.entries()) {
      const where = `iua.issuers[${i}]`;
      if (issuers.has(c.issuer)) throw new IuaConfigError(`${where}: issuer ${c.issuer} is configured twice`);
      let set: JSONWebKeySet;
      try {
        set = c.jwksFile ? (JSON.parse(fs.readFileSync(c.jwksFile, 'utf8')) as JSONWebKeySet) : ({ keys: c.keys } as JSONWebKeySet);
      } catch (e) {
        throw new IuaConfigError(`${where}.jwksFile: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (!set || !Array.isArray(set.keys) || set.keys.length === 0) throw new IuaConfigError(`${where}: no keys (a JWKS is {"keys": [...]})`);
      const secret = set.keys.find((k) => k.kty === 'oct' || 'd' in k);
      if (secret) throw new IuaConfigError(`${where}: only public keys are configured here (a key has ${secret.kty === 'oct' ? 'kty oct' : 'a private part'})`);
      try {
        issuers.set(c.issuer, { cfg: c, keys: createLocalJWKSet(set) });
      } catch (e) {
        throw new IuaConfigError(`${where}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return new IuaVerifier(issuers, cfg);
  }

  /**
   * The grant of a token, or the IuaError to answer. `certificateSha256` is the client certificate's
   * SHA-256 fingerprint as colon hex (node:tls), when the request came with one.
   */
  async verify(token: string, certificateSha256?: string): Promise<IuaGrant> {
    let iss: string | undefined;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw new IuaError('invalid_token', 'the token is not a JWT');
    }
    const issuer = iss === undefined ? undefined : this.issuers.get(iss);
    if (!issuer) throw new IuaError('invalid_token', 'the token is not from a trusted issuer');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, issuer.keys, {
        issuer: issuer.cfg.issuer,
        audience: [...issuer.cfg.audiences],
        algorithms: [...issuer.cfg.algorithms],
        clockTolerance: this.cfg.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (e) {
      throw new IuaError('invalid_token', reasonOf(e));
    }
    const cnf = (payload.cnf as Record<string, unknown> | undefined)?.['x5t#S256'];
    if (cnf !== undefined && (typeof cnf !== 'string' || !certificateSha256 || hexToBase64url(certificateSha256) !== cnf)) {
      throw new IuaError('invalid_token', 'the token is bound to a client certificate this request did not come with');
    }
    const grant = grantOf(payload);
    const missing = this.cfg.requiredScopes.filter((s) => !grant.scopes.includes(s));
    if (missing.length > 0) throw new IuaError('insufficient_scope', `the token does not grant the scope ${missing.join(' ')}`, this.cfg.requiredScopes.join(' '));
    return grant;
  }
}

function reasonOf(e: unknown): string {
  if (e instanceof errors.JWTExpired) return 'the token has expired';
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'aud') return 'the token is not for this audience';
    if (e.claim === 'iss') return 'the token is not from a trusted issuer';
    if (e.claim === 'nbf' || e.claim === 'iat') return 'the token is not valid yet';
    return `the token's ${e.claim} claim is ${e.reason === 'missing' ? 'missing' : 'not acceptable'}`;
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) return 'the token is signed with no key of its issuer';
  if (e instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm this server does not accept';
  if (e instanceof errors.JOSEError) return `the token is not valid (${e.code})`;
  return 'the token is not valid';
}

function hexToBase64url(hex: string): string {
  return Buffer.from(hex.replace(/:/g, ''), 'hex').toString('base64url');
}
