/**
 * The XDS metadata of one clinical HL7 v2 message shared as a document (ITI TF-3 4.3.1, the
 * attributes a Provide and Register request carries): a DocumentEntry whose content is the message
 * itself, its SubmissionSet, the HasMember association and, for a newer version, RPLC to the older.
 * Codes come from the data type table (dataTypes.ts); identifiers are derived from the source so that
 * the same file always yields the same uniqueIds.
 */
import { createHash } from 'node:crypto';
import { emptyBase, type Association, type Classification, type ExternalIdentifier, type ExtrinsicObject, type Identifiable, type RegistryPackage } from '../ebxml/rim.ts';
import { AssociationTypes, DocumentEntrySchemes, ObjectTypes, SubmissionSetSchemes } from '../xds/registry/schemes.ts';
import { CLASS_TITLES, CodeSystems, formatCodeOf, HL7V2_MIME_TYPE, type DataType } from './ssmix2/dataTypes.ts';

export interface Code {
  code: string;
  codingScheme: string;
  displayName: string;
}

export interface ClinicalDocumentMetadata {
  dataType: DataType;
  /** Regional (affinity domain) patient ID as CX: id^^^&OID&ISO. */
  patientId: string;
  /** Local patient ID in the facility's assigning authority, as CX. */
  sourcePatientId: string;
  /** sourcePatientInfo values (PID-5|..., PID-7|..., PID-8|...). */
  sourcePatientInfo: string[];
  /** The facility: its OID is the SubmissionSet's sourceId, its name the author institution. */
  facility: { namespace: string; oid: string };
  uniqueId: string;
  submissionSetUniqueId: string;
  /** DTM, UTC. */
  creationTime: string;
  serviceStartTime?: string;
  department: string;
  healthcareFacilityType: Code;
  /** entryUUID of the DocumentEntry this one replaces. */
  replaces?: string;
}

const ja = (value: string) => [{ value, lang: 'ja' }];

function classification(id: string, scheme: string, object: string, c: Code): Classification {
  return {
    ...emptyBase(id),
    type: 'Classification',
    classificationScheme: scheme,
    classifiedObject: object,
    nodeRepresentation: c.code,
    slots: [{ name: 'codingScheme', values: [c.codingScheme] }],
    name: ja(c.displayName),
  };
}

function externalIdentifier(id: string, scheme: string, object: string, value: string, label: string): ExternalIdentifier {
  return { ...emptyBase(id), type: 'ExternalIdentifier', identificationScheme: scheme, registryObject: object, value, name: [{ value: label }] };
}

/** Document and submission set uniqueIds under `root`, from a digest of where the message came from and what it holds. */
export function derivedUniqueIds(root: string, ...parts: string[]): { document: string; submissionSet: string } {
  const digest = createHash('sha1').update(parts.join('\0')).digest('hex');
  const n = BigInt(`0x${digest.slice(0, 30)}`).toString();
  return { document: `${root}.1.${n}`, submissionSet: `${root}.2.${n}` };
}

export function departmentCode(department: string): Code {
  return department === '-'
    ? { code: '-', codingScheme: CodeSystems.practiceSetting, displayName: '診療科指定なし' }
    : { code: department, codingScheme: CodeSystems.practiceSetting, displayName: `診療科 ${department}` };
}

export function documentClassCode(dt: DataType): Code {
  return { code: dt.documentClass, codingScheme: CodeSystems.classCode, displayName: CLASS_TITLES[dt.documentClass] };
}

export function clinicalDocumentObjects(m: ClinicalDocumentMetadata, submissionTime: string): Identifiable[] {
  const doc = 'Document01';
  const ss = 'SubmissionSet01';
  const dt = m.dataType;
  const author: Classification = {
    ...emptyBase('cl-author'),
    type: 'Classification',
    classificationScheme: DocumentEntrySchemes.author,
    classifiedObject: doc,
    nodeRepresentation: '',
    slots: [{ name: 'authorInstitution', values: [`${m.facility.namespace}^^^^^^^^^${m.facility.oid}`] }],
  };
  const entry: ExtrinsicObject = {
    ...emptyBase(doc),
    type: 'ExtrinsicObject',
    objectType: ObjectTypes.stableDocument,
    mimeType: HL7V2_MIME_TYPE,
    name: ja(dt.title),
    slots: [
      { name: 'creationTime', values: [m.creationTime] },
      { name: 'languageCode', values: ['ja-JP'] },
      ...(m.serviceStartTime ? [{ name: 'serviceStartTime', values: [m.serviceStartTime] }] : []),
      { name: 'sourcePatientId', values: [m.sourcePatientId] },
      ...(m.sourcePatientInfo.length ? [{ name: 'sourcePatientInfo', values: m.sourcePatientInfo }] : []),
    ],
    classifications: [
      author,
      classification('cl-class', DocumentEntrySchemes.classCode, doc, documentClassCode(dt)),
      classification('cl-conf', DocumentEntrySchemes.confidentialityCode, doc, { code: 'N', codingScheme: '2.16.840.1.113883.5.25', displayName: 'normal' }),
      classification('cl-format', DocumentEntrySchemes.formatCode, doc, { code: formatCodeOf(dt.code), codingScheme: CodeSystems.formatCode, displayName: `SS-MIX2 ${dt.code}` }),
      classification('cl-facility', DocumentEntrySchemes.healthcareFacilityTypeCode, doc, m.healthcareFacilityType),
      classification('cl-practice', DocumentEntrySchemes.practiceSettingCode, doc, departmentCode(m.department)),
      classification('cl-type', DocumentEntrySchemes.typeCode, doc, { code: dt.code, codingScheme: CodeSystems.typeCode, displayName: dt.title }),
    ],
    externalIdentifiers: [
      externalIdentifier('ei-pid', DocumentEntrySchemes.patientId, doc, m.patientId, 'XDSDocumentEntry.patientId'),
      externalIdentifier('ei-uid', DocumentEntrySchemes.uniqueId, doc, m.uniqueId, 'XDSDocumentEntry.uniqueId'),
    ],
  };
  const set: RegistryPackage = {
    ...emptyBase(ss),
    type: 'RegistryPackage',
    name: ja(`SS-MIX2 ${dt.code}`),
    slots: [{ name: 'submissionTime', values: [submissionTime] }],
    classifications: [
      {
        ...emptyBase('cl-ss'),
        type: 'Classification',
        classifiedObject: ss,
        classificationNode: ObjectTypes.submissionSet,
      },
      classification('cl-content', SubmissionSetSchemes.contentTypeCode, ss, documentClassCode(dt)),
    ],
    externalIdentifiers: [
      externalIdentifier('ei-ss-pid', SubmissionSetSchemes.patientId, ss, m.patientId, 'XDSSubmissionSet.patientId'),
      externalIdentifier('ei-ss-src', SubmissionSetSchemes.sourceId, ss, m.facility.oid, 'XDSSubmissionSet.sourceId'),
      externalIdentifier('ei-ss-uid', SubmissionSetSchemes.uniqueId, ss, m.submissionSetUniqueId, 'XDSSubmissionSet.uniqueId'),
    ],
  };
  const member: Association = {
    ...emptyBase('as-member'),
    type: 'Association',
    associationType: AssociationTypes.hasMember,
    sourceObject: ss,
    targetObject: doc,
    slots: [{ name: 'SubmissionSetStatus', values: ['Original'] }],
  };
  const out: Identifiable[] = [entry, set, member];
  if (m.replaces) {
    out.push({ ...emptyBase('as-rplc'), type: 'Association', associationType: AssociationTypes.rplc, sourceObject: doc, targetObject: m.replaces });
  }
  return out;
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
