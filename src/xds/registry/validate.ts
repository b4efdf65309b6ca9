/**
 * The checks of a submission that need nothing but the submission (ITI TF-3 4.1, Tables 4.3.1-3 to
 * 4.3.1-5 for a Register request): required attributes and their formats, one SubmissionSet, one
 * patient, unique ids and uniqueIds, associations that refer to something. The registry service
 * adds the checks that need the registry's content.
 */
import { isUuid, slotValue, slotValues, type Association, type ExtrinsicObject, type RegistryObject, type RegistryPackage } from '../../ebxml/rim.ts';
import { isValidDtm } from '../../hl7v2/datetime.ts';
import type { ErrorCollector } from './errors.ts';
import { DTM, OID, PATIENT_CX, documentIndex, externalId, folderIndex, submissionSetIndex, type Submission } from './metadata.ts';
import {
  AssociationTypes,
  DOCUMENT_ENTRY_SLOTS,
  DocumentEntrySchemes,
  FolderSchemes,
  ObjectTypes,
  SubmissionSetSchemes,
} from './schemes.ts';

export interface ValidationOptions {
  /** A Register request (ITI-42, and ITI-41 after the repository added them): hash, size and repositoryUniqueId are required of stable documents. */
  requireRepositoryAttributes: boolean;
  /**
   * 'register' (ITI-41/42, the default): Stable DocumentEntries only (ITI TF-2b 3.42.4.1.2) unless
   * `onDemand` allows On-Demand ones, and no update associations. 'update' (ITI-57): the Metadata
   * Update association types too, and DocumentEntries of either type.
   */
  transaction?: 'register' | 'update';
  /** Register On-Demand DocumentEntries too (what ITI-61 does; the in-process API may ask for it). */
  onDemand?: boolean;
}

/** Association types of Metadata Update: only ITI-57 may carry them. */
const UPDATE_ASSOCIATIONS = new Set<string>([AssociationTypes.updateAvailabilityStatus, AssociationTypes.submitAssociation]);
const KNOWN_ASSOCIATIONS = new Set<string>(Object.values(AssociationTypes));
const HASH = /^[0-9a-fA-F]{40}$/;
/**
 * DocumentEntry.uniqueId (ITI TF-3 4.2.3.2.26): at most 128 bytes; its structure is that of the
 * document's format (oid^extension for CDA, a DICOM UID, ...), so the registry does not impose an
 * OID: NIST registry test data registers text documents as urn:txt:... It has no white space.
 */
const DOC_UNIQUE_ID = /^\S+$/;

function label(o: RegistryObject, kind: string): string {
  return `${kind} ${o.id}`;
}

function checkCodes(o: RegistryObject, ec: ErrorCollector, kind: string, required: [string, string, 'one' | 'many'][], optional: [string, string][]): void {
  const all = [...required.map(([n, s]) => [n, s] as [string, string]), ...optional];
  for (const [name, scheme] of all) {
    for (const c of o.classifications.filter((c) => c.classificationScheme === scheme)) {
      if (!c.nodeRepresentation) ec.add('XDSRegistryMetadataError', `${label(o, kind)}: ${name} has no code (nodeRepresentation)`, o.id);
      const cs = slotValues(c, 'codingScheme');
      if (!cs || cs.length !== 1 || !cs[0]) ec.add('XDSRegistryMetadataError', `${label(o, kind)}: ${name} needs exactly one codingScheme slot value`, o.id);
      if (c.classifiedObject && c.classifiedObject !== o.id) ec.add('XDSRegistryMetadataError', `${label(o, kind)}: ${name} classifies ${c.classifiedObject}`, o.id);
    }
  }
  for (const [name, scheme, n] of required) {
    const count = o.classifications.filter((c) => c.classificationScheme === scheme).length;
    if (count === 0) ec.add('XDSRegistryMetadataError', `${label(o, kind)}: ${name} is required`, o.id);
    else if (n === 'one' && count > 1) ec.add('XDSRegistryMetadataError', `${label(o, kind)}: ${name} may appear only once`, o.id);
  }
}

function checkTime(o: RegistryObject, ec: ErrorCollector, kind: string, slot: string, required: boolean): void {
  const v = slotValues(o, slot);
  if (!v || v.length === 0) {
    if (required) ec.add('XDSRegistryMetadataError', `${label(o, kind)}: slot ${slot} is required`, o.id);
    return;
  }
  if (v.length !== 1 || !DTM.test(v[0])) ec.add('XDSRegistryMetadataError', `${label(o, kind)}: slot ${slot} must be one DTM value (YYYY[MM[DD[hh[mm[ss]]]]]), got '${v.join(',')}'`, o.id);
}

function checkExternalIds(o: RegistryObject, ec: ErrorCollector, kind: string, schemes: [string, string][]): void {
  for (const [name, scheme] of schemes) {
    const ids = o.externalIdentifiers.filter((e) => e.identificationScheme === scheme);
    if (ids.length !== 1 || !ids[0].value.trim()) ec.add('XDSRegistryMetadataError', `${label(o, kind)}: exactly one ${name} external identifier is required`, o.id);
    for (const e of ids) if (e.registryObject && e.registryObject !== o.id) ec.add('XDSRegistryMetadataError', `${label(o, kind)}: ${name} identifies ${e.registryObject}`, o.id);
  }
}

function checkPatientId(o: RegistryObject, ec: ErrorCollector, kind: string, value: string | undefined): void {
  if (value && !PATIENT_CX.test(value)) {
    ec.add('XDSRegistryMetadataError', `${label(o, kind)}: patientId '${printable(value)}' is not a CX id^^^&OID&ISO`, o.id);
  } else if (value && holdsControl(value)) {
    ec.add('XDSRegistryMetadataError', `${label(o, kind)}: patientId '${printable(value)}' holds a control character`, o.id);
  }
}

/**
 * A control character (C0 or DEL), raw (XML lets TAB, LF and CR through as &#9; &#10; &#13;) or as
 * an HL7 hex escape (\X00\): CX and the sourcePatientInfo values are HL7 v2.5 data types (ITI TF-3
 * 4.2.3.1.7), whose ST components carry printable characters only (HL7 2.5 2.A.74).
 */
function holdsControl(value: string): boolean {
  if (/[\x00-\x1f\x7f]/.test(value)) return true;
  for (const m of value.matchAll(/\\X([0-9A-Fa-f]+)\\/g)) {
    for (let i = 0; i + 1 < m[1].length; i += 2) {
      const b = parseInt(m[1].slice(i, i + 2), 16);
      if (b < 0x20 || b === 0x7f) return true;
    }
  }
  return false;
}

/** A value as an error message may show it: control characters written as \uXXXX. */
const printable = (v: string) => v.replace(/[\x00-\x1f\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * sourcePatientId (a CX) and sourcePatientInfo (PID-n|value, ITI TF-3 4.2.3.2.23): no control
 * characters, and PID-7 a DTM naming a real date.
 */
function checkSourcePatient(d: ExtrinsicObject, ec: ErrorCollector, k: string): void {
  const sourceId = slotValue(d, 'sourcePatientId');
  if (sourceId && holdsControl(sourceId)) ec.add('XDSRegistryMetadataError', `${label(d, k)}: sourcePatientId '${printable(sourceId)}' holds a control character`, d.id);
  for (const v of slotValues(d, 'sourcePatientInfo') ?? []) {
    if (holdsControl(v)) {
      ec.add('XDSRegistryMetadataError', `${label(d, k)}: sourcePatientInfo '${printable(v)}' holds a control character`, d.id);
      continue;
    }
    const birth = /^PID-7\|(.*)$/.exec(v);
    if (birth && birth[1] !== '' && !isValidDtm(birth[1])) {
      ec.add('XDSRegistryMetadataError', `${label(d, k)}: sourcePatientInfo PID-7 '${birth[1]}' is not a valid date`, d.id);
    }
  }
}

function checkDocument(d: ExtrinsicObject, ec: ErrorCollector, opts: ValidationOptions): void {
  const k = 'DocumentEntry';
  const stable = d.objectType === ObjectTypes.stableDocument;
  if (!stable && d.objectType !== ObjectTypes.onDemandDocument) {
    ec.add('XDSRegistryMetadataError', `${label(d, k)}: objectType '${d.objectType ?? ''}' is neither the stable nor the on-demand DocumentEntry type`, d.id);
  } else if (!stable && (opts.transaction ?? 'register') === 'register' && !opts.onDemand) {
    ec.add('XDSRegistryMetadataError', `${label(d, k)}: a Register request carries Stable DocumentEntries only (ITI TF-2b 3.42.4.1.2); On-Demand ones are registered by ITI-61`, d.id);
  }
  if (!d.mimeType) ec.add('XDSRegistryMetadataError', `${label(d, k)}: mimeType is required`, d.id);
  checkCodes(d, ec, k, [
    ['classCode', DocumentEntrySchemes.classCode, 'one'],
    ['confidentialityCode', DocumentEntrySchemes.confidentialityCode, 'many'],
    ['formatCode', DocumentEntrySchemes.formatCode, 'one'],
    ['healthcareFacilityTypeCode', DocumentEntrySchemes.healthcareFacilityTypeCode, 'one'],
    ['practiceSettingCode', DocumentEntrySchemes.practiceSettingCode, 'one'],
    ['typeCode', DocumentEntrySchemes.typeCode, 'one'],
  ], [['eventCodeList', DocumentEntrySchemes.eventCodeList]]);
  checkTime(d, ec, k, 'creationTime', stable);
  checkTime(d, ec, k, 'serviceStartTime', false);
  checkTime(d, ec, k, 'serviceStopTime', false);
  const start = slotValue(d, 'serviceStartTime');
  const stop = slotValue(d, 'serviceStopTime');
  // ITI TF-2b 3.42.4.1.3.3.6: the start is not after the stop, compared at the precision both have.
  const n = Math.min(start?.length ?? 0, stop?.length ?? 0);
  if (start && stop && DTM.test(start) && DTM.test(stop) && start.slice(0, n) > stop.slice(0, n)) {
    ec.add('XDSRegistryMetadataError', `${label(d, k)}: serviceStartTime ${start} is after serviceStopTime ${stop} (ITI TF-2b 3.42.4.1.3.3.6)`, d.id);
  }
  if (!slotValue(d, 'languageCode')) ec.add('XDSRegistryMetadataError', `${label(d, k)}: slot languageCode is required`, d.id);
  if (!slotValue(d, 'sourcePatientId')) ec.add('XDSRegistryMetadataError', `${label(d, k)}: slot sourcePatientId is required`, d.id);
  checkSourcePatient(d, ec, k);
  checkExternalIds(d, ec, k, [
    ['XDSDocumentEntry.patientId', DocumentEntrySchemes.patientId],
    ['XDSDocumentEntry.uniqueId', DocumentEntrySchemes.uniqueId],
  ]);
  const x = documentIndex(d);
  checkPatientId(d, ec, k, x.patientId);
  if (x.uniqueId && (Buffer.byteLength(x.uniqueId) > 128 || !DOC_UNIQUE_ID.test(x.uniqueId))) {
    ec.add('XDSRegistryMetadataError', `${label(d, k)}: uniqueId '${x.uniqueId}' is longer than 128 bytes or holds white space (ITI TF-3 4.2.3.2.26)`, d.id);
  }
  const hash = slotValue(d, 'hash');
  const size = slotValue(d, 'size');
  const repo = slotValue(d, 'repositoryUniqueId');
  if (hash !== undefined && !HASH.test(hash)) ec.add('XDSRegistryMetadataError', `${label(d, k)}: hash '${hash}' is not a SHA-1 in hex`, d.id);
  if (size !== undefined && !/^\d+$/.test(size)) ec.add('XDSRegistryMetadataError', `${label(d, k)}: size '${size}' is not an integer`, d.id);
  if (repo !== undefined && !OID.test(repo)) ec.add('XDSRegistryMetadataError', `${label(d, k)}: repositoryUniqueId '${repo}' is not an OID`, d.id);
  if (opts.requireRepositoryAttributes && stable) {
    for (const [n, v] of [['hash', hash], ['size', size], ['repositoryUniqueId', repo]] as const) {
      if (v === undefined) ec.add('XDSRegistryMetadataError', `${label(d, k)}: slot ${n} is required in a Register request (ITI TF-3 Table 4.3.1-3)`, d.id);
    }
  }
}

function checkSubmissionSet(p: RegistryPackage, ec: ErrorCollector): void {
  const k = 'SubmissionSet';
  checkTime(p, ec, k, 'submissionTime', true);
  checkCodes(p, ec, k, [['contentTypeCode', SubmissionSetSchemes.contentTypeCode, 'one']], []);
  checkExternalIds(p, ec, k, [
    ['XDSSubmissionSet.patientId', SubmissionSetSchemes.patientId],
    ['XDSSubmissionSet.sourceId', SubmissionSetSchemes.sourceId],
    ['XDSSubmissionSet.uniqueId', SubmissionSetSchemes.uniqueId],
  ]);
  const x = submissionSetIndex(p);
  checkPatientId(p, ec, k, x.patientId);
  if (x.uniqueId && !OID.test(x.uniqueId)) ec.add('XDSRegistryMetadataError', `${label(p, k)}: uniqueId '${x.uniqueId}' is not an OID`, p.id);
  if (x.sourceId && !OID.test(x.sourceId)) ec.add('XDSRegistryMetadataError', `${label(p, k)}: sourceId '${x.sourceId}' is not an OID`, p.id);
}

function checkFolder(p: RegistryPackage, ec: ErrorCollector): void {
  const k = 'Folder';
  // codeList is checked when present: NIST registry test data submits folders without one.
  checkCodes(p, ec, k, [], [['codeList', FolderSchemes.codeList]]);
  checkExternalIds(p, ec, k, [
    ['XDSFolder.patientId', FolderSchemes.patientId],
    ['XDSFolder.uniqueId', FolderSchemes.uniqueId],
  ]);
  const x = folderIndex(p);
  checkPatientId(p, ec, k, x.patientId);
  if (x.uniqueId && !OID.test(x.uniqueId)) ec.add('XDSRegistryMetadataError', `${label(p, k)}: uniqueId '${x.uniqueId}' is not an OID`, p.id);
  if (p.name.length === 0) ec.add('XDSRegistryMetadataError', `${label(p, k)}: title (Name) is required`, p.id);
}

function checkAssociation(a: Association, ids: Set<string>, ec: ErrorCollector, opts: ValidationOptions): void {
  const where = `Association ${a.id}`;
  if (!KNOWN_ASSOCIATIONS.has(a.associationType)) ec.add('XDSRegistryMetadataError', `${where}: associationType '${a.associationType}' is not one XDS defines`, a.id);
  else if (UPDATE_ASSOCIATIONS.has(a.associationType) && (opts.transaction ?? 'register') === 'register') {
    ec.add('XDSRegistryMetadataError', `${where}: ${a.associationType.split(':').pop()} belongs to Update Document Set [ITI-57], not to a Register request`, a.id);
  }
  if (!a.sourceObject || !a.targetObject) ec.add('XDSRegistryMetadataError', `${where}: sourceObject and targetObject are required`, a.id);
  if (a.sourceObject === a.id || a.targetObject === a.id) ec.add('XDSRegistryMetadataError', `${where}: the association refers to itself`, a.id);
  for (const end of [a.sourceObject, a.targetObject]) {
    if (end && !ids.has(end) && !isUuid(end)) {
      ec.add('XDSRegistryMetadataError', `${where}: '${end}' is neither an object of the submission nor a UUID of the registry`, a.id);
    }
  }
}

/** Every static check of a submission; errors go to `ec`. */
export function validateSubmission(sub: Submission, ec: ErrorCollector, opts: ValidationOptions): void {
  for (const o of sub.others) ec.add('XDSRegistryMetadataError', `${o.type} ${o.id} is not XDS metadata (no DocumentEntry, SubmissionSet or Folder type)`, o.id);
  if (sub.submissionSets.length !== 1) {
    ec.add('XDSRegistryMetadataError', `a submission has exactly one SubmissionSet; this one has ${sub.submissionSets.length}`);
  }
  const all: RegistryObject[] = [...sub.documents, ...sub.submissionSets, ...sub.folders, ...sub.associations, ...sub.classifications];
  const ids = new Set<string>();
  for (const o of all) {
    if (ids.has(o.id)) ec.add('XDSRegistryMetadataError', `id '${o.id}' is used by more than one object of the submission`, o.id);
    ids.add(o.id);
  }
  for (const d of sub.documents) checkDocument(d, ec, opts);
  for (const p of sub.submissionSets) checkSubmissionSet(p, ec);
  for (const f of sub.folders) checkFolder(f, ec);
  for (const a of sub.associations) checkAssociation(a, ids, ec, opts);
  for (const c of sub.classifications) {
    if (!ids.has(c.classifiedObject) && !isUuid(c.classifiedObject)) ec.add('XDSRegistryMetadataError', `Classification ${c.id} classifies unknown '${c.classifiedObject}'`, c.id);
  }

  // One patient across the submission set and its members (ITI TF-3 4.1.4.1).
  const ss = sub.submissionSets[0];
  const pid = ss ? externalId(ss, SubmissionSetSchemes.patientId) : undefined;
  if (pid) {
    for (const d of sub.documents) {
      const p = externalId(d, DocumentEntrySchemes.patientId);
      if (p && p !== pid) ec.add('XDSPatientIdDoesNotMatch', `DocumentEntry ${d.id} patientId ${p} differs from the SubmissionSet's ${pid}`, d.id);
    }
    for (const f of sub.folders) {
      const p = externalId(f, FolderSchemes.patientId);
      if (p && p !== pid) ec.add('XDSPatientIdDoesNotMatch', `Folder ${f.id} patientId ${p} differs from the SubmissionSet's ${pid}`, f.id);
    }
  }

  // uniqueIds are unique within the message.
  const seen = new Map<string, string>();
  for (const [o, uid] of [
    ...sub.documents.map((d) => [d, externalId(d, DocumentEntrySchemes.uniqueId)] as const),
    ...sub.submissionSets.map((p) => [p, externalId(p, SubmissionSetSchemes.uniqueId)] as const),
    ...sub.folders.map((p) => [p, externalId(p, FolderSchemes.uniqueId)] as const),
  ]) {
    if (!uid) continue;
    if (seen.has(uid)) ec.add('XDSRegistryDuplicateUniqueIdInMessage', `uniqueId ${uid} is used by ${seen.get(uid)} and ${o.id}`, o.id);
    else seen.set(uid, o.id);
  }

  // Every document and folder of the submission is a member of its submission set (ITI TF-3 4.1.4).
  if (ss) {
    const members = new Map<string, Association>();
    for (const a of sub.associations) if (a.associationType === AssociationTypes.hasMember && a.sourceObject === ss.id) members.set(a.targetObject, a);
    for (const o of [...sub.documents, ...sub.folders]) {
      if (!members.has(o.id)) ec.add('XDSRegistryMetadataError', `${o.id} is not linked to the SubmissionSet by a HasMember association`, o.id);
    }
    for (const [target, a] of members) {
      if (!sub.documents.some((d) => d.id === target)) continue;
      const status = slotValue(a, 'SubmissionSetStatus');
      if (status !== 'Original' && status !== 'Reference') {
        ec.add('XDSRegistryMetadataError', `Association ${a.id}: SubmissionSetStatus must be Original or Reference`, a.id);
      }
    }
  }
}

/** DocumentEntry slots that are neither XDS-defined nor extra metadata (urn:, not urn:ihe:). */
export function extraMetadataSlots(d: ExtrinsicObject): string[] {
  return d.slots.map((s) => s.name).filter((n) => !DOCUMENT_ENTRY_SLOTS.has(n) && /^urn:/.test(n) && !/^urn:ihe:/.test(n));
}


/**
 * Extra metadata (ITI TF-3 4.2.3.1.6): kept, or dropped with the XDSExtraMetadataNotSaved warning
 * when the registry is configured not to save it.
 */
export function applyExtraMetadataPolicy(documents: ExtrinsicObject[], save: boolean, ec: ErrorCollector): void {
  if (save) return;
  for (const d of documents) {
    const extra = extraMetadataSlots(d);
    if (extra.length === 0) continue;
    d.slots = d.slots.filter((s) => !extra.includes(s.name));
    ec.warn('XDSExtraMetadataNotSaved', `extra metadata slots not saved: ${extra.join(', ')}`, d.id);
  }
}
