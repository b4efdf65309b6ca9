/**
 * The user of an IUA access token as the request context names it (as XUA's, ITI TF-2b 3.40):
 * `sub` the user, `iss` the issuer, `jti` the token id; the IUA JWT extension `extensions.ihe_iua`
 * (ITI-72 3.72.4.1.2.1, ITI-71 JWT IUA extension) its name (subject_name), organization
 * (subject_organization, subject_organization_id), role (subject_role), purpose of use
 * (purpose_of_use), home community (home_community_id) and national provider identifier.
 * Codings may come as one object or a list; the first is taken.
 */
import type { JWTPayload } from 'jose';
import type { AssertionCode, RequestUser } from '../kernel/requestContext.ts';

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function coding(v: unknown): AssertionCode | undefined {
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first === 'string' && first) return { code: first };
  if (!first || typeof first !== 'object') return undefined;
  const c = first as Json;
  const code = str(c.code);
  if (!code) return undefined;
  return { code, ...(str(c.system) ? { codeSystem: str(c.system) } : {}), ...(str(c.display) ? { displayName: str(c.display) } : {}) };
}

export interface IuaGrant {
  user: RequestUser;
  purposeOfUse?: AssertionCode;
  scopes: string[];
}

export function grantOf(payload: JWTPayload): IuaGrant {
  const extensions = (payload.extensions ?? {}) as Json;
  const iua = ((extensions.ihe_iua ?? payload.ihe_iua ?? {}) as Json) || {};
  const scope = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : Array.isArray(payload.scp) ? payload.scp.filter((s): s is string => typeof s === 'string') : [];
  const role = coding(iua.subject_role);
  const user: RequestUser = {
    id: payload.sub!,
    issuer: payload.iss!,
    assertionId: str(payload.jti) ?? '',
    ...(str(iua.subject_name) ? { name: str(iua.subject_name) } : {}),
    ...(role ? { role } : {}),
    ...(str(iua.subject_organization) ? { organization: str(iua.subject_organization) } : {}),
    ...(str(iua.subject_organization_id) ? { organizationId: str(iua.subject_organization_id) } : {}),
    ...(str(iua.home_community_id) ? { homeCommunityId: str(iua.home_community_id) } : {}),
    ...(str(iua.national_provider_identifier) ? { npi: str(iua.national_provider_identifier) } : {}),
  };
  const purposeOfUse = coding(iua.purpose_of_use);
  return { user, ...(purposeOfUse ? { purposeOfUse } : {}), scopes: scope };
}
