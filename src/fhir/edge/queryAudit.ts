/**
 * The audit message of a FHIR query (PIXm ITI-83, PDQm ITI-78, MHD ITI-66/67): a Query (110112) at
 * the responder naming the requester, the endpoint, the query and the patients (audit/restQueryAudit.ts).
 * A failure to record is logged, never answered.
 */
import type { Request } from 'express';
import type { CodedValue, EventOutcome } from '../../audit/auditMessage.ts';
import type { AuditService } from '../../audit/auditService.ts';
import { restQueryAudit } from '../../audit/restQueryAudit.ts';
import { httpContext } from '../../kernel/httpContext.ts';
import type { Logger } from '../../kernel/logger.ts';
import { endpointOf } from '../request.ts';

export interface FhirQueryAudit {
  audit: AuditService;
  log: Logger;
}

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
