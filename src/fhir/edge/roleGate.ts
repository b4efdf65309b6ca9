/**
 * Node authorization at the FHIR faces, as soap/admission.ts decides it for the SOAP transactions:
 * the peer must be a configured node holding one of the roles the transaction names. Decided before
 * the body is read. A refusal is 403 with an OperationOutcome (issue code forbidden), audited as a
 * Security Alert naming the requester and as the transaction's own failure (`failed`).
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuditService } from '../../audit/auditService.ts';
import { authorizationFailure } from '../../audit/securityAlert.ts';
import { httpContext } from '../../kernel/httpContext.ts';
import type { Logger } from '../../kernel/logger.ts';
import { requesterName, type NodeRole, type RequestContext } from '../../kernel/requestContext.ts';
import { FhirError, sendError } from '../outcome.ts';
import { endpointOf } from '../request.ts';

export interface GatedTransaction {
  /** ITI-78, ITI-67, ... */
  id: string;
  roles: readonly NodeRole[];
}

/** Why the requester may not call the transaction, or undefined when it may. */
export function roleRefusal(tx: GatedTransaction, ctx: RequestContext): string | undefined {
  const node = ctx.node;
  if (!node) return `${tx.id} refused: ${requesterName(ctx)} is not a configured node`;
  if (!tx.roles.some((r) => node.roles.has(r))) return `${tx.id} refused: node ${node.name} has none of the roles ${tx.roles.join(', ')}`;
  return undefined;
}

/**
 * The refusal answered: the Security Alert and the transaction's failure audited (a failure to
 * audit is logged), then the 403 FhirError to throw or send.
 */
export async function refused(
  deps: { audit: AuditService; log: Logger },
  tx: GatedTransaction,
  req: Request,
  reason: string,
  failed: (req: Request, reason: string) => Promise<void>,
): Promise<FhirError> {
  try {
    await deps.audit.record(authorizationFailure(deps.audit, httpContext(req), { transaction: tx.id, endpoint: endpointOf(req), reason }));
    await failed(req, reason);
  } catch (e) {
    deps.log.error('fhir.refusal-audit-failed', { transaction: tx.id, error: e instanceof Error ? e.message : String(e) });
  }
  return new FhirError(403, 'forbidden', reason);
}

/** The gate of one transaction's routes, placed before any body reader. */
export function roleGate(
  deps: { audit: AuditService; log: Logger },
  tx: GatedTransaction,
  failed: (req: Request, reason: string) => Promise<void>,
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const reason = roleRefusal(tx, httpContext(req));
    if (reason === undefined) return next();
    refused(deps, tx, req, reason, failed).then((e) => sendError(res, e), next);
  };
}
