/**
 * XDS metadata on top of ebRIM (ITI TF-3 4.2.3): which ExtrinsicObject is a DocumentEntry, which
 * RegistryPackage a SubmissionSet or a Folder, and the attributes queries look up, read from their
 * slots, classifications and external identifiers by scheme UUID.
 */
import { slotValue, slotValues, type Association, type Classification, type ExtrinsicObject, type Identifiable, type ObjectRef, type RegistryObject, type RegistryPackage } from '../../ebxml/rim.ts';
import { DocumentEntrySchemes, FolderSchemes, ObjectTypes, SubmissionSetSchemes } from './schemes.ts';

export type EntryKind = 'DocumentEntry' | 'SubmissionSet' | 'Folder' | 'Association';

/** A code attribute as queries match it: `code^^scheme` (ITI TF-2a 3.18.4.1.2.3.3). */
export interface CodeValue {
  attr: CodeAttr;
  code: string;
}

export type CodeAttr =
  | 'classCode'
  | 'typeCode'
  | 'practiceSettingCode'
  | 'healthcareFacilityTypeCode'
  | 'eventCodeList'
  | 'confidentialityCode'
  | 'formatCode'
  | 'contentTypeCode'
  | 'codeList';

export const DOCUMENT_CODE_SCHEMES: Record<string, CodeAttr> = {
  [DocumentEntrySchemes.classCode]: 'classCode',
  [DocumentEntrySchemes.typeCode]: 'typeCode',
  [DocumentEntrySchemes.practiceSettingCode]: 'practiceSettingCode',
  [DocumentEntrySchemes.healthcareFacilityTypeCode]: 'healthcareFacilityTypeCode',
  [DocumentEntrySchemes.eventCodeList]: 'eventCodeList',
  [DocumentEntrySchemes.confidentialityCode]: 'confidentialityCode',
  [DocumentEntrySchemes.formatCode]: 'formatCode',
};

/** The attributes of an entry the registry indexes. */
export interface EntryIndex {
  kind: EntryKind;
  patientId?: string;
  uniqueId?: string;
  objectType?: string;
  creationTime?: string;
  serviceStartTime?: string;
  serviceStopTime?: string;
  submissionTime?: string;
  lastUpdateTime?: string;
  sourceId?: string;
  hash?: string;
  size?: number;
  repositoryUniqueId?: string;
  mimeType?: string;
  codes: CodeValue[];
  authors: string[];
  referenceIds: string[];
}

export interface Submission {
  documents: ExtrinsicObject[];
  submissionSets: RegistryPackage[];
  folders: RegistryPackage[];
  associations: Association[];
  /** Classifications that stand alone and classify something not in the submission. */
  classifications: Classification[];
  refs: ObjectRef[];
  /** Objects of a kind XDS does not register (reported as metadata errors). */
  others: RegistryObject[];
}

const isClassifiedAs = (p: RegistryPackage, node: string) => p.classifications.some((c) => c.classificationNode === node);

/**
 * Sorts the objects of a RegistryObjectList into XDS roles; stand-alone package classifications move
 * into (a shallow copy of) their package. The objects given are not changed.
 */
export function partition(objects: Identifiable[]): Submission {
  const sub: Submission = { documents: [], submissionSets: [], folders: [], associations: [], classifications: [], refs: [], others: [] };
  const packages = new Map<string, RegistryPackage>();
  // Object.assign, not a spread: see withFields (rim.ts).
  for (const o of objects) if (o.type === 'RegistryPackage') packages.set(o.id, Object.assign({}, o, { classifications: [...o.classifications] }));
  for (const o of objects) {
    if (o.type === 'Classification' && o.classificationNode && packages.has(o.classifiedObject)) {
      packages.get(o.classifiedObject)!.classifications.push(o);
    }
  }
  for (const original of objects) {
    const o = original.type === 'RegistryPackage' ? packages.get(original.id)! : original;
    switch (o.type) {
      case 'ExtrinsicObject':
        sub.documents.push(o);
        break;
      case 'RegistryPackage':
        if (isClassifiedAs(o, ObjectTypes.submissionSet)) sub.submissionSets.push(o);
        else if (isClassifiedAs(o, ObjectTypes.folder)) sub.folders.push(o);
        else sub.others.push(o);
        break;
      case 'Association':
        sub.associations.push(o);
        break;
      case 'Classification':
        if (!(o.classificationNode && packages.has(o.classifiedObject))) sub.classifications.push(o);
        break;
      case 'ObjectRef':
        sub.refs.push(o);
        break;
      default:
        sub.others.push(o);
    }
  }
  return sub;
}

export function externalId(o: RegistryObject, scheme: string): string | undefined {
  return o.externalIdentifiers.find((e) => e.identificationScheme === scheme)?.value.trim();
}

/** The patientId of a DocumentEntry, SubmissionSet or Folder; none for an Association. */
export function patientIdOf(o: RegistryObject): string | undefined {
  if (o.type === 'ExtrinsicObject') return externalId(o, DocumentEntrySchemes.patientId);
  if (o.type === 'RegistryPackage') return externalId(o, SubmissionSetSchemes.patientId) ?? externalId(o, FolderSchemes.patientId);
  return undefined;
}

function codesOf(o: RegistryObject, schemes: Record<string, CodeAttr>): CodeValue[] {
  const out: CodeValue[] = [];
  for (const c of o.classifications) {
    const attr = c.classificationScheme ? schemes[c.classificationScheme] : undefined;
    if (attr) out.push({ attr, code: `${c.nodeRepresentation ?? ''}^^${slotValue(c, 'codingScheme') ?? ''}` });
  }
  return out;
}

function authorsOf(o: RegistryObject, scheme: string): string[] {
  return o.classifications.filter((c) => c.classificationScheme === scheme).flatMap((c) => slotValues(c, 'authorPerson') ?? []);
}

export function documentIndex(d: ExtrinsicObject): EntryIndex {
  const size = slotValue(d, 'size');
  return {
    kind: 'DocumentEntry',
    patientId: externalId(d, DocumentEntrySchemes.patientId),
    uniqueId: externalId(d, DocumentEntrySchemes.uniqueId),
    objectType: d.objectType,
    creationTime: slotValue(d, 'creationTime'),
    serviceStartTime: slotValue(d, 'serviceStartTime'),
    serviceStopTime: slotValue(d, 'serviceStopTime'),
    hash: slotValue(d, 'hash')?.toLowerCase(),
    size: size !== undefined && /^\d+$/.test(size) ? Number(size) : undefined,
    repositoryUniqueId: slotValue(d, 'repositoryUniqueId'),
    mimeType: d.mimeType,
    codes: codesOf(d, DOCUMENT_CODE_SCHEMES),
    authors: authorsOf(d, DocumentEntrySchemes.author),
    referenceIds: slotValues(d, 'urn:ihe:iti:xds:2013:referenceIdList') ?? [],
  };
}

export function submissionSetIndex(p: RegistryPackage): EntryIndex {
  return {
    kind: 'SubmissionSet',
    patientId: externalId(p, SubmissionSetSchemes.patientId),
    uniqueId: externalId(p, SubmissionSetSchemes.uniqueId),
    sourceId: externalId(p, SubmissionSetSchemes.sourceId),
    submissionTime: slotValue(p, 'submissionTime'),
    codes: codesOf(p, { [SubmissionSetSchemes.contentTypeCode]: 'contentTypeCode' }),
    authors: authorsOf(p, SubmissionSetSchemes.author),
    referenceIds: [],
  };
}

export function folderIndex(p: RegistryPackage): EntryIndex {
  return {
    kind: 'Folder',
    patientId: externalId(p, FolderSchemes.patientId),
    uniqueId: externalId(p, FolderSchemes.uniqueId),
    lastUpdateTime: slotValue(p, 'lastUpdateTime'),
    codes: codesOf(p, { [FolderSchemes.codeList]: 'codeList' }),
    authors: [],
    referenceIds: [],
  };
}

export function associationIndex(): EntryIndex {
  return { kind: 'Association', codes: [], authors: [], referenceIds: [] };
}

/** HL7 DTM as XDS uses it (ITI TF-3 Table 4.2.3.1.7-2): YYYY[MM[DD[hh[mm[ss]]]]], UTC. */
export const DTM = /^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2})?)?)?)?)?$/;

/**
 * An OID (uniqueIds of SubmissionSets and Folders, repositoryUniqueId, sourceId): dotted numbers
 * without leading zeros. The first arc is not held to 0-2, as NIST test data uses 129.6...
 */
export const OID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$/;

/** A patient ID in the affinity domain: CX with id and assigning authority `&OID&ISO` (ITI TF-3 4.2.3.1.7). */
export const PATIENT_CX = /^[^^&]+\^\^\^&([0-2](?:\.(?:0|[1-9][0-9]*))+)&ISO$/;

export function parsePatientCx(cx: string): { id: string; oid: string } | undefined {
  const m = PATIENT_CX.exec(cx.trim());
  return m ? { id: cx.trim().split('^')[0], oid: m[1] } : undefined;
}

/** A deep copy of request objects to work on (they are plain JSON values; faster than structuredClone). */
export function cloneObjects<T>(objects: T[]): T[] {
  return JSON.parse(JSON.stringify(objects)) as T[];
}

/**
 * A copy of request objects that registration may work on (ids assigned, statuses, lids, versions
 * and slots set) while the caller's stay as they were: every object and list down to the slots,
 * the slots, names and values themselves shared, as nothing changes them in place (setSlot replaces
 * a slot). Much cheaper than cloneObjects. A write callback may run twice (the PostgreSQL store
 * retries a serialization failure, store/types.ts): the second run must find the request untouched.
 */
export function workingCopy<T extends Identifiable>(objects: T[]): T[] {
  return objects.map((o) => copyObject(o));
}

function copyObject<T extends Identifiable>(o: T): T {
  if (o.type === 'ObjectRef') return Object.assign({}, o);
  // Object.assign, not a spread: see withFields (rim.ts).
  return Object.assign({}, o, {
    slots: [...o.slots],
    classifications: o.classifications.map((c) => copyObject(c)),
    externalIdentifiers: o.externalIdentifiers.map((e) => copyObject(e)),
  });
}
