import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { exportJWK, generateKeyPair } from 'jose';
import { AUDIENCE, testIssuer, type TestIssuer } from '../../test/helpers/iuaTokens.ts';
import { validate } from '../server/config/load.ts';
import { challenge } from './bearerGate.ts';
import { IuaError } from './errors.ts';
import { IuaConfigError, IuaVerifier } from './verifier.ts';

const config = (issuers: object[], more: object = {}) => ({ issuers, clockSkewSeconds: 60, requiredScopes: [], realm: 'hie', ...more }) as never;

const refused = async (p: Promise<unknown>): Promise<IuaError> => {
  try {
    await p;
  } catch (e) {
    if (e instanceof IuaError) return e;
    throw e;
  }
  throw new Error('expected an IuaError');
};

describe('IUA access token verification (ITI-72, JWT)', () => {
  let idp: TestIssuer;
  before(async () => {
    idp = await testIssuer();
  });

  it('is off without issuers', () => {
    expect(IuaVerifier.fromConfig(config([]))).to.equal(undefined);
  });

  it('reads a JWKS file, and refuses at start a missing file, an empty set, a private or secret key, an issuer twice', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-iua-'));
    const file = path.join(dir, 'jwks.json');
    fs.writeFileSync(file, JSON.stringify({ keys: [idp.publicJwk] }));
    const fromFile = IuaVerifier.fromConfig(config([{ issuer: idp.issuer, jwksFile: file, audiences: [AUDIENCE], algorithms: ['ES256'] }]))!;
    expect((await fromFile.verify(await idp.token())).user.id).to.equal('dr-sato');
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const bad: [object, RegExp][] = [
      [{ issuer: 'a', jwksFile: path.join(dir, 'none.json'), audiences: ['x'], algorithms: ['ES256'] }, /jwksFile/],
      [{ issuer: 'a', keys: [], audiences: ['x'], algorithms: ['ES256'] }, /no keys/],
      [{ issuer: 'a', keys: [await exportJWK(privateKey)], audiences: ['x'], algorithms: ['ES256'] }, /public keys/],
      [{ issuer: 'a', keys: [{ kty: 'oct', k: 'c2VjcmV0' }], audiences: ['x'], algorithms: ['HS256'] }, /public keys/],
    ];
    for (const [issuer, message] of bad) expect(() => IuaVerifier.fromConfig(config([issuer]))).to.throw(IuaConfigError, message);
    expect(() => IuaVerifier.fromConfig(config([idp.config, idp.config]))).to.throw(IuaConfigError, /twice/);
  });

  it('puts the IUA extension claims into the user and purpose of use', async () => {
    const v = IuaVerifier.fromConfig(config([idp.config]))!;
    const g = await v.verify(await idp.token({ jti: 'tok-1' }));
    expect(g.user).to.deep.equal({
      id: 'dr-sato',
      issuer: idp.issuer,
      assertionId: 'tok-1',
      name: '佐藤 一郎',
      role: { code: 'PHYSICIAN', codeSystem: '1.2.392.999.9.5' },
      organization: '登呂中央病院',
      organizationId: 'urn:oid:1.2.392.999.2',
    });
    expect(g.purposeOfUse).to.deep.equal({ code: 'TREATMENT', codeSystem: '2.16.840.1.113883.1.11.20448' });
    expect(g.scopes).to.deep.equal(['user/Patient.read', 'launch', 'ITI-78', 'ITI-83', 'ITI-81']);
  });

  it('tolerates the configured clock skew on exp, and no more', async () => {
    const v = IuaVerifier.fromConfig(config([idp.config], { clockSkewSeconds: 60 }))!;
    const now = Math.floor(Date.now() / 1000);
    expect((await v.verify(await idp.token({ exp: now - 30 }))).user.id).to.equal('dr-sato');
    expect((await refused(v.verify(await idp.token({ exp: now - 90 })))).message).to.match(/expired/);
  });

  it('asks for the required scopes (insufficient_scope, 403)', async () => {
    const v = IuaVerifier.fromConfig(config([idp.config], { requiredScopes: ['user/Patient.read', 'hie'] }))!;
    const e = await refused(v.verify(await idp.token()));
    expect([e.code, e.status, e.scope]).to.deep.equal(['insufficient_scope', 403, 'user/Patient.read hie']);
  });

  it('holds a certificate-bound token (RFC 8705 cnf x5t#S256) to the certificate it names', async () => {
    const v = IuaVerifier.fromConfig(config([idp.config]))!;
    const fingerprint = 'AB:'.repeat(31) + 'CD';
    const thumb = Buffer.from(fingerprint.replace(/:/g, ''), 'hex').toString('base64url');
    const bound = await idp.token({ cnf: { 'x5t#S256': thumb } });
    expect((await v.verify(bound, fingerprint)).user.id).to.equal('dr-sato');
    expect((await refused(v.verify(bound))).code).to.equal('invalid_token');
    expect((await refused(v.verify(bound, 'CD:'.repeat(31) + 'AB'))).message).to.match(/client certificate/);
  });

  it('writes RFC 6750 challenges: no error code without a token, quotes kept out of the description', () => {
    expect(challenge('hie', new IuaError(undefined, 'no token'))).to.equal('Bearer realm="hie"');
    expect(challenge('hie', new IuaError('invalid_token', 'the "token" is bad'))).to.equal('Bearer realm="hie", error="invalid_token", error_description="the token is bad"');
    expect(challenge('r', new IuaError('insufficient_scope', 'x', 'a b'))).to.equal('Bearer realm="r", error="insufficient_scope", error_description="x", scope="a b"');
  });

  it('config: an issuer needs jwksFile or keys (one of them) and audiences; defaults fill the rest', () => {
    const base = { dataDir: os.tmpdir() };
    expect(() => validate({ ...base, iua: { issuers: [{ issuer: 'a', audiences: ['x'] }] } })).to.throw(/iua/);
    expect(() => validate({ ...base, iua: { issuers: [{ issuer: 'a', keys: [idp.publicJwk], jwksFile: 'f', audiences: ['x'] }] } })).to.throw(/iua/);
    expect(() => validate({ ...base, iua: { issuers: [{ issuer: 'a', keys: [idp.publicJwk] }] } })).to.throw(/iua/);
    const c = validate({ ...base, iua: { issuers: [{ issuer: 'a', keys: [idp.publicJwk], audiences: ['x'] }] } });
    expect(c.iua).to.deep.include({ clockSkewSeconds: 60, requiredScopes: [], realm: 'hie', transactionScopes: true });
    expect(c.iua.issuers[0].algorithms).to.deep.equal(['RS256', 'ES256']);
    expect(validate(base).iua.issuers).to.deep.equal([]);
  });
});
