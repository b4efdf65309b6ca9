/**
 * DocumentEntry <-> DocumentReference, the MHD mapping (IHE.MHD.Minimal.DocumentReference mappings,
 * ITI TF-3 4.5.1.1): uniqueId as masterIdentifier, entryUUID and uniqueId as typed identifiers,
 * availabilityStatus as status, the codes (classCode category, typeCode type, confidentialityCode
 * securityLabel, eventCodeList context.event, formatCode content.format, healthcareFacilityTypeCode
 * context.facilityType, practiceSettingCode context.practiceSetting), creationTime, service times as
 * context.period, author / legalAuthenticator / sourcePatientInfo contained, mimeType, languageCode,
 * title, size and hash (base64 of the SHA-1 digest in FHIR, hex in XDS, 4.5.1.2) in the attachment,
 * whose url is the Retrieve Document [ITI-68] URL; referenceIdList as context.related (and
 * context.encounter for an encounterId); associations as relatesTo.
 */
import type { CodeableConcept, DocumentReference, DocumentReferenceRelatesTo, Identifier, Patient, Reference } from 'fhir/r4.js';
import { registryObject, slotValue, slotValues, type Classification, type ExternalIdentifier, type ExtrinsicObject, type Slot } from '../../ebxml/rim.ts';
import { externalId } from '../../xds/registry/metadata.ts';
import { AssociationTypes, DocumentEntrySchemes, ObjectTypes, Status } from '../../xds/registry/schemes.ts';
import type { PatientReferences } from './patientReference.ts';
import { authorResources, authorSlotsOf, practitionerOfXcn, sourcePatient, sourcePatientSlots, xcnOf, type Contained } from './persons.ts';
import {
  codingOf,
  conceptOf,
  dtmOfFhir,
  entryUuidIdentifier,
  escapeHl7,
  fhirOfDtm,
  firstCoding,
  identifierOfUniqueId,
  schemeOfSystem,
  subcomponentsOf,
  uniqueIdOfIdentifier,
  uniqueIdTyped,
  componentsOf,
  RFC3986,
} from './values.ts';

export const REFERENCE_ID_LIST = 'urn:ihe:iti:xds:2013:referenceIdList';
const ENCOUNTER_ID = 'urn:ihe:iti:xds:2015:encounterId';

/** XDS association types and DocumentReference.relatesTo codes (ConceptMap AssociationTypeVsRelatesTo). */
export const RELATES_TO_CODE: Record<string, DocumentReferenceRelatesTo['code']> = {
  [AssociationTypes.rplc]: 'replaces',
  [AssociationTypes.xfrm]: 'transforms',
  [AssociationTypes.apnd]: 'appends',
  [AssociationTypes.xfrmRplc]: 'replaces',
  [AssociationTypes.signs]: 'signs',
  [AssociationTypes.isSnapshotOf]: 'transforms',
};
export const ASSOCIATION_OF_CODE: Record<string, string> = { replaces: AssociationTypes.rplc, transforms: AssociationTypes.xfrm, appends: AssociationTypes.apnd, signs: AssociationTypes.signs };

/** availabilityStatus <-> status (ITI TF-2 Table 2:3.67.4.1.3.1-2). */
export const FHIR_STATUS: Record<string, 'current' | 'superseded'> = { [Status.approved]: 'current', [Status.deprecated]: 'superseded' };
export const XDS_STATUS: Record<string, string> = { current: Status.approved, superseded: Status.deprecated };

/** The FHIR id of a registry object: its entryUUID without urn:uuid:. */
export const fhirIdOf = (entryUuid: string) => entryUuid.replace(/^urn:uuid:/, '');

const codes = (o: ExtrinsicObject, scheme: string) => o.classifications.filter((c) => c.classificationScheme === scheme);
const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/** A CXi of referenceIdList (ITI TF-3 4.2.3.1.7: id^^^&OID&ISO^type) as an Identifier. */
function identifierOfCxi(cxi: string): Identifier {
  const raw = cxi.split('^');
  const c = componentsOf(cxi);
  const [, oid] = subcomponentsOf(raw[3] ?? '');
  return { ...(c[4] ? { type: { coding: [{ system: RFC3986, code: c[4] }] } } : {}), ...(oid ? { system: `urn:oid:${oid}` } : {}), value: c[0] };
}

function cxiOf(i: Identifier, type?: string): string | undefined {
  if (!i.value) return undefined;
  const t = type ?? i.type?.coding?.find((c) => c.system === RFC3986)?.code;
  const aa = i.system?.startsWith('urn:oid:') ? `&${i.system.slice(8)}&ISO` : '';
  return `${escapeHl7(i.value)}^^^${aa}${t ? `^${t}` : ''}`;
}

export interface ToDocumentReference {
  patients: PatientReferences;
  /** The Retrieve Document [ITI-68] URL of the document of this entry. */
  documentUrl(entryUuid: string): string;
  /** Associations from this entry to others, as registered. */
  relatesTo?: { associationType: string; targetUuid: string }[];
}

/** A registered DocumentEntry as a DocumentReference (Find Document References [ITI-67] answers). */
export function documentReferenceOf(e: ExtrinsicObject, o: ToDocumentReference): DocumentReference {
  const contained: Contained[] = [];
  const authors: Reference[] = [];
  codes(e, DocumentEntrySchemes.author).forEach((c, i) => {
    for (const a of authorResources(c, `author${i + 1}`)) {
      authors.push(a.reference);
      contained.push(...a.contained);
    }
  });
  const legal = slotValue(e, 'legalAuthenticator');
  if (legal) contained.push(practitionerOfXcn(legal, 'authenticator'));
  const spId = slotValue(e, 'sourcePatientId');
  const spInfo = slotValues(e, 'sourcePatientInfo') ?? [];
  if (spId || spInfo.length) contained.push(sourcePatient(spId, spInfo, 'sourcePatient'));

  const uid = externalId(e, DocumentEntrySchemes.uniqueId) ?? '';
  const one = (scheme: string) => codes(e, scheme)[0];
  const hash = slotValue(e, 'hash');
  const size = slotValue(e, 'size');
  const start = fhirOfDtm(slotValue(e, 'serviceStartTime'));
  const end = fhirOfDtm(slotValue(e, 'serviceStopTime'));
  const refs = slotValues(e, REFERENCE_ID_LIST) ?? [];
  const encounter = refs.filter((r) => r.split('^')[4] === ENCOUNTER_ID).map((r) => ({ identifier: identifierOfCxi(r) }));
  const related = refs.filter((r) => r.split('^')[4] !== ENCOUNTER_ID).map((r) => ({ identifier: identifierOfCxi(r) }));
  const facility = one(DocumentEntrySchemes.healthcareFacilityTypeCode);
  const setting = one(DocumentEntrySchemes.practiceSettingCode);
  const events = codes(e, DocumentEntrySchemes.eventCodeList);
  const context = {
    ...(encounter.length ? { encounter } : {}),
    ...(events.length ? { event: events.map(conceptOf) } : {}),
    ...(start || end ? { period: { ...(start ? { start } : {}), ...(end ? { end } : {}) } } : {}),
    ...(facility ? { facilityType: conceptOf(facility) } : {}),
    ...(setting ? { practiceSetting: conceptOf(setting) } : {}),
    ...(spId || spInfo.length ? { sourcePatientInfo: { reference: '#sourcePatient' } } : {}),
    ...(related.length ? { related } : {}),
  };
  const type = one(DocumentEntrySchemes.typeCode);
  const category = one(DocumentEntrySchemes.classCode);
  const format = one(DocumentEntrySchemes.formatCode);
  const title = e.name[0]?.value;
  const description = e.description[0]?.value;
  const subject = o.patients.referenceOf(externalId(e, DocumentEntrySchemes.patientId));
  const relatesTo = (o.relatesTo ?? [])
    .filter((r) => RELATES_TO_CODE[r.associationType])
    .map((r) => ({ code: RELATES_TO_CODE[r.associationType], target: { reference: `DocumentReference/${fhirIdOf(r.targetUuid)}` } }));
  return {
    resourceType: 'DocumentReference',
    id: fhirIdOf(e.id),
    ...(contained.length ? { contained: contained as DocumentReference['contained'] } : {}),
    masterIdentifier: identifierOfUniqueId(uid),
    identifier: [entryUuidIdentifier(e.id), uniqueIdTyped(uid)],
    status: FHIR_STATUS[e.status ?? ''] ?? 'current',
    ...(type ? { type: conceptOf(type) } : {}),
    ...(category ? { category: [conceptOf(category)] } : {}),
    ...(subject ? { subject } : {}),
    ...(authors.length ? { author: authors } : {}),
    ...(legal ? { authenticator: { reference: '#authenticator' } } : {}),
    ...(relatesTo.length ? { relatesTo } : {}),
    ...(description ? { description } : {}),
    ...(codes(e, DocumentEntrySchemes.confidentialityCode).length ? { securityLabel: codes(e, DocumentEntrySchemes.confidentialityCode).map(conceptOf) } : {}),
    content: [
      {
        attachment: {
          contentType: e.mimeType ?? 'application/octet-stream',
          ...(slotValue(e, 'languageCode') ? { language: slotValue(e, 'languageCode') } : {}),
          url: o.documentUrl(e.id),
          ...(size !== undefined && /^\d+$/.test(size) ? { size: Number(size) } : {}),
          ...(hash && /^[0-9a-fA-F]{40}$/.test(hash) ? { hash: hexToBase64(hash) } : {}),
          ...(title ? { title } : {}),
          ...(fhirOfDtm(slotValue(e, 'creationTime')) ? { creation: fhirOfDtm(slotValue(e, 'creationTime')) } : {}),
        },
        ...(format ? { format: codingOf(format) } : {}),
      },
    ],
    ...(Object.keys(context).length ? { context } : {}),
  };
}

/** A mapping problem of one element: the message, and the FHIRPath of the element. */
export interface MappingIssue {
  message: string;
  expression: string;
}

export interface FromDocumentReference {
  /** The DocumentEntry's id (its entryUUID). */
  id: string;
  /** The patientId of the submission (the SubmissionSet's subject). */
  patientId: string;
  /** The FHIRPath of the resource, for the issues found (`Bundle.entry[2].resource`). */
  path: string;
}

const classification = (id: string, scheme: string, object: string, code: string, system: string, display?: string): Classification =>
  registryObject<Classification>(id, {
    type: 'Classification',
    classificationScheme: scheme,
    classifiedObject: object,
    nodeRepresentation: code,
    slots: [{ name: 'codingScheme', values: [schemeOfSystem(system)] }],
    name: display ? [{ value: display }] : [],
  });

const externalIdentifier = (id: string, scheme: string, object: string, value: string, label: string): ExternalIdentifier =>
  registryObject<ExternalIdentifier>(id, { type: 'ExternalIdentifier', identificationScheme: scheme, registryObject: object, value, name: [{ value: label }] });

/** Resolves `#id` among the contained resources. */
export const containedLookup = (contained: unknown[] | undefined) => (ref: string | undefined) =>
  ref?.startsWith('#') ? (contained as Contained[] | undefined)?.find((c) => c.id === ref.slice(1)) : undefined;

/**
 * A DocumentReference of a Provide Document Bundle [ITI-65] as a DocumentEntry (Comprehensive
 * Metadata: contained author, authenticator and sourcePatientInfo). Attributes the registry checks
 * (required codes, times, sourcePatientId) are mapped as given and left to its validation; what has
 * no XDS form is an issue.
 */
export function documentEntryOf(dr: DocumentReference, o: FromDocumentReference): { entry: ExtrinsicObject; issues: MappingIssue[] } {
  const issues: MappingIssue[] = [];
  const at = (p: string) => `${o.path}.${p}`;
  const issue = (p: string, message: string) => issues.push({ message, expression: at(p) });
  const lookup = containedLookup(dr.contained);
  const id = o.id;
  const classifications: Classification[] = [];
  const code = (scheme: string, cc: CodeableConcept | undefined, p: string, suffix: string) => {
    if (!cc) return;
    const c = firstCoding(cc);
    if (!c) return issue(p, `${p} needs a coding with a system and a code (an XDS code has a codingScheme)`);
    classifications.push(classification(`${id}-${suffix}`, scheme, id, c.code!, c.system!, c.display));
  };
  code(DocumentEntrySchemes.classCode, dr.category?.[0], 'category[0]', 'class');
  if ((dr.category?.length ?? 0) > 1) issue('category', 'XDS classCode has one value: give one category');
  code(DocumentEntrySchemes.typeCode, dr.type, 'type', 'type');
  (dr.securityLabel ?? []).forEach((s, i) => code(DocumentEntrySchemes.confidentialityCode, s, `securityLabel[${i}]`, `conf${i}`));
  (dr.context?.event ?? []).forEach((s, i) => code(DocumentEntrySchemes.eventCodeList, s, `context.event[${i}]`, `event${i}`));
  code(DocumentEntrySchemes.healthcareFacilityTypeCode, dr.context?.facilityType, 'context.facilityType', 'facility');
  code(DocumentEntrySchemes.practiceSettingCode, dr.context?.practiceSetting, 'context.practiceSetting', 'practice');

  if (dr.content.length !== 1) issue('content', 'MHD carries one content element per DocumentReference (IHE.MHD.Minimal.DocumentReference content 1..1)');
  const content = dr.content[0];
  const att = content?.attachment ?? {};
  if (content?.format) {
    if (!content.format.system || !content.format.code) issue('content[0].format', 'content.format needs a system and a code');
    else classifications.push(classification(`${id}-format`, DocumentEntrySchemes.formatCode, id, content.format.code, content.format.system, content.format.display));
  }

  (dr.author ?? []).forEach((ref, i) => {
    const slots = authorSlotsOf(lookup(ref.reference), lookup);
    if (typeof slots === 'string') return issue(`author[${i}]`, slots);
    const s: Slot[] = [];
    if (slots.authorPerson) s.push({ name: 'authorPerson', values: [slots.authorPerson] });
    for (const k of ['authorInstitution', 'authorRole', 'authorSpecialty', 'authorTelecommunication'] as const) if (slots[k].length) s.push({ name: k, values: slots[k] });
    classifications.push(registryObject<Classification>(`${id}-author${i}`, { type: 'Classification', classificationScheme: DocumentEntrySchemes.author, classifiedObject: id, nodeRepresentation: '', slots: s }));
  });

  const slots: Slot[] = [];
  const slot = (name: string, values: (string | undefined)[]) => {
    const v = values.filter((x): x is string => x !== undefined && x !== '');
    if (v.length) slots.push({ name, values: v });
  };
  const time = (name: string, v: string | undefined, p: string) => {
    if (v === undefined) return;
    const dtm = dtmOfFhir(v);
    if (!dtm) return issue(p, `${p} '${v}' is not a FHIR date or dateTime with a time zone`);
    slot(name, [dtm]);
  };
  time('creationTime', att.creation, 'content[0].attachment.creation');
  slot('languageCode', [att.language]);
  time('serviceStartTime', dr.context?.period?.start, 'context.period.start');
  time('serviceStopTime', dr.context?.period?.end, 'context.period.end');
  if (dr.authenticator) {
    const a = lookup(dr.authenticator.reference);
    if (a?.resourceType !== 'Practitioner') issue('authenticator', 'authenticator must name a contained Practitioner (legalAuthenticator is an XCN)');
    else slot('legalAuthenticator', [xcnOf(a as never)]);
  }
  if (dr.context?.sourcePatientInfo) {
    const p = lookup(dr.context.sourcePatientInfo.reference);
    if (p?.resourceType !== 'Patient') issue('context.sourcePatientInfo', 'sourcePatientInfo must name a contained Patient (ITI TF-2 3.65.4.1.2.2)');
    else {
      const sp = sourcePatientSlots(p as Patient);
      slot('sourcePatientId', [sp.sourcePatientId]);
      slot('sourcePatientInfo', sp.sourcePatientInfo);
    }
  }
  if (att.hash !== undefined) {
    const raw = Buffer.from(att.hash, 'base64');
    if (raw.length !== 20 || raw.toString('base64') !== att.hash) issue('content[0].attachment.hash', 'attachment.hash must be the base64 of a SHA-1 digest (20 bytes)');
    else slot('hash', [raw.toString('hex')]);
  }
  if (att.size !== undefined) slot('size', [String(att.size)]);
  const references = [
    ...(dr.context?.encounter ?? []).map((r, i) => (r.identifier ? cxiOf(r.identifier, ENCOUNTER_ID) : (issue(`context.encounter[${i}]`, 'an encounter is given by identifier (referenceIdList CXi)'), undefined))),
    ...(dr.context?.related ?? []).map((r, i) => (r.identifier ? cxiOf(r.identifier) : (issue(`context.related[${i}]`, 'a related item is given by identifier (referenceIdList CXi)'), undefined))),
  ];
  slot(REFERENCE_ID_LIST, references);

  const uniqueId = dr.masterIdentifier ? uniqueIdOfIdentifier(dr.masterIdentifier) : undefined;
  if (!uniqueId) issue('masterIdentifier', 'masterIdentifier (the document uniqueId) is required: an OID or UUID as urn:ietf:rfc:3986, or urn:oid:root with an extension');
  if (dr.status !== 'current') issue('status', `a provided DocumentReference is current, not ${dr.status}`);
  if (att.data !== undefined) issue('content[0].attachment.data', 'attachment.data is not allowed (MHD: the document is a Binary that attachment.url names)');
  if (!att.contentType) issue('content[0].attachment.contentType', 'attachment.contentType (the mimeType) is required');

  const entry = registryObject<ExtrinsicObject>(id, {
    type: 'ExtrinsicObject',
    objectType: ObjectTypes.stableDocument,
    mimeType: att.contentType,
    name: att.title ? [{ value: att.title }] : [],
    description: dr.description ? [{ value: dr.description }] : [],
    slots,
    classifications,
    externalIdentifiers: [
      externalIdentifier(`${id}-patientId`, DocumentEntrySchemes.patientId, id, o.patientId, 'XDSDocumentEntry.patientId'),
      ...(uniqueId ? [externalIdentifier(`${id}-uniqueId`, DocumentEntrySchemes.uniqueId, id, uniqueId, 'XDSDocumentEntry.uniqueId')] : []),
    ],
  });
  return { entry, issues };
}
