/**
 * ITI-8 audit at the PIX Manager (ITI TF-2 3.8.5.1.2, 3.8.5.2.2): Patient Record events, C for
 * A01/A04/A05, U for A08; a merge writes a D record for each prior ID and a U record for the survivor.
 */
import { hl7AuditMessage, patientObject } from '../../audit/hl7v2Audit.ts';
import { requestParties } from '../requestParties.ts';
import type { AuditMessage, EventOutcome } from '../../audit/auditMessage.ts';
import type { AuditService } from '../../audit/auditService.ts';
import { EventIds, ihe } from '../../audit/codes.ts';
import type { Hl7Request } from '../../hl7v2/transaction.ts';

export const ITI8 = ihe('ITI-8', 'Patient Identity Feed');

export interface Iti8AuditInput {
  req: Hl7Request;
  event: string;
  outcome: EventOutcome;
  outcomeDescription?: string;
  /** CX strings of the patient: PID-3 ids, and for A40 the MRG-1 ids. */
  patients: string[];
  priors?: string[];
}

export function iti8AuditMessages(audit: AuditService, i: Iti8AuditInput): AuditMessage[] {
  const controlId = i.req.message.header.controlId;
  const base = { eventId: EventIds.patientRecord, eventType: ITI8, outcome: i.outcome, outcomeDescription: i.outcomeDescription, self: 'destination' as const, ...requestParties(i.req, audit) };
  const action = i.event === 'A08' || i.event === 'A40' ? 'U' : 'C';
  const messages = [hl7AuditMessage(audit, { ...base, action, objects: i.patients.map((p) => patientObject(p, controlId)) })];
  if (i.event === 'A40' && i.priors && i.priors.length > 0) {
    messages.unshift(hl7AuditMessage(audit, { ...base, action: 'D', objects: i.priors.map((p) => patientObject(p, controlId)) }));
  }
  return messages;
}
