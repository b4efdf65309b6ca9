/**
 * The audit messages of the MHD Document Responder (ITI TF-2 3.66.5.1, 3.67.5.1: "similar to ITI-18";
 * 3.68.5.1: "similar to ITI-43"). A search or read is a Query (110112, E) with the request as the
 * Query Parameters object and the patient it names (audit/restQueryAudit.ts); a retrieve is an Export
 * (110106, R) with this server as Source and the document with its repository, as ITI-43's. ITI-65 is
 * audited by the use case it shares with ITI-41. Every message names the requester (withRequester).
 */
import type { AuditMessage, EventOutcome } from '../audit/auditMessage.ts';
import type { AuditService } from '../audit/auditService.ts';
import { restQueryAudit } from '../audit/restQueryAudit.ts';
import type { RequestContext } from '../kernel/requestContext.ts';
import { documentObject, xdsAudit, type XdsRequester } from '../xds/audit.ts';
import type { MhdTransactionDescriptor } from './transactions.ts';

export function queryAudit(audit: AuditService, tx: MhdTransactionDescriptor, i: { context: RequestContext; serverUrl: string; query: string; outcome: EventOutcome; description?: string; patientId?: string }): AuditMessage {
  return restQueryAudit(audit, {
    eventType: tx.audit.eventType,
    outcome: i.outcome,
    outcomeDescription: i.description,
    context: i.context,
    serverUrl: i.serverUrl,
    query: i.query,
    patients: i.patientId ? [i.patientId] : [],
  });
}

export function retrieveAudit(
  audit: AuditService,
  tx: MhdTransactionDescriptor,
  i: { requester: XdsRequester; outcome: EventOutcome; description?: string; patientId?: string; document?: { uniqueId: string; repositoryUniqueId: string } },
): AuditMessage {
  return xdsAudit(audit, {
    tx,
    req: i.requester,
    outcome: i.outcome,
    outcomeDescription: i.description,
    patientId: i.patientId,
    objects: i.document ? [documentObject(i.document.uniqueId, i.document.repositoryUniqueId)] : [],
    selfIsSource: true,
  });
}
