/**
 * The fields an audit message is found by (ITI-81 search, the patient access report), read from a
 * DICOM audit message: its time, EventID and EventTypeCodes, action, outcome, audit source, the active
 * participants (user, network access point) and the participant objects, patients among them
 * (ParticipantObjectTypeCode 1, role 1).
 */
import type { AuditAgent, AuditObject, AuditRecord } from '../../store/types.ts';
import type { ReadAuditMessage } from './model.ts';
import { digits } from '../asciiDigits.ts';
import { daysIn } from './xsdTypes.ts';

export type AuditIndexFields = Pick<
  AuditRecord,
  'eventTime' | 'eventId' | 'eventTypeCode' | 'moreEventTypeCodes' | 'action' | 'outcome' | 'sourceId' | 'patientIds' | 'agents' | 'objects'
>;

/** An xs:dateTime as a UTC instant with milliseconds (2024-01-01T00:00:00.000Z); no zone is read as UTC. */
export function utcInstant(dateTime: string): string | undefined {
  const t = usualInstant(dateTime);
  if (t === undefined) return anyInstant(dateTime);
  // Already in that form (a fraction of three digits, Z): the instant is the value itself.
  if (dateTime.length === 24 && dateTime.charCodeAt(19) === 46 && dateTime.charCodeAt(23) === 90) return dateTime;
  return new Date(t).toISOString();
}

/**
 * The instant of an xs:dateTime in the form senders use (YYYY-MM-DDThh:mm:ss, a fraction, Z or
 * ±hh:mm or no zone; no whitespace, hour below 24, the day within its month, year from 100), read
 * by hand; undefined for any other string, which anyInstant reads.
 */
function usualInstant(s: string): number | undefined {
  const n = s.length;
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46 /* . */) {
    let k = i + 1;
    while (k < n && s.charCodeAt(k) >= 48 && s.charCodeAt(k) <= 57) k++;
    if (k === i + 1) return undefined;
    for (let j = i + 1; j < i + 4; j++) ms = ms * 10 + (j < k ? s.charCodeAt(j) - 48 : 0);
    i = k;
  }
  let offset = 0;
  if (i === n - 1 && s.charCodeAt(i) === 90 /* Z */) i = n;
  else if (i === n - 6 && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45) && s.charCodeAt(i + 3) === 58) {
    const h = digits(s, i + 1, 2);
    const m = digits(s, i + 4, 2);
    if (h < 0 || h > 23 || m < 0 || m > 59) return undefined;
    offset = (s.charCodeAt(i) === 43 ? 1 : -1) * (h * 60 + m) * 60_000;
    i = n;
  }
  if (i !== n) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset;
}

/** Any xs:dateTime, as Date.parse reads it (24:00:00 is the end of the day). */
function anyInstant(dateTime: string): string | undefined {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/.exec(dateTime.trim());
  if (!m) return undefined;
  const ms = (m[7] ?? '').padEnd(3, '0').slice(0, 3);
  const t = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4] === '24' ? '00' : m[4]}:${m[5]}:${m[6]}.${ms}${m[8] ?? 'Z'}`);
  if (Number.isNaN(t)) return undefined;
  return new Date(t + (m[4] === '24' ? 86_400_000 : 0)).toISOString();
}

/** A code of one or two digits (whitespace around it allowed), null otherwise. */
function small(s: string): number | null {
  const d = s.length === 1 ? digits(s, 0, 1) : s.length === 2 ? digits(s, 0, 2) : -1;
  if (d >= 0) return d;
  return /^\s*\d{1,2}\s*$/.test(s) ? Number(s) : null;
}

/** xs:boolean true. */
function isTrue(s: string): boolean {
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  return /^\s*(true|1)\s*$/.test(s);
}

export function indexFields(m: ReadAuditMessage, fallbackTime: string): AuditIndexFields {
  const outcome = small(m.outcome);
  const agents: AuditAgent[] = m.participants.map((p) => ({
    userId: p.userId,
    userName: p.userName,
    altUserId: p.altUserId,
    networkAccessPoint: p.networkAccessPointId,
    requestor: isTrue(p.requestor),
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
