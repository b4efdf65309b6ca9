/**
 * The parts every HL7 v2 transaction's audit message shares (ITI TF-2 3.8.5, 3.9.5, 3.10.5, 3.21.5):
 * the Source and Destination participants named facility|application, and the MSH-10 detail.
 */
import type { ActiveParticipant, AuditMessage, CodedValue, EventActionCode, EventOutcome, ParticipantObject } from './auditMessage.ts';
import type { AuditService } from './auditService.ts';
import { EventIds, PatientNumber, Roles } from './codes.ts';
import { withRequester } from './requester.ts';
import type { RequestContext } from '../kernel/requestContext.ts';

export interface Hl7Party {
  application: string;
  facility: string;
  address: string;
}

const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function napType(address: string): '1' | '2' {
  return ipv4.test(address) || address.includes(':') ? '2' : '1';
}

function stripV4Mapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export interface Hl7AuditInput {
  eventId: CodedValue;
  eventType: CodedValue;
  action: EventActionCode;
  outcome: EventOutcome;
  outcomeDescription?: string;
  /** The party that sent the message (Source, the requestor) and the one that received it. */
  source: Hl7Party;
  destination: Hl7Party;
  /** Which of the two is this server. */
  self: 'source' | 'destination';
  objects: ParticipantObject[];
  /**
   * Who asked, for a request this server received: its node (certificate subject) and purpose of use
   * are added. Absent for messages this server sends on its own (ITI-10 notifications).
   */
  requester?: RequestContext;
}

export function hl7AuditMessage(audit: AuditService, i: Hl7AuditInput): AuditMessage {
  const party = (p: Hl7Party, role: CodedValue, requestor: boolean, self: boolean): ActiveParticipant => {
    const address = stripV4Mapped(p.address);
    return {
      userId: `${p.facility}|${p.application}`,
      alternativeUserId: self ? audit.processId : undefined,
      userIsRequestor: requestor,
      roleIdCodes: [role],
      networkAccessPointId: address || undefined,
      networkAccessPointTypeCode: address ? napType(address) : undefined,
    };
  };
  const m: AuditMessage = {
    eventId: i.eventId,
    eventActionCode: i.action,
    eventDateTime: new Date().toISOString(),
    eventOutcome: i.outcome,
    eventOutcomeDescription: i.outcomeDescription,
    eventTypeCodes: [i.eventType],
    participants: [
      party(i.source, Roles.source, true, i.self === 'source'),
      party(i.destination, Roles.destination, false, i.self === 'destination'),
    ],
    source: audit.sourceIdentification,
    objects: i.objects,
  };
  return i.requester ? withRequester(m, i.requester) : m;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export function patientObject(cx: string, controlId?: string): ParticipantObject {
  return {
    id: cx,
    typeCode: 1,
    typeCodeRole: 1,
    idTypeCode: PatientNumber,
    details: controlId ? [{ type: 'MSH-10', value: b64(controlId) }] : undefined,
  };
}

/** The Query Parameters object: the query message (MSH and QPD) in base64, and MSH-10. */
export function queryObject(eventType: CodedValue, queryTag: string, queryText: string | undefined, controlId: string): ParticipantObject {
  return {
    id: queryTag,
    typeCode: 2,
    typeCodeRole: 24,
    idTypeCode: eventType,
    query: queryText === undefined ? undefined : b64(queryText),
    details: [{ type: 'MSH-10', value: b64(controlId) }],
  };
}

/**
 * The audit message of an HL7 v2 query at the responder (ITI-9 3.9.5.1.2, ITI-21 3.21.5.1.2): Query,
 * action E, the consumer as Source, this server as Destination, the patients returned and the query.
 */
export function hl7QueryAudit(
  audit: AuditService,
  i: {
    eventType: CodedValue;
    outcome: EventOutcome;
    outcomeDescription?: string;
    source: Hl7Party;
    destination: Hl7Party;
    requester?: RequestContext;
    patients: string[];
    queryTag: string;
    /** MSH and QPD as received; undefined when it must not be kept (an individual number). */
    queryText: string | undefined;
    controlId: string;
  },
): AuditMessage {
  return hl7AuditMessage(audit, {
    eventId: EventIds.query,
    eventType: i.eventType,
    action: 'E',
    outcome: i.outcome,
    outcomeDescription: i.outcomeDescription,
    source: i.source,
    destination: i.destination,
    requester: i.requester,
    self: 'destination',
    objects: [queryObject(i.eventType, i.queryTag, i.queryText, i.controlId), ...i.patients.map((p) => patientObject(p))],
  });
}
