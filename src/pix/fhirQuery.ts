/**
 * What PIXm ITI-83 and PDQm ITI-78 share as FHIR queries, as ITI-9 and ITI-21 share
 * queryTransaction.ts: only a node with the role consumer or gateway may query (else 403 with an
 * OperationOutcome, audited as a Security Alert and a failed query, ITI TF-2 3.83.5 / 3.78.5); each
 * answer is audited as a Query (110112) at the responder naming the requester, the query and the
 * patients; a refused query is audited without its text.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { CodedValue, EventOutcome } from '../audit/auditMessage.ts';
import type { AuditService } from '../audit/auditService.ts';
import { restQueryAudit } from '../audit/restQueryAudit.ts';
import { authorizationFailure } from '../audit/securityAlert.ts';
import { QUERY_ROLES } from '../consent/feedAuthorization.ts';
import { FhirError, sendError } from '../fhir/outcome.ts';
import { httpContext } from '../kernel/httpContext.ts';
import type { Logger } from '../kernel/logger.ts';
import { hasRole } from '../kernel/requestContext.ts';

export interface FhirQueryAudit {
  audit: AuditService;
  log: Logger;
}

export const endpointOf = (req: Request) => `${req.protocol}://${req.get('host')}${req.baseUrl}${req.path}`;

/** Records the Query audit message of one FHIR query; a failure to record is logged, never answered. */
export async function auditFhirQuery(
  deps: FhirQueryAudit,
  req: Request,
  q: { eventType: CodedValue; outcome: EventOutcome; patients: string[]; description?: string; query?: string },
): Promise<void> {
  try {
    await deps.audit.record(
      restQueryAudit(deps.audit, {
        eventType: q.eventType,
        outcome: q.outcome,
        outcomeDescription: q.description,
        context: httpContext(req),
        serverUrl: endpointOf(req),
        query: q.query ?? '',
        patients: q.patients,
      }),
    );
  } catch (e) {
    deps.log.error('fhir.query-audit-failed', { transaction: q.eventType.code, error: e instanceof Error ? e.message : String(e) });
  }
}

/** Refuses, before anything is read, a requester that is no node with the role consumer or gateway. */
export function queryRolesOnly(deps: FhirQueryAudit, eventType: CodedValue): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const ctx = httpContext(req);
    if (QUERY_ROLES.some((r) => hasRole(ctx, r))) return next();
    const reason = ctx.node ? `node ${ctx.node.name} has none of the roles ${QUERY_ROLES.join(', ')}` : 'the peer is not a configured node';
    try {
      await deps.audit.record(authorizationFailure(deps.audit, ctx, { transaction: eventType.code, endpoint: endpointOf(req), reason }));
    } catch (e) {
      deps.log.error('fhir.refusal-audit-failed', { transaction: eventType.code, error: e instanceof Error ? e.message : String(e) });
    }
    await auditFhirQuery(deps, req, { eventType, outcome: 4, patients: [], description: `refused: ${reason}` });
    sendError(res, new FhirError(403, 'forbidden', `${eventType.code} refused: ${reason}`));
  };
}
