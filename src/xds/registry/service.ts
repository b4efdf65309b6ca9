/**
 * The XDS Document Registry as a service: typed submissions in, typed errors out, every change in
 * the caller's one write transaction. ITI-42 (and ITI-41 through the repository), ITI-57 and ITI-62
 * over SOAP are thin edges over it, and so is the SS-MIX2 ingest.
 */
import { randomUUID } from 'node:crypto';
import { isUuid, setSlot, type Identifiable, type RegistryObject } from '../../ebxml/rim.ts';
import type { RegistryError } from '../../ebxml/registryResponse.ts';
import type { IdentityService } from '../../identity/service.ts';
import type { ReadTx, WriteTx } from '../../store/types.ts';
import type { NewEntry } from './entries.ts';
import { ErrorCollector } from './errors.ts';
import {
  associationIndex,
  cloneObjects,
  workingCopy,
  documentIndex,
  externalId,
  folderIndex,
  parsePatientCx,
  partition,
  submissionSetIndex,
  type EntryIndex,
  type Submission,
} from './metadata.ts';
import { AssociationTypes, DocumentEntrySchemes, Status, SubmissionSetSchemes } from './schemes.ts';
import { applyReferences, checkReferences } from './references.ts';
import { removeMetadata, type RemoveOutcome } from './remove.ts';
import { updateDocumentSet, type UpdateOutcome } from './update.ts';
import { applyExtraMetadataPolicy, validateSubmission } from './validate.ts';
import { refuseIndividualNumbers } from './individualNumber.ts';

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

export interface RegisterOptions {
  /** Accept On-Demand DocumentEntries (ITI-61's registration; ITI-41/42 carry Stable ones only). */
  onDemand?: boolean;
  /**
   * The caller hands the objects over (a request decoded for this call only): they are worked on
   * in a working copy of the objects and their lists (ids assigned, statuses set), not a deep copy.
   * Either way the caller's objects are left as they were, so a write that runs again (a PostgreSQL
   * retry) registers the same request.
   */
  owned?: boolean;
  /** The domain key of the facility whose node submits (recorded on every entry; null when not known). */
  facility?: string | null;
  /** Who submits (the node and user names), for observers that keep a history. */
  submitter?: string;
}

/**
 * Told of every registration, in its write, after its entries are inserted (e.g. a BPPC consent
 * document records the patient's consent): throwing XdsErrors refuses the whole submission.
 */
export type RegistrationObserver = (tx: WriteTx, registered: { entries: NewEntry[]; personId: number; facility: string | null; submitter?: string }) => Promise<void>;

export interface RegisterOutcome extends SubmissionSummary {
  warnings: RegistryError[];
}

export function summarize(objects: Identifiable[]): SubmissionSummary {
  const sub = partition(objects);
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
export function assignUuids(sub: Submission): void {
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
    private readonly observers: readonly RegistrationObserver[] = [],
  ) {}

  /**
   * The person of a patient ID of the affinity domain, or undefined when the ID is unknown or was
   * subsumed by an A40 merge: a subsumed ID is rejected by registrations with XDSUnknownPatientId and
   * finds nothing in queries, while the survivor finds the whole merge chain (ITI TF-2 3.8.4.2.4).
   */
  async resolvePatient(tx: ReadTx, patientId: string): Promise<number | undefined> {
    const cx = parsePatientCx(patientId);
    if (!cx || cx.oid !== this.cfg.affinityDomainOid) return undefined;
    const r = await this.identity.resolve(tx, this.identity.domains.regional, cx.id);
    if (r.kind !== 'person') return undefined;
    const own = await tx.identity.personByRegionalId(cx.id);
    return own && own.id === r.person.id ? r.person.id : undefined;
  }

  /**
   * ITI-42 Register Document Set-b (ITI TF-2b 3.42.4.1.3): validates the whole submission and, when
   * it has no error, registers all of it; otherwise throws XdsErrors and registers nothing.
   */
  async register(tx: WriteTx, objects: Identifiable[], opts: RegisterOptions = {}): Promise<RegisterOutcome> {
    refuseIndividualNumbers(objects, this.identity.domains.individualNumber);
    const sub = partition(opts.owned ? workingCopy(objects) : cloneObjects(objects));
    const ec = new ErrorCollector();
    validateSubmission(sub, ec, { requireRepositoryAttributes: true, onDemand: opts.onDemand });
    // A lid other than the id submits a new version of a registered object: only ITI-57 does that.
    for (const o of [...sub.documents, ...sub.submissionSets, ...sub.folders]) {
      if (o.lid && o.lid !== o.id) ec.add('XDSRegistryMetadataError', `${o.id}: lid ${o.lid} differs from the id; new versions are submitted with Update Document Set [ITI-57]`, o.id);
    }
    ec.throwIfAny();

    const ss = sub.submissionSets[0];
    const patientId = externalId(ss, SubmissionSetSchemes.patientId)!;
    const personId = await this.resolvePatient(tx, patientId);
    if (personId === undefined) ec.add('XDSUnknownPatientId', `patient ${patientId} is not known to the registry's affinity domain (${this.cfg.affinityDomainOid})`, ss.id);
    ec.throwIfAny();

    applyExtraMetadataPolicy(sub.documents, this.cfg.saveExtraMetadata, ec);

    await this.checkUniqueIds(tx, sub, ec);
    assignUuids(sub);
    const refs = await checkReferences(tx, sub, new Set(await tx.registry.personsOf(personId!)), ec);
    ec.throwIfAny();

    // Register: everything Approved, version 1, the logical id the entryUUID unless the submission gave one.
    const submissionTime = nowDtm();
    const entries: NewEntry[] = [];
    const entry = (o: RegistryObject, index: EntryIndex): NewEntry => {
      o.status = Status.approved;
      if (o.type !== 'Association') {
        o.lid = o.id;
        o.versionName = '1';
      }
      return { uuid: o.id, kind: index.kind, lid: o.type === 'Association' ? o.id : o.lid!, version: 1, status: Status.approved, personId: o.type === 'Association' ? null : personId!, object: o, facility: opts.facility ?? null, index };
    };
    for (const d of sub.documents) entries.push(entry(d, documentIndex(d)));
    entries.push(entry(ss, submissionSetIndex(ss)));
    for (const f of sub.folders) {
      setSlot(f, 'lastUpdateTime', [submissionTime]);
      entries.push(entry(f, folderIndex(f)));
    }
    for (const a of sub.associations) entries.push(entry(a, associationIndex()));
    for (const e of entries) await tx.registry.insertEntry(e);

    await applyReferences(tx, refs, ss.id, submissionTime, opts.facility ?? null);
    for (const observe of this.observers) await observe(tx, { entries, personId: personId!, facility: opts.facility ?? null, submitter: opts.submitter });
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
      // A SubmissionSet's uniqueId is the uniqueId of no other object (ITI TF-2b 3.42.4.1.3.3.7); a Folder's of no other Folder.
      const kinds = kind === 'SubmissionSet' ? (['SubmissionSet', 'Folder', 'DocumentEntry'] as const) : ([kind] as const);
      for (const k of kinds) {
        for (const e of await tx.registry.entriesByUniqueId(k, uids)) {
          ec.add('XDSDuplicateUniqueIdInRegistry', `${kind} uniqueId ${e.uniqueId} is already the uniqueId of a registered ${k}`, e.uniqueId ?? undefined);
        }
      }
    }
    const uuids = [...sub.documents, ...sub.submissionSets, ...sub.folders, ...sub.associations].map((o) => o.id).filter(isUuid);
    for (const e of await tx.registry.entries(uuids)) ec.add('XDSRegistryMetadataError', `entryUUID ${e.uuid} is already registered`, e.uuid);
  }

  /**
   * ITI-57 Update Document Set (XDS Metadata Update, ITI TF-2b 3.57.4.1.3): new versions, status
   * changes and added associations, all in the caller's write or none (update.ts).
   */
  async update(tx: WriteTx, objects: Identifiable[], opts: { owned?: boolean; facility?: string | null } = {}): Promise<UpdateOutcome> {
    refuseIndividualNumbers(objects, this.identity.domains.individualNumber);
    return updateDocumentSet(
      { resolvePatient: (t, p) => this.resolvePatient(t, p), assignUuids, saveExtraMetadata: this.cfg.saveExtraMetadata, now: nowDtm, facility: opts.facility ?? null },
      tx,
      opts.owned ? workingCopy(objects) : cloneObjects(objects),
    );
  }

  /** ITI-62 Remove Metadata (RMD, ITI TF-2b 3.62.4.1.3): the named objects, all or none (remove.ts). */
  removeMetadata(tx: WriteTx, entryUuids: string[]): Promise<RemoveOutcome> {
    return removeMetadata(tx, entryUuids);
  }
}

export { toNewEntry } from './entries.ts';
