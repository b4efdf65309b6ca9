/** A throwaway IUA Authorization Server for tests: an ES256 key pair, its public JWK, and signed access tokens. */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

export const AUDIENCE = 'https://hie.example.jp/fhir';

export interface TestIssuer {
  issuer: string;
  /** The `iua.issuers[]` entry of this issuer, keys inline. */
  config: { issuer: string; keys: Record<string, unknown>[]; audiences: string[]; algorithms: string[] };
  publicJwk: Record<string, unknown>;
  /** A token; `claims` override the defaults, `null` leaves a claim out. */
  token(claims?: Partial<Record<keyof JWTPayload | string, unknown>>): Promise<string>;
}

export async function testIssuer(issuer = 'https://idp.example.jp', kid = 'k1'): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } as Record<string, unknown>;
  return {
    issuer,
    publicJwk,
    config: { issuer, keys: [publicJwk], audiences: [AUDIENCE], algorithms: ['ES256'] },
    async token(claims = {}) {
      const now = Math.floor(Date.now() / 1000);
      const all: Record<string, unknown> = {
        iss: issuer,
        sub: 'dr-sato',
        aud: AUDIENCE,
        iat: now,
        exp: now + 300,
        jti: randomUUID(),
        // The transactions' own scopes (PIXm, PDQm: `scope: ITI-83`, `ITI-78`; ITI-81 likewise here).
        scope: 'user/Patient.read launch ITI-78 ITI-83 ITI-81',
        extensions: {
          ihe_iua: {
            subject_name: '佐藤 一郎',
            subject_organization: '登呂中央病院',
            subject_organization_id: 'urn:oid:1.2.392.999.2',
            subject_role: { system: '1.2.392.999.9.5', code: 'PHYSICIAN' },
            purpose_of_use: { system: '2.16.840.1.113883.1.11.20448', code: 'TREATMENT' },
          },
        },
        ...claims,
      };
      for (const [k, v] of Object.entries(all)) if (v === null) delete all[k];
      return new SignJWT(all as JWTPayload).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).sign(privateKey);
    },
  };
}
