/**
 * The fields an audit message is found by (ITI-81 search, the patient access report), read from a
 * DICOM audit message: its time, EventID and EventTypeCodes, action, outcome, audit source, the active
 * participants (user, network access point) and the participant objects, patients among them
 * (ParticipantObjectTypeCode 1, role 1).
 */
import type { AuditAgent, AuditObject, AuditRecord } from '../../store/types.ts';
import type { ReadAuditMessage } from './model.ts';

export type AuditIndexFields = Pick<
  AuditRecord,
  'eventTime' | 'eventId' | 'eventTypeCode' | 'moreEventTypeCodes' | 'action' | 'outcome' | 'sourceId' | 'patientIds' | 'agents' | 'objects'
>;

/** An xs:dateTime as a UTC instant with milliseconds (2024-01-01T00:00:00.000Z); no zone is read as UTC. */
export function utcInstant(dateTime: string): string | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/.exec(dateTime.trim());
  if (!m) return undefined;
  const ms = (m[7] ?? '').padEnd(3, '0').slice(0, 3);
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4] === '24' ? '00' : m[4]}:${m[5]}:${m[6]}.${ms}${m[8] ?? 'Z'}`);
  if (Number.isNaN(t)) return undefined;
  return new Date(t + (m[4] === '24' ? 86_400_000 : 0)).toISOString();
}

const small = (s: string): number | null => (/^\s*\d{1,2}\s*$/.test(s) ? Number(s) : null);

export function indexFields(m: ReadAuditMessage, fallbackTime: string): AuditIndexFields {
  const outcome = small(m.outcome);
  const agents: AuditAgent[] = m.participants.map((p) => ({
    userId: p.userId,
    userName: p.userName,
    altUserId: p.altUserId,
    networkAccessPoint: p.networkAccessPointId,
    requestor: /^\s*(true|1)\s*$/.test(p.requestor),
  }));
  const objects: AuditObject[] = m.objects.map((o) => ({
    id: o.id,
    typeCode: small(o.typeCode),
    roleCode: small(o.typeCodeRole),
    idTypeCode: o.idTypeCode?.code ?? '',
  }));
  return {
    eventTime: utcInstant(m.dateTime) ?? fallbackTime,
    eventId: m.eventId?.code ?? '',
    eventTypeCode: m.eventTypes[0]?.code ?? '',
    moreEventTypeCodes: m.eventTypes.slice(1).map((t) => t.code),
    action: m.actionCode.trim(),
    outcome: outcome ?? -1,
    sourceId: m.source.id,
    patientIds: objects.filter((o) => o.typeCode === 1 && o.roleCode === 1 && o.id).map((o) => o.id),
    agents,
    objects,
  };
}
