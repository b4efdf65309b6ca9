/**
 * The audit message of a RESTful query this server answers (ITI-81 Retrieve ATNA Audit Event, IHE
 * RESTful ATNA 3.81.5): Query (110112), action E, the client as Source (its address), this server as
 * Destination (the URL it serves), the node and user who asked (requester.ts), the query string as a
 * Query Parameters object (type 2, role 24, base64), and the patients the query names.
 */
import os from 'node:os';
import type { AuditMessage, CodedValue, EventOutcome } from './auditMessage.ts';
import type { AuditService } from './auditService.ts';
import { EventIds, PatientNumber, Roles } from './codes.ts';
import { withRequester } from './requester.ts';
import type { RequestContext } from '../kernel/requestContext.ts';

export function restQueryAudit(
  audit: AuditService,
  i: {
    eventType: CodedValue;
    outcome: EventOutcome;
    outcomeDescription?: string;
    /** Who asked: the client's address is the Source, its node and user are named as the requester. */
    context: RequestContext;
    serverUrl: string;
    query: string;
    patients: string[];
  },
): AuditMessage {
  const address = i.context.address.startsWith('::ffff:') ? i.context.address.slice(7) : i.context.address;
  const m: AuditMessage = {
    eventId: EventIds.query,
    eventActionCode: 'E',
    eventDateTime: new Date().toISOString(),
    eventOutcome: i.outcome,
    eventOutcomeDescription: i.outcomeDescription,
    eventTypeCodes: [i.eventType],
    participants: [
      {
        userId: address || 'unknown',
        userIsRequestor: true,
        roleIdCodes: [Roles.source],
        networkAccessPointId: address || undefined,
        networkAccessPointTypeCode: '2',
      },
      {
        userId: i.serverUrl,
        alternativeUserId: audit.processId,
        userIsRequestor: false,
        roleIdCodes: [Roles.destination],
        networkAccessPointId: os.hostname(),
        networkAccessPointTypeCode: '1',
      },
    ],
    source: audit.sourceIdentification,
    objects: [
      { id: i.eventType.originalText, typeCode: 2, typeCodeRole: 24, idTypeCode: i.eventType, query: Buffer.from(i.query, 'utf8').toString('base64') },
      ...i.patients.map((p) => ({ id: p, typeCode: 1 as const, typeCodeRole: 1, idTypeCode: PatientNumber })),
    ],
  };
  return withRequester(m, i.context);
}
