/**
 * A Provide Document Bundle [ITI-65] request (ITI TF-2 3.65.4.1.2, Comprehensive Metadata) as the
 * submission ITI-41 registers (3.65.4.1.3.1: "transform the Bundle content into ... Provide and
 * Register Document Set-b"): the SubmissionSet List, the DocumentReferences with their Binary
 * documents, the Folder Lists, HasMember associations from List.entry, relationships from relatesTo.
 * A DocumentReference that a provided one replaces may be set superseded in the same Bundle (PUT, or
 * PATCH with the MHD Patch Parameters): the registry deprecates it with the RPLC. A registered Folder
 * may be updated (PUT) to add documents of the Bundle. Every entry's
 * answer (201 and its location, 200 for such an update) is planned here, in the order received.
 */
import { randomUUID } from 'node:crypto';
import type { Binary, Bundle, BundleEntry, BundleEntryResponse, DocumentReference, List, Parameters } from 'fhir/r4.js';
import { registryObject, type Association, type Identifiable } from '../../ebxml/rim.ts';
import type { ProvidedDocument } from '../../xds/repository/service.ts';
import { AssociationTypes } from '../../xds/registry/schemes.ts';
import { ASSOCIATION_OF_CODE, documentEntryOf, fhirIdOf, type MappingIssue } from '../mapping/documentEntry.ts';
import { kindOfList, packageOf, type ListKind } from '../mapping/lists.ts';
import type { PatientReferences } from '../mapping/patientReference.ts';
import { entryUuidOf } from '../mapping/values.ts';
import { MhdError, type MhdIssue } from '../outcome.ts';

export interface ProvidePlan {
  objects: Identifiable[];
  documents: ProvidedDocument[];
  patientId: string;
  /** The answer of each request entry, in order. */
  responses: BundleEntryResponse[];
  /** Registry object id -> index of the entry it came from (where a registry error is located). */
  entryOf: Map<string, number>;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const newUuid = () => `urn:uuid:${randomUUID()}`;
const DOC_REF_URL = /^(?:.*\/)?DocumentReference\/([0-9a-fA-F-]{36})$/;
const LIST_URL = /^(?:.*\/)?List\/([0-9a-fA-F-]{36})$/;

/** The superseded status of a replaced DocumentReference: a PUT of the resource, or the MHD Patch Parameters (IHE.MHD.Patch.Parameters). */
function supersedes(e: BundleEntry): boolean {
  const r = e.resource;
  if (e.request?.method === 'PUT') return r?.resourceType === 'DocumentReference' && (r as DocumentReference).status === 'superseded';
  if (r?.resourceType !== 'Parameters') return false;
  const op = (r as Parameters).parameter?.find((p) => p.name === 'operation');
  const part = (n: string) => op?.part?.find((p) => p.name === n);
  return part('type')?.valueCode === 'replace' && part('path')?.valueString === 'DocumentReference.status' && part('value')?.valueCode === 'superseded';
}

export function planOfBundle(bundle: Bundle, o: { patients: PatientReferences }): ProvidePlan {
  const structural: MhdIssue[] = [];
  const metadata: MhdIssue[] = [];
  const at = (i: number, p = '') => `Bundle.entry[${i}]${p}`;
  const bad = (i: number, p: string, diagnostics: string) => structural.push({ code: 'structure', diagnostics, expression: [at(i, p)] });
  const meta = (issues: MappingIssue[]) => metadata.push(...issues.map((x) => ({ code: 'invalid' as const, diagnostics: x.message, expression: [x.expression] })));
  if (bundle.type !== 'transaction') throw new MhdError(400, [{ code: 'invalid', diagnostics: `a Provide Document Bundle is a transaction Bundle, not ${bundle.type}`, expression: ['Bundle.type'] }]);
  const entries = bundle.entry ?? [];

  /** The entry a reference names: its fullUrl, or `Type/id` at the end of a fullUrl. */
  const resolve = (ref: string | undefined): number | undefined => {
    if (!ref) return undefined;
    const i = entries.findIndex((e) => e.fullUrl === ref || (!!e.fullUrl && /^[A-Za-z]+\/[A-Za-z0-9.-]+$/.test(ref) && e.fullUrl.endsWith(`/${ref}`)));
    return i < 0 ? undefined : i;
  };

  const sets: number[] = [];
  const folders: number[] = [];
  const docs: number[] = [];
  const binaries: number[] = [];
  const updates: { i: number; uuid: string }[] = [];
  const folderUpdates: { i: number; uuid: string }[] = [];
  entries.forEach((e, i) => {
    const method = e.request?.method;
    const type = e.resource?.resourceType;
    if (!method) return bad(i, '.request', 'every entry of a transaction has a request (bdl-3)');
    const update = DOC_REF_URL.exec(e.request!.url ?? '');
    if ((method === 'PUT' || method === 'PATCH') && update && supersedes(e)) return void updates.push({ i, uuid: `urn:uuid:${update[1].toLowerCase()}` });
    const folder = LIST_URL.exec(e.request!.url ?? '');
    if (method === 'PUT' && folder && type === 'List' && kindOfList(e.resource as List) === 'folder') return void folderUpdates.push({ i, uuid: `urn:uuid:${folder[1].toLowerCase()}` });
    if (method !== 'POST') return bad(i, '.request.method', `${method} ${e.request!.url}: a Provide Document Bundle creates (POST) its resources; only a replaced DocumentReference may be set superseded, and a registered Folder updated (PUT)`);
    if (type === 'List') {
      const kind = kindOfList(e.resource as List);
      if (!kind) return bad(i, '.resource.code', `a List is a SubmissionSet or a Folder: code submissionset or folder`);
      (kind === 'submissionset' ? sets : folders).push(i);
    } else if (type === 'DocumentReference') docs.push(i);
    else if (type === 'Binary') binaries.push(i);
    else bad(i, '.resource', `${type ?? 'an entry without a resource'} has no place in a Provide Document Bundle (SubmissionSet and Folder Lists, DocumentReferences, Binaries)${type === 'Patient' ? ': the patient must be one the registry knows, referenced as Patient/{id}' : ''}`);
  });
  if (structural.length) throw new MhdError(400, structural);
  if (sets.length !== 1) throw new MhdError(422, [{ code: 'invalid', diagnostics: `a Provide Document Bundle has exactly one SubmissionSet List; this one has ${sets.length}`, expression: ['Bundle.entry'], xdsCode: 'XDSRegistryMetadataError' }]);

  const ssIndex = sets[0];
  const ss = entries[ssIndex].resource as List;
  const patientId = o.patients.cxOfReference(ss.subject);
  if (!patientId) throw new MhdError(422, [{ code: 'required', diagnostics: 'the SubmissionSet List needs a subject: Patient/{id} of the affinity domain, or an identifier of an urn:oid: system', expression: [at(ssIndex, '.resource.subject')], xdsCode: 'XDSUnknownPatientId' }]);

  const objects: Identifiable[] = [];
  const documents: ProvidedDocument[] = [];
  const entryOf = new Map<string, number>();
  const idOf = new Map<number, string>();
  const responses: BundleEntryResponse[] = entries.map(() => ({ status: '201 Created' }));
  const assign = (i: number, ids: { identifier?: { value?: string }[] } | undefined) => {
    const id = entryUuidOf((ids?.identifier ?? []) as never) ?? newUuid();
    idOf.set(i, id);
    entryOf.set(id, i);
    return id;
  };

  const ssId = assign(ssIndex, ss);
  for (const i of [...docs, ...folders]) assign(i, entries[i].resource as DocumentReference | List);
  const set = packageOf(ss, 'submissionset', { id: ssId, patientId, path: at(ssIndex, '.resource') });
  meta(set.issues);
  objects.push(set.pkg);
  responses[ssIndex] = { status: '201 Created', location: `List/${fhirIdOf(ssId)}` };

  const usedBinaries = new Set<number>();
  const replaced = new Set<string>();
  for (const i of docs) {
    const dr = entries[i].resource as DocumentReference;
    const id = idOf.get(i)!;
    const subject = o.patients.cxOfReference(dr.subject);
    if (!subject) metadata.push({ code: 'required', diagnostics: 'DocumentReference.subject must name the patient (Patient/{id} or an urn:oid: identifier)', expression: [at(i, '.resource.subject')] });
    const mapped = documentEntryOf(dr, { id, patientId: subject ?? patientId, path: at(i, '.resource') });
    meta(mapped.issues);
    objects.push(mapped.entry);
    responses[i] = { status: '201 Created', location: `DocumentReference/${fhirIdOf(id)}` };
    // The document: a Binary of the Bundle, or one contained in the DocumentReference.
    const url = dr.content?.[0]?.attachment?.url;
    const contentType = dr.content?.[0]?.attachment?.contentType;
    const b = resolve(url);
    const binary = url?.startsWith('#') ? (dr.contained as Binary[] | undefined)?.find((c) => c.resourceType === 'Binary' && c.id === url.slice(1)) : b !== undefined && entries[b].resource?.resourceType === 'Binary' ? (entries[b].resource as Binary) : undefined;
    if (!binary) {
      metadata.push({ code: 'required', diagnostics: `attachment.url ${url ?? '(none)'} names no Binary of the Bundle: the document is missing`, expression: [at(i, '.resource.content[0].attachment.url')], xdsCode: 'XDSMissingDocument' });
    } else {
      if (b !== undefined) {
        usedBinaries.add(b);
        responses[b] = { status: '201 Created', location: `Binary/${fhirIdOf(id)}` };
      }
      const data = (binary.data ?? '').replace(/\s+/g, '');
      if (!binary.data || !BASE64.test(data)) metadata.push({ code: 'invalid', diagnostics: 'Binary.data must hold the document in base64', expression: [b !== undefined ? at(b, '.resource.data') : at(i, '.resource.contained')] });
      else if (contentType && binary.contentType !== contentType) metadata.push({ code: 'invalid', diagnostics: `Binary.contentType ${binary.contentType} differs from attachment.contentType ${contentType}`, expression: [b !== undefined ? at(b, '.resource.contentType') : at(i, '.resource.contained')] });
      else documents.push({ id, source: { data: Buffer.from(data, 'base64') } });
    }
    (dr.relatesTo ?? []).forEach((rel, k) => {
      const type = ASSOCIATION_OF_CODE[rel.code];
      const target = DOC_REF_URL.exec(rel.target?.reference ?? '');
      const inBundle = resolve(rel.target?.reference);
      const targetId = inBundle !== undefined && docs.includes(inBundle) ? idOf.get(inBundle) : target ? `urn:uuid:${target[1].toLowerCase()}` : undefined;
      if (!type || !targetId) return void metadata.push({ code: 'invalid', diagnostics: `relatesTo ${rel.code} ${rel.target?.reference ?? ''}: the target must be DocumentReference/{entryUUID}`, expression: [at(i, `.resource.relatesTo[${k}]`)] });
      if (type === AssociationTypes.rplc) replaced.add(targetId);
      objects.push(registryObject<Association>(`${id}-rel${k}`, { type: 'Association', associationType: type, sourceObject: id, targetObject: targetId }));
    });
  }
  for (const b of binaries) {
    if (!usedBinaries.has(b)) metadata.push({ code: 'invalid', diagnostics: 'this Binary is the document of no DocumentReference of the Bundle', expression: [at(b)], xdsCode: 'XDSMissingDocumentMetadata' });
  }
  for (const f of folders) {
    const list = entries[f].resource as List;
    const id = idOf.get(f)!;
    const mapped = packageOf(list, 'folder', { id, patientId: o.patients.cxOfReference(list.subject) ?? patientId, path: at(f, '.resource') });
    meta(mapped.issues);
    objects.push(mapped.pkg);
    responses[f] = { status: '201 Created', location: `List/${fhirIdOf(id)}` };
  }
  for (const u of updates) {
    if (!replaced.has(u.uuid)) metadata.push({ code: 'not-supported', diagnostics: 'only a DocumentReference that a DocumentReference of this Bundle replaces may be set superseded here', expression: [at(u.i)] });
    responses[u.i] = { status: '200 OK', location: `DocumentReference/${fhirIdOf(u.uuid)}` };
  }

  // Membership: the SubmissionSet's and each Folder's entries (ITI TF-3 4.5.2, 4.5.3: entry.item).
  const members = (pkgIndex: number, kind: ListKind) => {
    const list = entries[pkgIndex].resource as List;
    const source = idOf.get(pkgIndex)!;
    (list.entry ?? []).forEach((m, k) => {
      const ref = m.item?.reference;
      const i = resolve(ref);
      const existing = DOC_REF_URL.exec(ref ?? '');
      let target: string | undefined;
      let original = false;
      if (i !== undefined && (docs.includes(i) || (kind === 'submissionset' && folders.includes(i)))) {
        target = idOf.get(i);
        original = docs.includes(i);
      } else if (i === undefined && existing) target = `urn:uuid:${existing[1].toLowerCase()}`;
      if (!target) return void metadata.push({ code: 'invalid', diagnostics: `entry ${ref ?? ''} names no DocumentReference${kind === 'submissionset' ? ' or Folder' : ''} of the Bundle nor DocumentReference/{entryUUID}`, expression: [at(pkgIndex, `.resource.entry[${k}]`)] });
      const status = kind === 'submissionset' && (original || !folders.includes(i ?? -1)) ? [{ name: 'SubmissionSetStatus', values: [original ? 'Original' : 'Reference'] }] : [];
      objects.push(registryObject<Association>(`${source}-member${k}`, { type: 'Association', associationType: AssociationTypes.hasMember, sourceObject: source, targetObject: target, slots: status }));
    });
  };
  members(ssIndex, 'submissionset');
  for (const f of folders) members(f, 'folder');
  // A registered Folder updated (PUT List/{entryUUID}): the documents of this Bundle among its entries
  // become members (ITI TF-2b 3.42.4.1.3.4), each membership itself a member of the SubmissionSet;
  // entries already registered stay as they are (3.65.4.1.2.1: an update may only add entries).
  for (const u of folderUpdates) {
    const list = entries[u.i].resource as List;
    (list.entry ?? []).forEach((m, k) => {
      const i = resolve(m.item?.reference);
      if (i !== undefined && docs.includes(i)) {
        const membership = `${u.uuid}-member${k}`;
        objects.push(registryObject<Association>(membership, { type: 'Association', associationType: AssociationTypes.hasMember, sourceObject: u.uuid, targetObject: idOf.get(i)! }));
        objects.push(registryObject<Association>(`${membership}-ss`, { type: 'Association', associationType: AssociationTypes.hasMember, sourceObject: ssId, targetObject: membership }));
      } else if (!DOC_REF_URL.test(m.item?.reference ?? '')) {
        metadata.push({ code: 'invalid', diagnostics: `entry ${m.item?.reference ?? ''} names no DocumentReference of the Bundle nor a registered one`, expression: [at(u.i, `.resource.entry[${k}]`)] });
      }
    });
    entryOf.set(u.uuid, u.i);
    responses[u.i] = { status: '200 OK', location: `List/${fhirIdOf(u.uuid)}` };
  }

  if (metadata.length) throw new MhdError(422, metadata);
  return { objects, documents, patientId, responses, entryOf };
}

/** The entry a registry error's location (an object id, or the id of one of its parts) came from. */
export function entryOfLocation(plan: ProvidePlan, location: string | undefined): number | undefined {
  if (!location) return undefined;
  if (plan.entryOf.has(location)) return plan.entryOf.get(location);
  for (const [id, i] of plan.entryOf) if (location.startsWith(`${id}-`)) return i;
  return undefined;
}
