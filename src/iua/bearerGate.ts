/**
 * The IUA gate of the FHIR base (ITI-72 at the Resource Server): every request carries
 * `Authorization: Bearer <JWT>` (RFC 6750 2.1); a verified token's user, organization and purpose of
 * use join the request context the listener made (its node, from the TLS client certificate or
 * loopback, stays), so that consent and audit see them as they see XUA's. A missing or bad token is
 * answered 401 (insufficient scope 403) with a `WWW-Authenticate: Bearer` challenge (RFC 6750 3) and
 * an OperationOutcome, and audited as a Security Alert naming the peer.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuditService } from '../audit/auditService.ts';
import { authorizationFailure } from '../audit/securityAlert.ts';
import { candidateTransactions, guardTransactions } from '../fhir/base.ts';
import { FhirError, sendError } from '../fhir/outcome.ts';
import { endpointOf } from '../fhir/request.ts';
import { httpContext, setHttpContext } from '../kernel/httpContext.ts';
import type { Logger } from '../kernel/logger.ts';
import { IuaError } from './errors.ts';
import type { IuaVerifier } from './verifier.ts';

export const ITI72 = 'ITI-72';

/** The challenge of RFC 6750 3: realm, and the error, its description and the scope when there is one. */
export function challenge(realm: string, e: IuaError): string {
  const quoted = (s: string) => `"${s.replace(/["\\]/g, '')}"`;
  const attrs = [`realm=${quoted(realm)}`];
  if (e.code) attrs.push(`error=${quoted(e.code)}`, `error_description=${quoted(e.message)}`);
  if (e.scope) attrs.push(`scope=${quoted(e.scope)}`);
  return `Bearer ${attrs.join(', ')}`;
}

export function bearerGate(deps: {
  verifier: IuaVerifier;
  realm: string;
  /** Each transaction asks for the scope named after it (PIXm ITI-83 and PDQm ITI-78 define `scope: ITI-83`, `ITI-78`). */
  transactionScopes: boolean;
  audit: AuditService;
  log: Logger;
}): RequestHandler {
  /** The refusal answered: audited as a Security Alert naming the peer (ITI-72), with the challenge. */
  const refusal = async (req: Request, e: IuaError): Promise<FhirError> => {
    try {
      await deps.audit.record(authorizationFailure(deps.audit, httpContext(req), { transaction: ITI72, endpoint: endpointOf(req), reason: e.message }));
    } catch (x) {
      deps.log.error('iua.refusal-audit-failed', { error: x instanceof Error ? x.message : String(x) });
    }
    return new FhirError(e.status, e.status === 403 ? 'forbidden' : 'login', e.message, undefined, { 'WWW-Authenticate': challenge(deps.realm, e) });
  };
  const insufficient = (scopes: readonly string[]) => new IuaError('insufficient_scope', `the token does not grant the scope ${scopes.join(' or ')}`, scopes.join(' '));

  return async (req: Request, res: Response, next: NextFunction) => {
    const ctx = httpContext(req);
    try {
      const header = req.get('authorization');
      if (header === undefined) throw new IuaError(undefined, 'an access token is required: Authorization: Bearer <token>');
      const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
      if (!m) throw new IuaError('invalid_request', 'the Authorization header is not a Bearer token (RFC 6750 2.1)');
      const grant = await deps.verifier.verify(m[1], ctx.certificate?.fingerprint256);
      // The scope of the transaction, checked before the body is read. A path two transactions share
      // (POST /: ITI-65, ITI-20) needs one of their scopes now, and the scope of the one its body turns
      // out to be once it is read (fhir/base.ts settleTransaction).
      const candidates = candidateTransactions(res);
      if (deps.transactionScopes && candidates.length > 0) {
        const granted = candidates.filter((t) => grant.scopes.includes(t));
        if (granted.length === 0) throw insufficient(candidates);
        if (granted.length < candidates.length) guardTransactions(res, { admits: (t) => grant.scopes.includes(t), refusal: (t) => refusal(req, insufficient([t])) });
      }
      setHttpContext(req, { ...ctx, user: grant.user, ...(grant.purposeOfUse ? { purposeOfUse: grant.purposeOfUse } : {}) });
      next();
    } catch (e) {
      if (!(e instanceof IuaError)) return next(e);
      sendError(res, await refusal(req, e));
    }
  };
}
