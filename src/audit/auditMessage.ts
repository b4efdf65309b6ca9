/**
 * The DICOM audit message (DICOM PS3.15 A.5.1), as IHE ATNA (ITI-20) requires it, and its XML form.
 * Element order and attribute names follow the DICOM schema (dicom2017c.xsd).
 */
export interface CodedValue {
  code: string;
  codeSystemName: string;
  originalText: string;
  displayName?: string;
}

export type EventActionCode = 'C' | 'R' | 'U' | 'D' | 'E';
/** 0 success, 4 minor failure, 8 serious failure, 12 major failure. */
export type EventOutcome = 0 | 4 | 8 | 12;

export interface ActiveParticipant {
  userId: string;
  alternativeUserId?: string;
  userName?: string;
  userIsRequestor: boolean;
  roleIdCodes: CodedValue[];
  networkAccessPointId?: string;
  /** 1 machine name, 2 IP address, 5 URI. */
  networkAccessPointTypeCode?: '1' | '2' | '5';
}

export interface ParticipantObject {
  id: string;
  /** 1 person, 2 system object, 3 organization, 4 other. */
  typeCode: 1 | 2 | 3 | 4;
  typeCodeRole?: number;
  dataLifeCycle?: number;
  idTypeCode: CodedValue;
  name?: string;
  /** Base64 of the query, for query participant objects. */
  query?: string;
  details?: { type: string; value: string }[];
}

export interface AuditMessage {
  eventId: CodedValue;
  eventActionCode: EventActionCode;
  eventDateTime: string;
  eventOutcome: EventOutcome;
  eventTypeCodes: CodedValue[];
  eventOutcomeDescription?: string;
  purposeOfUse?: CodedValue[];
  participants: ActiveParticipant[];
  source: { id: string; enterpriseSiteId?: string; typeCodes: CodedValue[] };
  objects: ParticipantObject[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes markup; characters XML 1.0 cannot carry (C0 controls but tab, LF, CR) become U+FFFD. */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"'\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g, (c) => ESCAPES[c] ?? '\uFFFD');
}

function attrs(pairs: [string, string | number | boolean | undefined][]): string {
  return pairs
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');
}

function coded(element: string, c: CodedValue): string {
  return `<${element}${attrs([
    ['csd-code', c.code],
    ['codeSystemName', c.codeSystemName],
    ['displayName', c.displayName],
    ['originalText', c.originalText],
  ])}/>`;
}

export function auditMessageXml(m: AuditMessage): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<AuditMessage>'];
  out.push(
    `<EventIdentification${attrs([
      ['EventActionCode', m.eventActionCode],
      ['EventDateTime', m.eventDateTime],
      ['EventOutcomeIndicator', m.eventOutcome],
    ])}>`,
    coded('EventID', m.eventId),
    ...m.eventTypeCodes.map((c) => coded('EventTypeCode', c)),
  );
  if (m.eventOutcomeDescription) out.push(`<EventOutcomeDescription>${xmlEscape(m.eventOutcomeDescription)}</EventOutcomeDescription>`);
  for (const p of m.purposeOfUse ?? []) out.push(coded('PurposeOfUse', p));
  out.push('</EventIdentification>');
  for (const p of m.participants) {
    out.push(
      `<ActiveParticipant${attrs([
        ['UserID', p.userId],
        ['AlternativeUserID', p.alternativeUserId],
        ['UserName', p.userName],
        ['UserIsRequestor', p.userIsRequestor],
        ['NetworkAccessPointID', p.networkAccessPointId],
        ['NetworkAccessPointTypeCode', p.networkAccessPointId ? p.networkAccessPointTypeCode : undefined],
      ])}>`,
      ...p.roleIdCodes.map((c) => coded('RoleIDCode', c)),
      '</ActiveParticipant>',
    );
  }
  out.push(
    `<AuditSourceIdentification${attrs([
      ['AuditEnterpriseSiteID', m.source.enterpriseSiteId],
      ['AuditSourceID', m.source.id],
    ])}>`,
    ...m.source.typeCodes.map((c) => coded('AuditSourceTypeCode', c)),
    '</AuditSourceIdentification>',
  );
  for (const o of m.objects) {
    out.push(
      `<ParticipantObjectIdentification${attrs([
        ['ParticipantObjectID', o.id],
        ['ParticipantObjectTypeCode', o.typeCode],
        ['ParticipantObjectTypeCodeRole', o.typeCodeRole],
        ['ParticipantObjectDataLifeCycle', o.dataLifeCycle],
      ])}>`,
      coded('ParticipantObjectIDTypeCode', o.idTypeCode),
    );
    if (o.name) out.push(`<ParticipantObjectName>${xmlEscape(o.name)}</ParticipantObjectName>`);
    else if (o.query) out.push(`<ParticipantObjectQuery>${o.query}</ParticipantObjectQuery>`);
    for (const d of o.details ?? []) out.push(`<ParticipantObjectDetail${attrs([['type', d.type], ['value', d.value]])}/>`);
    out.push('</ParticipantObjectIdentification>');
  }
  out.push('</AuditMessage>');
  return out.join('\n');
}
