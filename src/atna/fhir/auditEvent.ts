/**
 * A stored audit event as a FHIR R4 AuditEvent (ITI-81), following the DICOM to FHIR mapping of the
 * AuditEvent resource (FHIR R4 AuditEvent mappings, DICOM column) that the IHE RESTful ATNA profile
 * adopts: EventID -> type, EventTypeCode -> subtype, EventActionCode -> action, EventDateTime ->
 * recorded, EventOutcomeIndicator -> outcome, EventOutcomeDescription -> outcomeDesc, PurposeOfUse ->
 * purposeOfEvent; ActiveParticipant -> agent (UserID -> who.identifier, AlternativeUserID -> altId,
 * UserName -> name, UserIsRequestor -> requestor, RoleIDCode -> type/role, NetworkAccessPoint ->
 * network, MediaType -> media); AuditSourceIdentification -> source (AuditSourceID -> observer,
 * AuditEnterpriseSiteID -> site, AuditSourceTypeCode -> type); ParticipantObjectIdentification ->
 * entity (ParticipantObjectID -> what.identifier, TypeCode -> type, TypeCodeRole -> role,
 * DataLifeCycle -> lifecycle, Sensitivity -> securityLabel, Name -> name, Query -> query, Detail ->
 * detail).
 */
import type { AuditEvent, AuditEventAgent, AuditEventEntity, CodeableConcept, Coding, Identifier, Meta } from 'fhir/r4.js';
import type { StoredAuditRecord } from '../../store/types.ts';
import type { ReadAuditMessage, ReadDescription } from '../dicom/model.ts';
import { coding, DCM } from './codeSystems.ts';

const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const LIFECYCLE = 'http://terminology.hl7.org/CodeSystem/dicom-audit-lifecycle';
const SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
/** The participation roles of DICOM (Application, Launcher, Destination, Source, media): agent.type. */
const PARTICIPATION = new Set(['110150', '110151', '110152', '110153', '110154', '110155']);

const concept = (c: Coding): CodeableConcept => ({ coding: [c] });
const isTrue = (v: string) => /^\s*(true|1)\s*$/.test(v);

/** A CX (id^^^namespace&OID&ISO) as an identifier: the OID as system when there is one. */
export function cxIdentifier(cx: string): Identifier {
  const parts = cx.split('^');
  const hd = (parts[3] ?? '').split('&');
  if (parts.length >= 4 && hd[1]) return { system: `urn:oid:${hd[1]}`, value: parts[0] };
  return { value: cx };
}

function description(d: ReadDescription): string {
  const parts = [
    ...d.mpps.map((u) => `MPPS ${u}`),
    ...d.accessions.map((a) => `Accession ${a}`),
    ...d.sopClasses.map((c) => `SOP Class ${c.uid} (${c.numberOfInstances} instances)`),
    ...d.studies.map((s) => `Study ${s}`),
    ...(d.encrypted !== undefined ? [`Encrypted ${d.encrypted}`] : []),
    ...(d.anonymized !== undefined ? [`Anonymized ${d.anonymized}`] : []),
  ];
  return parts.join('; ');
}

/** Tag systems of this server: the node a received event came from, and the result of checking its source. */
export const RECEIVED_FROM = 'urn:hie:atna:received-from';
export const SENDER_CHECK = 'urn:hie:atna:sender-check';
const UNCERTREL: Coding = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'UNCERTREL', display: 'uncertain reliability' };
const SENDER_CHECK_DISPLAY = { 'source-not-sender': 'AuditSourceID is not one of the sending node\'s', 'unknown-sender': 'sent by a peer that matched no configured node' } as const;

/**
 * Resource.meta of a stored event: when it was recorded; the security label UNCERTREL (uncertain
 * reliability, HL7 v3 ObservationValue) for a message kept although it failed validation or whose
 * source is not its sender's; and as meta.tag (FHIR R4 Resource.meta.tag, workflow tags with no
 * effect on the resource's meaning) the node it came from and why its source is in doubt.
 */
export function metaOf(r: StoredAuditRecord): Meta {
  const tags: Coding[] = [
    ...(r.sender ? [{ system: RECEIVED_FROM, code: r.sender, display: `received from node ${r.sender}` }] : []),
    ...(r.senderMark ? [{ system: SENDER_CHECK, code: r.senderMark, display: SENDER_CHECK_DISPLAY[r.senderMark] }] : []),
  ];
  const doubtful = r.status === 'invalid' || !!r.senderMark;
  return { lastUpdated: r.recordedAt, ...(doubtful ? { security: [UNCERTREL] } : {}), ...(tags.length ? { tag: tags } : {}) };
}

export function dicomToAuditEvent(m: ReadAuditMessage, r: StoredAuditRecord): AuditEvent {
  const agents: AuditEventAgent[] = m.participants.map((p) => {
    const participation = p.roles.filter((c) => PARTICIPATION.has(c.code) && (c.codeSystemName === 'DCM' || !c.codeSystemName));
    const roles = p.roles.filter((c) => !participation.includes(c));
    const agent: AuditEventAgent = {
      ...(participation.length ? { type: { coding: participation.map((c) => coding(c, DCM)) } } : {}),
      ...(roles.length ? { role: roles.map((c) => concept(coding(c))) } : {}),
      who: { identifier: { value: p.userId || 'unknown' } },
      ...(p.altUserId ? { altId: p.altUserId } : {}),
      ...(p.userName ? { name: p.userName } : {}),
      requestor: isTrue(p.requestor),
      ...(p.media ? { media: coding(p.media) } : {}),
    };
    if (p.networkAccessPointId) {
      agent.network = { address: p.networkAccessPointId, ...(/^[1-5]$/.test(p.networkAccessPointTypeCode.trim()) ? { type: p.networkAccessPointTypeCode.trim() as '1' } : {}) };
    }
    return agent;
  });
  const entities: AuditEventEntity[] = m.objects.map((o) => {
    const e: AuditEventEntity = {};
    if (o.id) {
      const identifier = o.typeCode.trim() === '1' ? cxIdentifier(o.id) : { value: o.id };
      if (o.idTypeCode) identifier.type = concept(coding(o.idTypeCode));
      e.what = { identifier, ...(identifier.value !== o.id ? { display: o.id } : {}) };
    } else if (o.idTypeCode) e.what = { identifier: { type: concept(coding(o.idTypeCode)) } };
    if (o.typeCode.trim()) e.type = { system: ENTITY_TYPE, code: o.typeCode.trim() };
    if (o.typeCodeRole.trim()) e.role = { system: OBJECT_ROLE, code: o.typeCodeRole.trim() };
    if (o.dataLifeCycle.trim()) e.lifecycle = { system: LIFECYCLE, code: o.dataLifeCycle.trim() };
    if (o.sensitivity) e.securityLabel = [{ code: o.sensitivity }];
    if (o.name) e.name = o.name;
    const descriptions = o.descriptions.map(description).filter(Boolean);
    if (descriptions.length) e.description = descriptions.join(' | ');
    if (o.query) e.query = o.query;
    if (o.details.length) e.detail = o.details.map((d) => ({ type: d.type, valueBase64Binary: d.value.replace(/\s+/g, '') }));
    return e;
  });
  const action = m.actionCode.trim();
  const outcome = m.outcome.trim();
  return {
    resourceType: 'AuditEvent',
    id: String(r.id),
    meta: metaOf(r),
    type: m.eventId ? coding(m.eventId, DCM) : { code: r.eventId || 'unknown' },
    ...(m.eventTypes.length ? { subtype: m.eventTypes.map((c) => coding(c)) } : {}),
    ...(/^[CRUDE]$/.test(action) ? { action: action as 'E' } : {}),
    recorded: r.eventTime,
    ...(/^(0|4|8|12)$/.test(outcome) ? { outcome: outcome as '0' } : {}),
    ...(m.outcomeDescription ? { outcomeDesc: m.outcomeDescription } : {}),
    ...(m.purposeOfUse.length ? { purposeOfEvent: m.purposeOfUse.map((c) => concept(coding(c))) } : {}),
    agent: agents.length ? agents : [{ requestor: false, who: { display: 'unknown' } }],
    source: {
      ...(m.source.enterpriseSiteId ? { site: m.source.enterpriseSiteId } : {}),
      observer: { identifier: { value: m.source.id || 'unknown' }, display: m.source.id || 'unknown' },
      // Codes 1-9 are the audit source types of RFC 3881 / DICOM CID 20, FHIR's security-source-type.
      ...(m.source.types.length
        ? { type: m.source.types.map((c) => (/^[1-9]$/.test(c.code.trim()) ? { system: SOURCE_TYPE, code: c.code.trim(), ...(c.originalText ? { display: c.originalText } : {}) } : coding(c))) }
        : {}),
    },
    ...(entities.length ? { entity: entities } : {}),
  };
}
