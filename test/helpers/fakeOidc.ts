/**
 * A stand-in OpenID Connect provider on loopback for the console's sign-in tests: discovery, JWKS,
 * an authorization endpoint that signs the user in at once (the claims the test chose) and sends the
 * browser back with a code, and a token endpoint that checks the code, the client and the PKCE
 * verifier and answers an RS256-signed ID token.
 */
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOidc {
  issuer: string;
  /** The claims the next sign-in gets (sub, name, roles, ...). */
  claims: Record<string, unknown>;
  /** Make the next ID token wrong in this way. */
  tamper?: 'nonce' | 'audience';
  close(): Promise<void>;
}

const b64 = (v: Buffer | string) => Buffer.from(v).toString('base64url');

export async function fakeOidc(clientId: string, clientSecret: string): Promise<FakeOidc> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { nonce: string; challenge: string; redirect: string; claims: Record<string, unknown> }>();
  const fake: FakeOidc = { issuer: '', claims: { sub: 'user1' }, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, fake.issuer);
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer: fake.issuer,
        authorization_endpoint: `${fake.issuer}/authorize`,
        token_endpoint: `${fake.issuer}/token`,
        jwks_uri: `${fake.issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/authorize') {
      const p = url.searchParams;
      if (p.get('client_id') !== clientId || p.get('response_type') !== 'code' || p.get('code_challenge_method') !== 'S256') return json(400, { error: 'invalid_request' });
      const code = randomBytes(16).toString('hex');
      codes.set(code, { nonce: p.get('nonce') ?? '', challenge: p.get('code_challenge') ?? '', redirect: p.get('redirect_uri') ?? '', claims: { ...fake.claims } });
      const back = new URL(p.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', p.get('state') ?? '');
      return res.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const p = new URLSearchParams(body);
        const basic = req.headers.authorization?.startsWith('Basic ') ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString().split(':').map(decodeURIComponent) : undefined;
        const [id, secret] = basic ?? [p.get('client_id'), p.get('client_secret')];
        if (id !== clientId || secret !== clientSecret) return json(401, { error: 'invalid_client' });
        const grant = codes.get(p.get('code') ?? '');
        codes.delete(p.get('code') ?? '');
        const verifier = p.get('code_verifier') ?? '';
        if (!grant || grant.redirect !== p.get('redirect_uri') || b64(createHash('sha256').update(verifier).digest()) !== grant.challenge) return json(400, { error: 'invalid_grant' });
        const now = Math.floor(Date.now() / 1000);
        const claims = { iss: fake.issuer, aud: fake.tamper === 'audience' ? 'someone-else' : clientId, iat: now, exp: now + 300, nonce: fake.tamper === 'nonce' ? 'other' : grant.nonce, ...grant.claims };
        const head = b64(JSON.stringify({ alg: 'RS256', kid: 'k1', typ: 'JWT' }));
        const payload = b64(JSON.stringify(claims));
        const signature = b64(sign('sha256', Buffer.from(`${head}.${payload}`), privateKey));
        fake.tamper = undefined;
        json(200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 300, id_token: `${head}.${payload}.${signature}` });
      });
      return;
    }
    json(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}
