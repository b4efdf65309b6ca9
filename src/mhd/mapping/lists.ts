/**
 * SubmissionSet and Folder <-> List, the MHD mapping (IHE.MHD.Minimal.SubmissionSet and
 * IHE.MHD.Minimal.Folder mappings, ITI TF-3 4.5.2, 4.5.3): code submissionset | folder, uniqueId and
 * entryUUID as typed identifiers, sourceId and designationType (contentTypeCode, codeList) as IHE
 * extensions, submissionTime / lastUpdateTime as date, the SubmissionSet author as a contained source,
 * title, comments as note, intendedRecipient as contained Organizations and Practitioners, members
 * (HasMember) as entry.item. R4 List.status has no `superseded`: a
 * Deprecated package is `retired`.
 */
import type { CodeableConcept, Extension, List, ListEntry, Organization, Practitioner, Reference } from 'fhir/r4.js';
import { registryObject, slotValue, slotValues, type Classification, type ExternalIdentifier, type RegistryPackage, type Slot } from '../../ebxml/rim.ts';
import { externalId } from '../../xds/registry/metadata.ts';
import { FolderSchemes, ObjectTypes, Status, SubmissionSetSchemes } from '../../xds/registry/schemes.ts';
import { containedLookup, fhirIdOf, type MappingIssue } from './documentEntry.ts';
import type { PatientReferences } from './patientReference.ts';
import { authorResources, authorSlotsOf, organizationOfXon, practitionerOfXcn, xcnOf, xonOf, type Contained } from './persons.ts';
import { conceptOf, dtmOfFhir, entryUuidIdentifier, fhirOfDtm, firstCoding, RFC3986, schemeOfSystem, typedUniqueIdOf, uniqueIdTyped } from './values.ts';

const SD = 'https://profiles.ihe.net/ITI/MHD/StructureDefinition';
export const Extensions = {
  sourceId: `${SD}/ihe-sourceId`,
  designationType: `${SD}/ihe-designationType`,
  authorOrg: `${SD}/ihe-authorOrg`,
  intendedRecipient: `${SD}/ihe-intendedRecipient`,
} as const;
export const LIST_TYPES = 'https://profiles.ihe.net/ITI/MHD/CodeSystem/MHDlistTypes';

export type ListKind = 'submissionset' | 'folder';
export const LIST_STATUS: Record<string, List['status']> = { [Status.approved]: 'current', [Status.deprecated]: 'retired' };

export interface ToList {
  patients: PatientReferences;
  /** The package's members: documents and (for a SubmissionSet) folders, by entryUUID. */
  members: { uuid: string; kind: 'DocumentEntry' | 'Folder' }[];
}

const codesOf = (p: RegistryPackage, scheme: string) => p.classifications.filter((c) => c.classificationScheme === scheme);
const designation = (c: Classification): Extension => ({ url: Extensions.designationType, valueCodeableConcept: conceptOf(c) });
export const kindOfList = (l: List): ListKind | undefined => l.code?.coding?.find((c) => c.system === LIST_TYPES && (c.code === 'submissionset' || c.code === 'folder'))?.code as ListKind | undefined;

/** A registered SubmissionSet or Folder as a List (Find Document Lists [ITI-66] answers, List read). */
export function listOf(p: RegistryPackage, kind: ListKind, o: ToList): List {
  const set = kind === 'submissionset';
  const schemes = set ? SubmissionSetSchemes : FolderSchemes;
  const uid = externalId(p, schemes.uniqueId) ?? '';
  const extension: Extension[] = [];
  const contained: Contained[] = [];
  let source: Reference | undefined;
  if (set) {
    const sourceId = externalId(p, SubmissionSetSchemes.sourceId);
    if (sourceId) extension.push({ url: Extensions.sourceId, valueIdentifier: { system: RFC3986, value: `urn:oid:${sourceId}` } });
    extension.push(...codesOf(p, SubmissionSetSchemes.contentTypeCode).map(designation));
    // List.source holds one author (Practitioner, PractitionerRole, Patient, Device); an Organization goes in authorOrg.
    const author = codesOf(p, SubmissionSetSchemes.author)[0];
    const first = author ? authorResources(author, 'author')[0] : undefined;
    if (first) {
      contained.push(...first.contained);
      const r = contained.find((c) => `#${c.id}` === first.reference.reference);
      source = r?.resourceType === 'Organization' ? { extension: [{ url: Extensions.authorOrg, valueReference: first.reference }] } : first.reference;
    }
    // intendedRecipient (ITI TF-3 4.2.3.3.10): XON|XCN|XTN, each part a contained Organization or Practitioner.
    (slotValues(p, 'intendedRecipient') ?? []).forEach((v, i) => {
      const [xon, xcn] = v.split('|');
      const org = xon ? organizationOfXon(xon, `recipient${i + 1}-org`) : undefined;
      const person = xcn ? practitionerOfXcn(xcn, `recipient${i + 1}`) : undefined;
      for (const r of [person, org]) {
        if (!r) continue;
        contained.push(r);
        extension.push({ url: Extensions.intendedRecipient, valueReference: { reference: `#${r.id}` } });
      }
    });
  } else {
    extension.push(...codesOf(p, FolderSchemes.codeList).map(designation));
  }
  const date = fhirOfDtm(slotValue(p, set ? 'submissionTime' : 'lastUpdateTime'));
  const subject = o.patients.referenceOf(externalId(p, schemes.patientId));
  const title = p.name[0]?.value;
  const note = p.description[0]?.value;
  const entry: ListEntry[] = o.members.map((m) => ({ item: { reference: `${m.kind === 'Folder' ? 'List' : 'DocumentReference'}/${fhirIdOf(m.uuid)}` } }));
  return {
    resourceType: 'List',
    id: fhirIdOf(p.id),
    ...(contained.length ? { contained: contained as List['contained'] } : {}),
    ...(extension.length ? { extension } : {}),
    identifier: [uniqueIdTyped(uid), entryUuidIdentifier(p.id)],
    status: LIST_STATUS[p.status ?? ''] ?? 'current',
    mode: 'working',
    ...(title ? { title } : {}),
    code: { coding: [{ system: LIST_TYPES, code: kind }] },
    ...(subject ? { subject } : {}),
    ...(date ? { date } : {}),
    ...(source ? { source } : {}),
    ...(note ? { note: [{ text: note }] } : {}),
    ...(entry.length ? { entry } : {}),
  };
}

export interface FromList {
  /** The package's id (its entryUUID). */
  id: string;
  patientId: string;
  path: string;
}

const externalIdentifier = (id: string, scheme: string, object: string, value: string, label: string): ExternalIdentifier =>
  registryObject<ExternalIdentifier>(id, { type: 'ExternalIdentifier', identificationScheme: scheme, registryObject: object, value, name: [{ value: label }] });

function codeClassification(id: string, scheme: string, object: string, cc: CodeableConcept | undefined): Classification | undefined {
  const c = firstCoding(cc);
  if (!c) return undefined;
  return registryObject<Classification>(id, {
    type: 'Classification',
    classificationScheme: scheme,
    classifiedObject: object,
    nodeRepresentation: c.code,
    slots: [{ name: 'codingScheme', values: [schemeOfSystem(c.system!)] }],
    name: c.display ? [{ value: c.display }] : [],
  });
}

/**
 * A SubmissionSet or Folder List of a Provide Document Bundle [ITI-65] as a RegistryPackage; its
 * entries are the caller's (they become HasMember associations). The registry validates the rest.
 */
export function packageOf(l: List, kind: ListKind, o: FromList): { pkg: RegistryPackage; issues: MappingIssue[] } {
  const issues: MappingIssue[] = [];
  const issue = (p: string, message: string) => issues.push({ message, expression: `${o.path}.${p}` });
  const set = kind === 'submissionset';
  const schemes = set ? SubmissionSetSchemes : FolderSchemes;
  const id = o.id;
  const classifications: Classification[] = [
    registryObject<Classification>(`${id}-node`, { type: 'Classification', classifiedObject: id, classificationNode: set ? ObjectTypes.submissionSet : ObjectTypes.folder }),
  ];
  const designations = (l.extension ?? []).filter((e) => e.url === Extensions.designationType);
  designations.forEach((e, i) => {
    const c = codeClassification(`${id}-code${i}`, set ? SubmissionSetSchemes.contentTypeCode : FolderSchemes.codeList, id, e.valueCodeableConcept);
    if (c) classifications.push(c);
    else issue('extension', 'designationType needs a valueCodeableConcept with a coding of a system and a code');
  });
  const slots: Slot[] = [];
  const externalIdentifiers: ExternalIdentifier[] = [externalIdentifier(`${id}-patientId`, schemes.patientId, id, o.patientId, set ? 'XDSSubmissionSet.patientId' : 'XDSFolder.patientId')];
  const uid = typedUniqueIdOf(l.identifier) ?? l.identifier?.filter((i) => i.system === RFC3986 && i.value?.startsWith('urn:oid:')).map((i) => i.value!.slice(8))[0];
  if (uid) externalIdentifiers.push(externalIdentifier(`${id}-uniqueId`, schemes.uniqueId, id, uid, set ? 'XDSSubmissionSet.uniqueId' : 'XDSFolder.uniqueId'));
  else issue('identifier', `the ${kind} List needs its uniqueId: an identifier of type uniqueId (an OID as urn:oid:)`);
  if (set) {
    const sourceId = (l.extension ?? []).find((e) => e.url === Extensions.sourceId)?.valueIdentifier?.value;
    if (sourceId) externalIdentifiers.push(externalIdentifier(`${id}-sourceId`, SubmissionSetSchemes.sourceId, id, sourceId.replace(/^urn:oid:/, ''), 'XDSSubmissionSet.sourceId'));
    else issue('extension', 'the SubmissionSet List needs the sourceId extension (ihe-sourceId)');
    const submissionTime = dtmOfFhir(l.date);
    if (!submissionTime) issue('date', 'List.date (the submissionTime) is required: a FHIR dateTime with a time zone');
    else slots.push({ name: 'submissionTime', values: [submissionTime] });
    if (l.source) {
      const lookup = containedLookup(l.contained);
      const org = l.source.extension?.find((e) => e.url === Extensions.authorOrg)?.valueReference;
      const refs = [l.source.reference, org?.reference].filter((r): r is string => !!r);
      const s: Slot[] = [];
      for (const ref of refs) {
        const r = authorSlotsOf(lookup(ref), lookup);
        if (typeof r === 'string') {
          issue('source', r);
          continue;
        }
        if (r.authorPerson) s.push({ name: 'authorPerson', values: [r.authorPerson] });
        for (const k of ['authorInstitution', 'authorRole', 'authorSpecialty', 'authorTelecommunication'] as const) if (r[k].length) s.push({ name: k, values: r[k] });
      }
      if (refs.length === 0) issue('source', 'List.source must name a contained author (Comprehensive Metadata)');
      if (s.length) classifications.push(registryObject<Classification>(`${id}-author`, { type: 'Classification', classificationScheme: SubmissionSetSchemes.author, classifiedObject: id, nodeRepresentation: '', slots: s }));
    }
    const lookup = containedLookup(l.contained);
    const recipients: string[] = [];
    (l.extension ?? []).filter((e) => e.url === Extensions.intendedRecipient).forEach((e) => {
      const r = lookup(e.valueReference?.reference);
      if (r?.resourceType === 'Organization') recipients.push(xonOf(r as Organization));
      else if (r?.resourceType === 'Practitioner') recipients.push(`|${xcnOf(r as Practitioner)}`);
      else issue('extension', 'an intendedRecipient must name a contained Organization or Practitioner');
    });
    if (recipients.length) slots.push({ name: 'intendedRecipient', values: recipients });
  }
  if (l.status !== 'current') issue('status', `a provided ${kind} List is current, not ${l.status}`);
  if (l.mode !== 'working') issue('mode', `a ${kind} List has mode working`);
  const pkg = registryObject<RegistryPackage>(id, {
    type: 'RegistryPackage',
    name: l.title ? [{ value: l.title }] : [],
    description: l.note?.[0]?.text ? [{ value: l.note[0].text }] : [],
    slots,
    classifications,
    externalIdentifiers,
  });
  return { pkg, issues };
}
