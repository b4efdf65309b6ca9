/**
 * Audit messages of consent changes and declared disasters. A consent change is a Patient Record
 * event (DICOM PS3.15 A.5.3.7: EventID 110110, action C for the patient's first consent record, U
 * afterwards) with the patient as participant object (type 1 person, role 1 patient, ID type 2
 * patient number). Reading a patient's consent or its history at the desk is a Patient Record event
 * with action R, typed CONSENT-READ; a patient not found is audited with outcome 4 and no object
 * (what was typed is not repeated: it may be anything). Declaring a disaster opens emergency access for an area: a Security Alert
 * (110113) typed 110127 Emergency Override Started; ending it 110138 Emergency Override Stopped
 * (DICOM CID 403). Each names the requester (withRequester), or, at the desk, the operator as the
 * Application Launcher.
 */
import type { ActiveParticipant, AuditMessage } from '../audit/auditMessage.ts';
import type { AuditService } from '../audit/auditService.ts';
import { EventIds, PatientNumber, Roles } from '../audit/codes.ts';
import { withRequester } from '../audit/requester.ts';
import type { DomainIdentifier } from '../identity/service.ts';
import type { RequestContext } from '../kernel/requestContext.ts';
import type { ConsentChange, Disaster } from './model.ts';

const ConsentChanged = { code: 'CONSENT', codeSystemName: 'HIE', originalText: 'Patient consent changed' };
const ConsentRead = { code: 'CONSENT-READ', codeSystemName: 'HIE', originalText: 'Patient consent read' };
const EmergencyOverrideStarted = { code: '110127', codeSystemName: 'DCM', originalText: 'Emergency Override Started' };
const EmergencyOverrideStopped = { code: '110138', codeSystemName: 'DCM', originalText: 'Emergency Override Stopped' };

/** An identifier as HL7 CX (id^^^namespace&oid&ISO), as audit messages name patients. */
export function patientCx(i: DomainIdentifier): string {
  const hd = [i.domain.namespace, i.domain.oid, i.domain.oid ? i.domain.type || 'ISO' : ''];
  while (hd.length && hd[hd.length - 1] === '') hd.pop();
  return `${i.id}^^^${hd.join('&')}`;
}

/** The identifiers an audit message may name: local and regional IDs, never the token or a pseudonym. */
export function auditablePatientIds(ids: DomainIdentifier[]): string[] {
  return [...new Set(ids.filter((i) => i.domain.kind === 'local' || i.domain.kind === 'regional').map(patientCx))];
}

function requester(audit: AuditService, ctx: RequestContext, operator?: string): ActiveParticipant[] {
  const out = [audit.applicationParticipant];
  if (ctx.transport === 'internal' || ctx.transport === 'cli') out.push({ userId: operator ?? ctx.node?.name ?? 'operator', userIsRequestor: true, roleIdCodes: [Roles.applicationLauncher] });
  return out;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export function consentChangedAudit(audit: AuditService, ctx: RequestContext, change: ConsentChange, patientIds: string[], operator?: string): AuditMessage {
  return withRequester(
    {
      eventId: EventIds.patientRecord,
      eventActionCode: change.consent.version === 1 ? 'C' : 'U',
      eventDateTime: change.at,
      eventOutcome: 0,
      eventOutcomeDescription: `consent ${change.action} (${change.source.kind}${change.source.document ? ` ${change.source.document}` : ''}): ${change.changes.join('; ') || 'no change'}`,
      eventTypeCodes: [ConsentChanged],
      participants: requester(audit, ctx, operator),
      source: audit.sourceIdentification,
      objects: patientIds.map((id) => ({
        id,
        typeCode: 1 as const,
        typeCodeRole: 1,
        idTypeCode: PatientNumber,
        details: [{ type: 'ConsentAction', value: b64(change.action) }],
      })),
    },
    ctx,
  );
}

/** A read of a patient's consent (`show`) or its history (`history`); patientIds empty when none was found. */
export function consentReadAudit(audit: AuditService, ctx: RequestContext, r: { what: 'show' | 'history'; patientIds: string[]; outcome: 0 | 4; operator?: string }): AuditMessage {
  return withRequester(
    {
      eventId: EventIds.patientRecord,
      eventActionCode: 'R',
      eventDateTime: new Date().toISOString(),
      eventOutcome: r.outcome,
      eventOutcomeDescription: r.outcome === 0 ? `consent ${r.what}` : `consent ${r.what} refused: no such patient`,
      eventTypeCodes: [ConsentRead],
      participants: requester(audit, ctx, r.operator),
      source: audit.sourceIdentification,
      objects: r.patientIds.map((id) => ({ id, typeCode: 1 as const, typeCodeRole: 1, idTypeCode: PatientNumber, details: [{ type: 'ConsentRead', value: b64(r.what) }] })),
    },
    ctx,
  );
}

export function disasterAudit(audit: AuditService, ctx: RequestContext, d: Disaster, started: boolean, operator?: string): AuditMessage {
  return withRequester(
    {
      eventId: EventIds.securityAlert,
      eventActionCode: 'E',
      eventDateTime: new Date().toISOString(),
      eventOutcome: 0,
      eventOutcomeDescription: `disaster ${d.id} ${started ? 'declared' : 'ended'}: ${d.description}; area ${d.facilities.join(', ')}; from ${d.start}${d.end ? ` until ${d.end}` : ''}`,
      eventTypeCodes: [started ? EmergencyOverrideStarted : EmergencyOverrideStopped],
      participants: requester(audit, ctx, operator),
      source: audit.sourceIdentification,
      objects: [
        {
          id: `disaster:${d.id}`,
          typeCode: 2,
          typeCodeRole: 13,
          idTypeCode: { code: '12', codeSystemName: 'RFC-3881', originalText: 'URI' },
          details: [{ type: 'Alert Description', value: b64(d.description) }],
        },
      ],
    },
    ctx,
  );
}
