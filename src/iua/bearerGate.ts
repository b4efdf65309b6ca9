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
import { transactionOf } from '../fhir/base.ts';
import { FhirError, sendError } from '../fhir/outcome.ts';
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
  return async (req: Request, res: Response, next: NextFunction) => {
    const ctx = httpContext(req);
    try {
      const header = req.get('authorization');
      if (header === undefined) throw new IuaError(undefined, 'an access token is required: Authorization: Bearer <token>');
      const m = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
      if (!m) throw new IuaError('invalid_request', 'the Authorization header is not a Bearer token (RFC 6750 2.1)');
      const grant = await deps.verifier.verify(m[1], ctx.certificate?.fingerprint256);
      const transaction = transactionOf(res);
      if (deps.transactionScopes && transaction && !grant.scopes.includes(transaction)) {
        throw new IuaError('insufficient_scope', `the token does not grant the scope ${transaction}`, transaction);
      }
      setHttpContext(req, { ...ctx, user: grant.user, ...(grant.purposeOfUse ? { purposeOfUse: grant.purposeOfUse } : {}) });
      next();
    } catch (e) {
      if (!(e instanceof IuaError)) return next(e);
      try {
        await deps.audit.record(authorizationFailure(deps.audit, ctx, { transaction: ITI72, endpoint: `${req.protocol}://${req.get('host')}${req.originalUrl.split('?')[0]}`, reason: e.message }));
      } catch (x) {
        deps.log.error('iua.refusal-audit-failed', { error: x instanceof Error ? x.message : String(x) });
      }
      sendError(res, new FhirError(e.status, e.status === 403 ? 'forbidden' : 'login', e.message, undefined, { 'WWW-Authenticate': challenge(deps.realm, e) }));
    }
  };
}
