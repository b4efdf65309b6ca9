/**
 * The XDS Document Registry as a service: typed submissions in, typed errors out, every change in
 * the caller's one write transaction. ITI-42 (and ITI-41 through the repository), ITI-57 and ITI-62
 * over SOAP are thin edges over it, and so is the SS-MIX2 ingest.
 */
import { randomUUID } from 'node:crypto';
import { isUuid, setSlot, type Identifiable, type RegistryObject, type RegistryPackage } from '../../ebxml/rim.ts';
import type { RegistryError } from '../../ebxml/registryResponse.ts';
import type { IdentityService } from '../../identity/service.ts';
import type { ReadTx, WriteTx } from '../../store/types.ts';
import type { NewEntry, StoredEntry } from './entries.ts';
import { ErrorCollector } from './errors.ts';
import {
  associationIndex,
  documentIndex,
  externalId,
  folderIndex,
  parsePatientCx,
  partition,
  submissionSetIndex,
  type EntryIndex,
  type Submission,
} from './metadata.ts';
import { AssociationTypes, DOCUMENT_RELATIONSHIPS, DocumentEntrySchemes, FolderSchemes, REPLACING, Status, SubmissionSetSchemes } from './schemes.ts';
import { extraMetadataSlots, validateSubmission } from './validate.ts';

export interface RegistryConfig {
  /** The affinity domain's assigning authority (config identity.regional.authority.oid). */
  affinityDomainOid: string;
  /** Keep extra metadata slots (ITI TF-3 4.2.3.1.6); when false they are dropped with XDSExtraMetadataNotSaved. */
  saveExtraMetadata: boolean;
}

/** What a registration is known by, for the response, the audit and the caller. */
export interface SubmissionSummary {
  patientId?: string;
  submissionSetUniqueId?: string;
  submissionSetUuid?: string;
  documents: { uuid: string; uniqueId?: string }[];
}

export interface RegisterOutcome extends SubmissionSummary {
  warnings: RegistryError[];
}

export function summarize(objects: Identifiable[]): SubmissionSummary {
  const sub = partition(objects.map((o) => structuredClone(o)));
  const ss = sub.submissionSets[0];
  return {
    patientId: ss ? externalId(ss, SubmissionSetSchemes.patientId) : sub.documents[0] && externalId(sub.documents[0], DocumentEntrySchemes.patientId),
    submissionSetUniqueId: ss ? externalId(ss, SubmissionSetSchemes.uniqueId) : undefined,
    submissionSetUuid: ss?.id,
    documents: sub.documents.map((d) => ({ uuid: d.id, uniqueId: externalId(d, DocumentEntrySchemes.uniqueId) })),
  };
}

/** HL7 DTM of now, to the second, UTC. */
export function nowDtm(): string {
  return new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** Replaces symbolic ids by UUIDs everywhere in the submission (ITI TF-3 4.2.3.1.5). */
function assignUuids(sub: Submission): void {
  const map = new Map<string, string>();
  const all: RegistryObject[] = [...sub.documents, ...sub.submissionSets, ...sub.folders, ...sub.associations, ...sub.classifications];
  const visit = (o: RegistryObject) => {
    if (!isUuid(o.id) && !map.has(o.id)) map.set(o.id, `urn:uuid:${randomUUID()}`);
    for (const c of o.classifications) visit(c);
    for (const e of o.externalIdentifiers) visit(e);
  };
  all.forEach(visit);
  const r = (v: string) => map.get(v) ?? v;
  const rewrite = (o: RegistryObject) => {
    o.id = r(o.id);
    if (o.lid) o.lid = r(o.lid);
    if (o.type === 'Association') {
      o.sourceObject = r(o.sourceObject);
      o.targetObject = r(o.targetObject);
    }
    if (o.type === 'Classification') o.classifiedObject = r(o.classifiedObject);
    if (o.type === 'ExternalIdentifier') o.registryObject = r(o.registryObject);
    o.classifications.forEach(rewrite);
    o.externalIdentifiers.forEach(rewrite);
  };
  all.forEach(rewrite);
}

export class RegistryService {
  constructor(
    readonly cfg: RegistryConfig,
    private readonly identity: IdentityService,
  ) {}

  /** The person a patient ID of the affinity domain belongs to (following merges), or undefined. */
  async resolvePatient(tx: ReadTx, patientId: string): Promise<number | undefined> {
    const cx = parsePatientCx(patientId);
    if (!cx || cx.oid !== this.cfg.affinityDomainOid) return undefined;
    const r = await this.identity.resolve(tx, this.identity.domains.regional, cx.id);
    return r.kind === 'person' ? r.person.id : undefined;
  }

  /**
   * ITI-42 Register Document Set-b (ITI TF-2b 3.42.4.1.3): validates the whole submission and, when
   * it has no error, registers all of it; otherwise throws XdsErrors and registers nothing.
   */
  async register(tx: WriteTx, objects: Identifiable[]): Promise<RegisterOutcome> {
    const sub = partition(objects.map((o) => structuredClone(o)));
    const ec = new ErrorCollector();
    validateSubmission(sub, ec, { requireRepositoryAttributes: true });
    ec.throwIfAny();

    const ss = sub.submissionSets[0];
    const patientId = externalId(ss, SubmissionSetSchemes.patientId)!;
    const personId = await this.resolvePatient(tx, patientId);
    if (personId === undefined) ec.add('XDSUnknownPatientId', `patient ${patientId} is not known to the registry's affinity domain (${this.cfg.affinityDomainOid})`, ss.id);
    ec.throwIfAny();

    // Extra metadata (ITI TF-3 4.2.3.1.6).
    for (const d of sub.documents) {
      const extra = extraMetadataSlots(d);
      if (extra.length > 0 && !this.cfg.saveExtraMetadata) {
        d.slots = d.slots.filter((s) => !extra.includes(s.name));
        ec.warn('XDSExtraMetadataNotSaved', `extra metadata slots not saved: ${extra.join(', ')}`, d.id);
      }
    }

    await this.checkUniqueIds(tx, sub, ec);
    assignUuids(sub);
    const refs = await this.checkReferences(tx, sub, patientId, ec);
    ec.throwIfAny();

    // Register: everything Approved, version 1, the logical id the entryUUID unless the submission gave one.
    const submissionTime = nowDtm();
    const entries: NewEntry[] = [];
    const entry = (o: RegistryObject, index: EntryIndex): NewEntry => {
      o.status = Status.approved;
      if (o.type !== 'Association') {
        o.lid = o.lid && o.lid !== o.id ? o.lid : o.id;
        o.versionName = '1';
      }
      return { uuid: o.id, kind: index.kind, lid: o.type === 'Association' ? o.id : o.lid!, version: 1, status: Status.approved, personId: o.type === 'Association' ? null : personId!, object: o, index };
    };
    for (const d of sub.documents) entries.push(entry(d, documentIndex(d)));
    entries.push(entry(ss, submissionSetIndex(ss)));
    for (const f of sub.folders) {
      setSlot(f, 'lastUpdateTime', [submissionTime]);
      entries.push(entry(f, folderIndex(f)));
    }
    for (const a of sub.associations) entries.push(entry(a, associationIndex()));
    for (const e of entries) await tx.registry.insertEntry(e);

    // Replaced documents are deprecated (ITI TF-3 4.2.2.2.1).
    for (const uuid of refs.deprecate) await tx.registry.setStatus(uuid, Status.deprecated);
    // A document added to an existing folder updates the folder's lastUpdateTime (ITI TF-3 4.2.3.4.1).
    for (const folder of refs.touchedFolders) {
      setSlot(folder.object, 'lastUpdateTime', [submissionTime]);
      await tx.registry.replaceObject(toNewEntry(folder, folderIndex(folder.object as RegistryPackage)));
    }
    return {
      warnings: ec.items.filter((e) => e.severity === 'Warning'),
      patientId,
      submissionSetUniqueId: externalId(ss, SubmissionSetSchemes.uniqueId),
      submissionSetUuid: ss.id,
      documents: sub.documents.map((d) => ({ uuid: d.id, uniqueId: externalId(d, DocumentEntrySchemes.uniqueId) })),
    };
  }

  /**
   * Deprecates Approved DocumentEntries in the caller's write (the status change of ITI-57, ITI TF-3
   * 4.2.2.2.1 for replaced documents). Used by the SS-MIX2 ingest for deleted and superseded data.
   */
  async deprecateDocuments(tx: WriteTx, uuids: string[]): Promise<void> {
    for (const e of await tx.registry.entries(uuids)) {
      if (e.kind === 'DocumentEntry' && e.status === Status.approved) await tx.registry.setStatus(e.uuid, Status.deprecated);
    }
  }

  /**
   * Removes DocumentEntries with every association to or from them, and the SubmissionSets left
   * without members (what ITI-62 removes, ITI TF-2b 3.62.4.1.3). Used by the SS-MIX2 ingest when
   * config says deleted data are removed.
   */
  async removeDocuments(tx: WriteTx, uuids: string[]): Promise<void> {
    const docs = (await tx.registry.entries(uuids)).filter((e) => e.kind === 'DocumentEntry').map((e) => e.uuid);
    if (docs.length === 0) return;
    const assocs = await tx.registry.associations({ either: docs }, Number.MAX_SAFE_INTEGER);
    const sets = new Set(assocs.filter((a) => a.object.type === 'Association' && a.object.associationType === AssociationTypes.hasMember).map((a) => (a.object as { sourceObject: string }).sourceObject));
    await tx.registry.deleteEntries([...docs, ...assocs.map((a) => a.uuid)]);
    for (const ss of await tx.registry.entries([...sets])) {
      if (ss.kind !== 'SubmissionSet') continue;
      const left = await tx.registry.associations({ sources: [ss.uuid], types: [AssociationTypes.hasMember] }, 1);
      if (left.length === 0) {
        const rest = await tx.registry.associations({ either: [ss.uuid] }, Number.MAX_SAFE_INTEGER);
        await tx.registry.deleteEntries([ss.uuid, ...rest.map((a) => a.uuid)]);
      }
    }
  }

  /** uniqueIds already in the registry: a DocumentEntry's only with another hash or size, a SubmissionSet's or Folder's never. */
  private async checkUniqueIds(tx: ReadTx, sub: Submission, ec: ErrorCollector): Promise<void> {
    const docs = sub.documents.map((d) => documentIndex(d));
    const existing = await tx.registry.entriesByUniqueId('DocumentEntry', docs.map((d) => d.uniqueId!).filter(Boolean));
    for (const d of docs) {
      for (const e of existing.filter((x) => x.uniqueId === d.uniqueId)) {
        if (d.hash && e.hash && d.hash.toLowerCase() !== e.hash.toLowerCase()) {
          ec.add('XDSNonIdenticalHash', `DocumentEntry uniqueId ${d.uniqueId} is registered with another hash`, d.uniqueId);
        } else if (d.size !== undefined && e.size !== null && d.size !== e.size) {
          ec.add('XDSNonIdenticalSize', `DocumentEntry uniqueId ${d.uniqueId} is registered with another size`, d.uniqueId);
        }
        break;
      }
    }
    for (const [kind, list, index] of [
      ['SubmissionSet', sub.submissionSets, submissionSetIndex],
      ['Folder', sub.folders, folderIndex],
    ] as const) {
      const uids = list.map((p) => index(p).uniqueId!).filter(Boolean);
      for (const e of await tx.registry.entriesByUniqueId(kind, uids)) {
        ec.add('XDSDuplicateUniqueIdInRegistry', `${kind} uniqueId ${e.uniqueId} is already registered`, e.uniqueId ?? undefined);
      }
    }
    const uuids = [...sub.documents, ...sub.submissionSets, ...sub.folders, ...sub.associations].map((o) => o.id).filter(isUuid);
    for (const e of await tx.registry.entries(uuids)) ec.add('XDSRegistryMetadataError', `entryUUID ${e.uuid} is already registered`, e.uuid);
  }

  /**
   * Associations to objects already in the registry (after UUIDs are assigned): they must exist,
   * belong to the same patient, and a document relationship must target an Approved DocumentEntry.
   */
  private async checkReferences(tx: ReadTx, sub: Submission, patientId: string, ec: ErrorCollector): Promise<{ deprecate: string[]; touchedFolders: StoredEntry[] }> {
    const local = new Set([...sub.documents, ...sub.submissionSets, ...sub.folders, ...sub.associations].map((o) => o.id));
    const external = new Set<string>();
    for (const a of sub.associations) for (const end of [a.sourceObject, a.targetObject]) if (!local.has(end)) external.add(end);
    const found = new Map((await tx.registry.entries([...external])).map((e) => [e.uuid, e]));
    const deprecate: string[] = [];
    const touchedFolders = new Map<string, StoredEntry>();
    const ss = sub.submissionSets[0];
    const docIds = new Set(sub.documents.map((d) => d.id));
    for (const a of sub.associations) {
      for (const end of [a.sourceObject, a.targetObject]) {
        if (local.has(end)) continue;
        const e = found.get(end);
        if (!e) {
          ec.add('XDSRegistryMetadataError', `Association ${a.id}: ${end} is neither in the submission nor in the registry`, a.id);
          continue;
        }
        const p = patientOf(e.object);
        if (p && p !== patientId) ec.add('XDSPatientIdDoesNotMatch', `Association ${a.id}: ${end} belongs to patient ${p}, the submission to ${patientId}`, a.id);
      }
      if (DOCUMENT_RELATIONSHIPS.includes(a.associationType)) {
        if (!docIds.has(a.sourceObject)) ec.add('XDSRegistryMetadataError', `Association ${a.id}: the source of ${a.associationType.split(':').pop()} must be a DocumentEntry of the submission`, a.id);
        const target = found.get(a.targetObject);
        if (target && a.associationType !== AssociationTypes.signs) {
          if (target.kind !== 'DocumentEntry') ec.add('XDSRegistryMetadataError', `Association ${a.id}: the target ${a.targetObject} is not a DocumentEntry`, a.id);
          else if (target.status !== Status.approved) ec.add('XDSRegistryDeprecatedDocumentError', `Association ${a.id}: the target DocumentEntry ${a.targetObject} is not Approved`, a.id);
          else if (REPLACING.includes(a.associationType)) deprecate.push(target.uuid);
        }
      }
      if (a.associationType === AssociationTypes.hasMember) {
        const source = found.get(a.sourceObject);
        if (source?.kind === 'Folder') touchedFolders.set(source.uuid, source);
        if (a.sourceObject !== ss.id && !source && !sub.folders.some((f) => f.id === a.sourceObject)) {
          ec.add('XDSRegistryMetadataError', `Association ${a.id}: HasMember from ${a.sourceObject}, which is neither the SubmissionSet nor a Folder`, a.id);
        }
      }
    }
    return { deprecate, touchedFolders: [...touchedFolders.values()] };
  }
}

export function patientOf(o: RegistryObject): string | undefined {
  if (o.type === 'ExtrinsicObject') return externalId(o, DocumentEntrySchemes.patientId);
  if (o.type === 'RegistryPackage') return externalId(o, SubmissionSetSchemes.patientId) ?? externalId(o, FolderSchemes.patientId);
  return undefined;
}

export function toNewEntry(e: StoredEntry, index: EntryIndex): NewEntry {
  return { uuid: e.uuid, kind: e.kind, lid: e.lid, version: e.version, status: e.status, personId: e.personId, object: e.object, index };
}
