/**
 * The console's audit messages: every action of a console user, named by withRequester (the console
 * node and the signed-in user). Sign-in and sign-out are User Authentication (DICOM PS3.15 A.5.3.15:
 * EventID 110114, EventTypeCode 110122 Login or 110123 Logout); reading patients and documents,
 * searches and changes are Query (110112) or Patient Record (110110) with the console action as an
 * EventTypeCode of this server's own code system.
 */
import type { AuditMessage, CodedValue, EventActionCode, EventOutcome, ParticipantObject } from '../audit/auditMessage.ts';
import type { AuditService } from '../audit/auditService.ts';
import { EventIds, PatientNumber, Roles } from '../audit/codes.ts';
import { withRequester } from '../audit/requester.ts';
import type { RequestContext } from '../kernel/requestContext.ts';

const dcm = (code: string, originalText: string): CodedValue => ({ code, codeSystemName: 'DCM', originalText });
export const UserAuthentication = dcm('110114', 'User Authentication');
export const Login = dcm('110122', 'Login');
export const Logout = dcm('110123', 'Logout');

export interface ConsoleAction {
  eventId?: CodedValue;
  action: EventActionCode;
  /** The console's action, e.g. `patient-search`, `link-accept`. */
  what: string;
  outcome?: EventOutcome;
  description?: string;
  /** CX identifiers of the patients concerned. */
  patients?: string[];
  /** Other objects: documents (uniqueId), the query. */
  objects?: ParticipantObject[];
}

export function consoleAudit(audit: AuditService, ctx: RequestContext, a: ConsoleAction): AuditMessage {
  const m: AuditMessage = {
    eventId: a.eventId ?? (a.action === 'E' ? EventIds.query : EventIds.patientRecord),
    eventActionCode: a.action,
    eventDateTime: new Date().toISOString(),
    eventOutcome: a.outcome ?? 0,
    eventTypeCodes: [{ code: `CONSOLE-${a.what}`, codeSystemName: 'HIE console', originalText: `console: ${a.what}` }],
    ...(a.description ? { eventOutcomeDescription: a.description } : {}),
    participants: [audit.applicationParticipant],
    source: audit.sourceIdentification,
    objects: [...(a.patients ?? []).map((id) => ({ id, typeCode: 1 as const, typeCodeRole: 1, idTypeCode: PatientNumber })), ...(a.objects ?? [])],
  };
  return withRequester(m, ctx);
}

/** A sign-in (or its failure) or a sign-out of a console user. */
export function authenticationAudit(audit: AuditService, ctx: RequestContext, kind: 'login' | 'logout', outcome: EventOutcome, description?: string): AuditMessage {
  const m: AuditMessage = {
    eventId: UserAuthentication,
    eventActionCode: 'E',
    eventDateTime: new Date().toISOString(),
    eventOutcome: outcome,
    eventTypeCodes: [kind === 'login' ? Login : Logout],
    ...(description ? { eventOutcomeDescription: description } : {}),
    participants: [audit.applicationParticipant],
    source: audit.sourceIdentification,
    objects: [],
  };
  return withRequester(m, ctx);
}

export const UserSecurityAttributesChanged = dcm('110137', 'User Security Attributes Changed');

/**
 * A one-time code for a patient's first sign-in to their own page, issued at the desk (`hie consent
 * code`): it lets someone become that patient on the console, so it is a Security Alert (DICOM PS3.15
 * A.5.3.11, EventTypeCode 110137 User Security Attributes Changed) naming the patient and the operator
 * who ran the command (the Application Launcher); a refusal (no such patient) has outcome 4.
 */
export function patientCodeAudit(audit: AuditService, ctx: RequestContext, a: { patients: string[]; operator: string; outcome: EventOutcome; description: string }): AuditMessage {
  const m: AuditMessage = {
    eventId: EventIds.securityAlert,
    eventActionCode: 'E',
    eventDateTime: new Date().toISOString(),
    eventOutcome: a.outcome,
    eventOutcomeDescription: a.description,
    eventTypeCodes: [UserSecurityAttributesChanged],
    participants: [audit.applicationParticipant, { userId: a.operator, userIsRequestor: true, roleIdCodes: [Roles.applicationLauncher] }],
    source: audit.sourceIdentification,
    objects: a.patients.map((id) => ({ id, typeCode: 1 as const, typeCodeRole: 1, idTypeCode: PatientNumber })),
  };
  return withRequester(m, ctx);
}
