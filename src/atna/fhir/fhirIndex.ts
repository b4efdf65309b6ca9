/**
 * The index fields of an AuditEvent received in FHIR form (ITI-20 "Send Audit Resource"): the same
 * fields a DICOM message is found by, read from the FHIR elements the DICOM mapping puts them in.
 * A patient named by an identifier is indexed as a CX (value^^^&OID&ISO) so that both forms meet.
 */
import type { AuditEvent, Coding, Identifier } from 'fhir/r4.js';
import type { AuditAgent, AuditObject } from '../../store/types.ts';
import type { AuditIndexFields } from '../dicom/index.ts';
import { utcInstant } from '../dicom/index.ts';

function cxOf(i: Identifier | undefined): string {
  if (!i?.value) return '';
  if (i.system?.startsWith('urn:oid:')) return `${i.value}^^^&${i.system.slice(8)}&ISO`;
  return i.value;
}

const codeOf = (c: Coding | undefined) => c?.code ?? '';
const small = (s: string | undefined): number | null => (s && /^\d{1,2}$/.test(s) ? Number(s) : null);

/** An instant as stored (UTC, milliseconds), from a FHIR instant or dateTime. */
export function fhirInstant(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const viaXsd = utcInstant(v);
  if (viaXsd) return viaXsd;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export function fhirIndexFields(e: AuditEvent, fallbackTime: string): AuditIndexFields {
  const agents: AuditAgent[] = (e.agent ?? []).map((a) => ({
    userId: a.who?.identifier?.value ?? a.who?.reference ?? a.who?.display ?? '',
    userName: a.name ?? '',
    altUserId: a.altId ?? '',
    networkAccessPoint: a.network?.address ?? '',
    requestor: a.requestor === true,
  }));
  const objects: AuditObject[] = (e.entity ?? []).map((en) => {
    const typeCode = small(en.type?.code);
    const roleCode = small(en.role?.code);
    const id = typeCode === 1 && roleCode === 1 ? cxOf(en.what?.identifier) || en.what?.reference || '' : (en.what?.identifier?.value ?? en.what?.reference ?? '');
    return { id, typeCode, roleCode, idTypeCode: codeOf(en.what?.identifier?.type?.coding?.[0]) };
  });
  const subtypes = (e.subtype ?? []).map(codeOf);
  return {
    eventTime: fhirInstant(e.recorded) ?? fallbackTime,
    eventId: codeOf(e.type),
    eventTypeCode: subtypes[0] ?? '',
    moreEventTypeCodes: subtypes.slice(1),
    action: e.action ?? '',
    outcome: small(e.outcome) ?? -1,
    sourceId: e.source?.observer?.identifier?.value ?? e.source?.observer?.display ?? '',
    patientIds: objects.filter((o) => o.typeCode === 1 && o.roleCode === 1 && o.id).map((o) => o.id),
    agents,
    objects,
  };
}
