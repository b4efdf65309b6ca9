/**
 * The XDS metadata of clinical HL7 v2 messages shared as documents (ITI TF-3 4.3.1, the attributes a
 * Provide and Register request carries): a DocumentEntry per message whose content is the message
 * itself, their SubmissionSet, the HasMember associations and, for a newer version, RPLC to the older.
 * Codes come from the data type table (dataTypes.ts); identifiers are derived from the source so that
 * the same file always yields the same uniqueIds.
 */
import { createHash } from 'node:crypto';
import { registryObject, type Association, type Classification, type ExternalIdentifier, type ExtrinsicObject, type Identifiable, type RegistryPackage } from '../ebxml/rim.ts';
import { AssociationTypes, DocumentEntrySchemes, ObjectTypes, SubmissionSetSchemes } from '../xds/registry/schemes.ts';
import { CLASS_TITLES, CodeSystems, formatCodeOf, HL7V2_MIME_TYPE, type DataType } from './ssmix2/dataTypes.ts';

export interface Code {
  code: string;
  codingScheme: string;
  displayName: string;
}

/** One document of a submission. */
export interface ClinicalDocumentMetadata {
  dataType: DataType;
  /** Local patient ID in the facility's assigning authority, as CX. */
  sourcePatientId: string;
  /** sourcePatientInfo values (PID-5|..., PID-7|..., PID-8|...). */
  sourcePatientInfo: string[];
  uniqueId: string;
  /** DTM, UTC. */
  creationTime: string;
  serviceStartTime?: string;
  department: string;
  /** entryUUID of the DocumentEntry this one replaces. */
  replaces?: string;
}

/** What the documents of one submission share. */
export interface ClinicalSubmissionMetadata {
  /** Regional (affinity domain) patient ID as CX: id^^^&OID&ISO. */
  patientId: string;
  /** The facility: its OID is the SubmissionSet's sourceId, its name the author institution. */
  facility: { namespace: string; oid: string };
  submissionSetUniqueId: string;
  healthcareFacilityType: Code;
}

const ja = (value: string) => [{ value, lang: 'ja' }];

function classification(id: string, scheme: string, object: string, c: Code): Classification {
  return registryObject<Classification>(id, {
    type: 'Classification',
    classificationScheme: scheme,
    classifiedObject: object,
    nodeRepresentation: c.code,
    slots: [{ name: 'codingScheme', values: [c.codingScheme] }],
    name: ja(c.displayName),
  });
}

function externalIdentifier(id: string, scheme: string, object: string, value: string, label: string): ExternalIdentifier {
  return registryObject<ExternalIdentifier>(id, { type: 'ExternalIdentifier', identificationScheme: scheme, registryObject: object, value, name: [{ value: label }] });
}

/** Document and submission set uniqueIds under `root`, from a digest of where the message came from and what it holds. */
export function derivedUniqueIds(root: string, ...parts: string[]): { document: string; submissionSet: string } {
  const digest = createHash('sha1').update(parts.join('\0')).digest('hex');
  const n = BigInt(`0x${digest.slice(0, 30)}`).toString();
  return { document: `${root}.1.${n}`, submissionSet: `${root}.2.${n}` };
}

/** A UUID (urn:uuid:, version 5 layout) derived from a name: the same document always gets the same entryUUID. */
export function derivedUuid(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('\0')).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function departmentCode(department: string): Code {
  return department === '-'
    ? { code: '-', codingScheme: CodeSystems.practiceSetting, displayName: '診療科指定なし' }
    : { code: department, codingScheme: CodeSystems.practiceSetting, displayName: `診療科 ${department}` };
}

export function documentClassCode(dt: DataType): Code {
  return { code: dt.documentClass, codingScheme: CodeSystems.classCode, displayName: CLASS_TITLES[dt.documentClass] };
}

/** The SubmissionSet's contentTypeCode: a submission of SS-MIX2 standardized storage data. */
export const SSMIX2_CONTENT_TYPE: Code = { code: 'ss-mix2-storage', codingScheme: CodeSystems.classCode, displayName: 'SS-MIX2 標準化ストレージ' };

function documentEntry(d: ClinicalDocumentMetadata, s: ClinicalSubmissionMetadata, id: string): ExtrinsicObject {
  const dt = d.dataType;
  const c = (suffix: string, scheme: string, code: Code) => classification(`${id}-${suffix}`, scheme, id, code);
  return registryObject<ExtrinsicObject>(id, {
    type: 'ExtrinsicObject',
    objectType: ObjectTypes.stableDocument,
    mimeType: HL7V2_MIME_TYPE,
    name: ja(dt.title),
    slots: [
      { name: 'creationTime', values: [d.creationTime] },
      { name: 'languageCode', values: ['ja-JP'] },
      ...(d.serviceStartTime ? [{ name: 'serviceStartTime', values: [d.serviceStartTime] }] : []),
      { name: 'sourcePatientId', values: [d.sourcePatientId] },
      ...(d.sourcePatientInfo.length ? [{ name: 'sourcePatientInfo', values: d.sourcePatientInfo }] : []),
    ],
    classifications: [
      registryObject<Classification>(`${id}-author`, {
        type: 'Classification',
        classificationScheme: DocumentEntrySchemes.author,
        classifiedObject: id,
        nodeRepresentation: '',
        slots: [{ name: 'authorInstitution', values: [`${s.facility.namespace}^^^^^^^^^${s.facility.oid}`] }],
      }),
      c('class', DocumentEntrySchemes.classCode, documentClassCode(dt)),
      c('conf', DocumentEntrySchemes.confidentialityCode, { code: 'N', codingScheme: '2.16.840.1.113883.5.25', displayName: 'normal' }),
      c('format', DocumentEntrySchemes.formatCode, { code: formatCodeOf(dt.code), codingScheme: CodeSystems.formatCode, displayName: `SS-MIX2 ${dt.code}` }),
      c('facility', DocumentEntrySchemes.healthcareFacilityTypeCode, s.healthcareFacilityType),
      c('practice', DocumentEntrySchemes.practiceSettingCode, departmentCode(d.department)),
      c('type', DocumentEntrySchemes.typeCode, { code: dt.code, codingScheme: CodeSystems.typeCode, displayName: dt.title }),
    ],
    externalIdentifiers: [
      externalIdentifier(`${id}-pid`, DocumentEntrySchemes.patientId, id, s.patientId, 'XDSDocumentEntry.patientId'),
      externalIdentifier(`${id}-uid`, DocumentEntrySchemes.uniqueId, id, d.uniqueId, 'XDSDocumentEntry.uniqueId'),
    ],
  });
}

/**
 * The objects of one Provide and Register submission: a SubmissionSet, its documents (symbolic ids
 * `Document1`, `Document2`, ... in order, unless entryUUIDs are given), HasMember for each and RPLC
 * where a document replaces one.
 */
export function submissionObjects(s: ClinicalSubmissionMetadata, docs: ClinicalDocumentMetadata[], submissionTime: string, entryUuids?: string[]): { objects: Identifiable[]; documentIds: string[] } {
  const ss = 'SubmissionSet';
  const set = registryObject<RegistryPackage>(ss, {
    type: 'RegistryPackage',
    name: ja('SS-MIX2'),
    slots: [{ name: 'submissionTime', values: [submissionTime] }],
    classifications: [
      registryObject<Classification>('ss-node', { type: 'Classification', classifiedObject: ss, classificationNode: ObjectTypes.submissionSet }),
      classification('ss-content', SubmissionSetSchemes.contentTypeCode, ss, SSMIX2_CONTENT_TYPE),
    ],
    externalIdentifiers: [
      externalIdentifier('ss-pid', SubmissionSetSchemes.patientId, ss, s.patientId, 'XDSSubmissionSet.patientId'),
      externalIdentifier('ss-src', SubmissionSetSchemes.sourceId, ss, s.facility.oid, 'XDSSubmissionSet.sourceId'),
      externalIdentifier('ss-uid', SubmissionSetSchemes.uniqueId, ss, s.submissionSetUniqueId, 'XDSSubmissionSet.uniqueId'),
    ],
  });
  const objects: Identifiable[] = [set];
  const documentIds: string[] = [];
  docs.forEach((d, i) => {
    const id = entryUuids?.[i] ?? `Document${i + 1}`;
    documentIds.push(id);
    objects.push(documentEntry(d, s, id));
    objects.push(
      registryObject<Association>(`${id}-member`, {
        type: 'Association',
        associationType: AssociationTypes.hasMember,
        sourceObject: ss,
        targetObject: id,
        slots: [{ name: 'SubmissionSetStatus', values: ['Original'] }],
      }),
    );
    if (d.replaces) objects.push(registryObject<Association>(`${id}-rplc`, { type: 'Association', associationType: AssociationTypes.rplc, sourceObject: id, targetObject: d.replaces }));
  });
  return { objects, documentIds };
}

/**
 * An HL7 v2 time of a Japanese hospital (local time, JST, unless it carries an offset) as an XDS DTM
 * in UTC (ITI TF-3 4.2.3.1.7: times are UTC). Values of day precision or less stay as they are.
 */
export function hl7TimeToUtcDtm(v: string, defaultOffset = '+0900'): string | undefined {
  const m = /^(\d{4,14})(?:\.\d+)?([+-]\d{4})?/.exec(v.trim());
  if (!m) return undefined;
  const digits = m[1];
  if (digits.length % 2 !== 0) return undefined;
  if (digits.length <= 8) return digits;
  const offset = m[2] ?? defaultOffset;
  const p = (i: number, n: number) => Number(digits.slice(i, i + n) || '0');
  const utc = Date.UTC(p(0, 4), p(4, 2) - 1, p(6, 2), p(8, 2), p(10, 2), p(12, 2));
  if (Number.isNaN(utc)) return undefined;
  const sign = offset[0] === '-' ? -1 : 1;
  const shifted = new Date(utc - sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5))) * 60_000);
  return shifted.toISOString().replace(/[-:T]/g, '').slice(0, digits.length);
}
