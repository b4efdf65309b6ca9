/**
 * ITI-57 Update Document Set at the Document Registry (XDS Metadata Update supplement, ITI TF-2b
 * 3.57.4.1.3): a SubmissionSet carrying update operations, applied all together or not at all.
 *
 * The operations, each recognised by its trigger in the request:
 * - Update DocumentEntry / Folder metadata (3.57.4.1.3.3.1, .3.3): a new version whose lid names an
 *   existing logical object and whose SubmissionSet HasMember carries PreviousVersion. It becomes
 *   version latest+1; the previous version is Deprecated; AssociationPropagation (default yes) copies
 *   the previous version's Folder memberships and document relationships to the new one.
 * - Update availabilityStatus (3.57.4.1.3.3.2, .3.6): an UpdateAvailabilityStatus association from
 *   the SubmissionSet to a DocumentEntry or an Association, with OriginalStatus and NewStatus.
 * - Add an association between objects already registered (3.57.4.1.3.3.4): the SubmissionSet
 *   points at it with SubmitAssociation (or, as in ITI-42, with an SS-HM HasMember).
 *
 * Anything else in the request is refused with XDSMetadataUpdateOperationError.
 */
import { isUuid, setSlot, slotValue, slotValues, type Association, type Identifiable, type ExtrinsicObject, type RegistryObject, type RegistryPackage } from '../../ebxml/rim.ts';
import type { RegistryError } from '../../ebxml/registryResponse.ts';
import type { ReadTx, WriteTx } from '../../store/types.ts';
import { toNewEntry, type NewEntry, type StoredEntry } from './entries.ts';
import { ErrorCollector } from './errors.ts';
import { associationIndex, documentIndex, externalId, folderIndex, partition, submissionSetIndex, type EntryIndex, type Submission } from './metadata.ts';
import { AssociationTypes, DOCUMENT_RELATIONSHIPS, DocumentEntrySchemes, FolderSchemes, Status, SubmissionSetSchemes } from './schemes.ts';
import { insertAssociation } from './references.ts';
import { applyExtraMetadataPolicy, validateSubmission } from './validate.ts';

export interface UpdateContext {
  /** The person of an affinity-domain patient ID that is not subsumed by a merge. */
  resolvePatient(tx: ReadTx, patientId: string): Promise<number | undefined>;
  assignUuids(sub: Submission): void;
  saveExtraMetadata: boolean;
  now(): string;
  /** The domain key of the submitting node's facility, recorded on every entry the update writes. */
  facility: string | null;
}

export interface UpdateOutcome {
  warnings: RegistryError[];
  patientId?: string;
  submissionSetUniqueId?: string;
  submissionSetUuid?: string;
  /** entryUUIDs of the new versions and of the objects whose status changed. */
  changed: string[];
}

const STATUSES: readonly string[] = [Status.approved, Status.deprecated];
const short = (t: string) => t.split(':').pop();

interface VersionedUpdate {
  object: ExtrinsicObject | RegistryPackage;
  kind: 'DocumentEntry' | 'Folder';
  member: Association;
  previous: StoredEntry;
  propagate: boolean;
  status: string;
}

interface StatusChange {
  association: Association;
  target: string;
  from: string;
  to: string;
}

/** Reads a single-valued slot; a missing or repeated one is the operation's error. */
function single(o: RegistryObject, name: string, ec: ErrorCollector, why: string): string | undefined {
  const v = slotValues(o, name);
  if (!v || v.length !== 1 || !v[0]) {
    ec.add('XDSMetadataUpdateError', `${why}: slot ${name} must have exactly one value`, o.id);
    return undefined;
  }
  return v[0];
}

/** `objects` are worked on in place: the caller passes a copy it owns. */
export async function updateDocumentSet(ctx: UpdateContext, tx: WriteTx, objects: Identifiable[]): Promise<UpdateOutcome> {
  const sub = partition(objects);
  const ec = new ErrorCollector();
  validateSubmission(sub, ec, { requireRepositoryAttributes: true, transaction: 'update' });
  ec.throwIfAny();

  const ss = sub.submissionSets[0];
  const patientId = externalId(ss, SubmissionSetSchemes.patientId)!;
  const personId = await ctx.resolvePatient(tx, patientId);
  if (personId === undefined) ec.add('XDSUnknownPatientId', `patient ${patientId} is not known to the registry's affinity domain`, ss.id);
  ec.throwIfAny();
  const persons = new Set(await tx.registry.personsOf(personId!));

  // Versioned objects carry a UUID lid other than their id; an initial version is not an update
  // (ITI TF-2b 3.57.4.1.3.1), and the SubmissionSet is always an initial version.
  if (ss.lid && ss.lid !== ss.id) ec.add('XDSMetadataUpdateError', `SubmissionSet ${ss.id}: a SubmissionSet is never updated (lid ${ss.lid})`, ss.id);
  for (const o of [...sub.documents, ...sub.folders]) {
    const kind = o.type === 'ExtrinsicObject' ? 'DocumentEntry' : 'Folder';
    if (!o.lid || o.lid === o.id) ec.add('XDSMetadataUpdateError', `${kind} ${o.id}: an initial version (no lid, or lid equal to id) is not accepted by Update Document Set; register it with ITI-42`, o.id);
    else if (!isUuid(o.lid)) ec.add('XDSMetadataUpdateError', `${kind} ${o.id}: logicalID '${o.lid}' is not a UUID`, o.id);
  }
  applyExtraMetadataPolicy(sub.documents, ctx.saveExtraMetadata, ec);
  const ssUid = externalId(ss, SubmissionSetSchemes.uniqueId)!;
  for (const kind of ['DocumentEntry', 'SubmissionSet', 'Folder'] as const) {
    for (const e of await tx.registry.entriesByUniqueId(kind, [ssUid])) ec.add('XDSDuplicateUniqueIdInRegistry', `SubmissionSet uniqueId ${ssUid} is already the uniqueId of ${kind} ${e.uuid}`, ssUid);
  }
  for (const e of await tx.registry.entries([ss.id, ...sub.documents.map((d) => d.id), ...sub.folders.map((f) => f.id), ...sub.associations.map((a) => a.id)].filter(isUuid))) {
    ec.add('XDSRegistryMetadataError', `entryUUID ${e.uuid} is already registered`, e.uuid);
  }
  ec.throwIfAny();
  ctx.assignUuids(sub);

  const inRequest = new Map<string, RegistryObject>([...sub.documents, ...sub.folders, ...sub.associations].map((o) => [o.id, o]));
  const handled = new Set<string>();
  const members = new Map<string, Association>();
  for (const a of sub.associations) if (a.associationType === AssociationTypes.hasMember && a.sourceObject === ss.id) members.set(a.targetObject, a);

  // 1. New versions of DocumentEntries and Folders.
  const updates: VersionedUpdate[] = [];
  const lids = [...sub.documents, ...sub.folders].map((o) => o.lid!);
  const versions = new Map<string, StoredEntry[]>();
  for (const e of await tx.registry.entriesByLid(lids)) versions.set(e.lid, [...(versions.get(e.lid) ?? []), e]);
  for (const o of [...sub.documents, ...sub.folders]) {
    const kind = o.type === 'ExtrinsicObject' ? 'DocumentEntry' : 'Folder';
    const member = members.get(o.id)!;
    handled.add(member.id);
    const where = `${kind} ${o.id} (lid ${o.lid})`;
    const previousVersion = single(member, 'PreviousVersion', ec, `${where}: the SubmissionSet HasMember association`);
    const propagation = slotValue(member, 'AssociationPropagation') ?? 'yes';
    if (propagation !== 'yes' && propagation !== 'no') ec.add('XDSMetadataUpdateError', `${where}: AssociationPropagation is 'yes' or 'no', not '${propagation}'`, member.id);
    const all = (versions.get(o.lid!) ?? []).filter((e) => e.kind === kind);
    const previous = all.reduce<StoredEntry | undefined>((a, b) => (!a || b.version > a.version ? b : a), undefined);
    if (!previous) {
      ec.add('XDSMetadataUpdateError', `${where}: no ${kind} with this logicalID is registered`, o.id);
      continue;
    }
    if (previousVersion !== undefined && previousVersion !== String(previous.version)) {
      ec.add('XDSMetadataVersionError', `${where}: PreviousVersion is ${previousVersion}, the latest registered version is ${previous.version}`, o.id);
    }
    checkImmutable(o, previous, kind, where, ec);
    if (kind === 'Folder' && previous.status !== Status.approved) {
      ec.add('XDSMetadataUpdateError', `${where}: the latest version is ${short(previous.status)}; only an Approved Folder is updated`, o.id);
    }
    // A Deprecated DocumentEntry's new version stays Deprecated: an update never revives a document.
    updates.push({ object: o, kind, member, previous, propagate: propagation !== 'no', status: kind === 'Folder' ? Status.approved : previous.status });
  }

  // 2. Status changes (UpdateAvailabilityStatus) and 3. submitted associations.
  const changes: StatusChange[] = [];
  const submitted: Association[] = [];
  for (const a of sub.associations) {
    if (a.associationType === AssociationTypes.updateAvailabilityStatus) {
      handled.add(a.id);
      const change = await statusChange(tx, a, ss.id, updates, persons, ec);
      if (change) changes.push(change);
    } else if (a.sourceObject === ss.id && (a.associationType === AssociationTypes.submitAssociation || a.associationType === AssociationTypes.hasMember)) {
      const target = inRequest.get(a.targetObject);
      if (target?.type === 'Association') {
        handled.add(a.id);
        handled.add(target.id);
        submitted.push(target);
      }
    }
  }
  for (const a of submitted) await checkSubmittedAssociation(tx, a, persons, ec);
  for (const a of sub.associations) {
    if (!handled.has(a.id)) ec.add('XDSMetadataUpdateOperationError', `Association ${a.id} (${short(a.associationType)} ${a.sourceObject} -> ${a.targetObject}) is not part of any update operation`, a.id);
  }
  if (updates.length === 0 && changes.length === 0 && submitted.length === 0) {
    ec.add('XDSMetadataUpdateOperationError', 'the request holds no update operation (new version, UpdateAvailabilityStatus or submitted association)', ss.id);
  }
  ec.throwIfAny();

  // Everything checked: write.
  const now = ctx.now();
  const changed: string[] = [];
  const touchedFolders = new Set<string>();
  const insert = (o: RegistryObject, index: EntryIndex, version: number, status: string, person: number | null) => {
    o.status = status;
    if (o.type !== 'Association') o.versionName = String(version);
    const e: NewEntry = { uuid: o.id, kind: index.kind, lid: o.type === 'Association' ? o.id : o.lid ?? o.id, version, status, personId: person, object: o, facility: ctx.facility, index };
    return tx.registry.insertEntry(e);
  };
  const newAssociation = (type: string, source: string, target: string) => insertAssociation(tx, type, source, target, ctx.facility);

  ss.lid = ss.id;
  await insert(ss, submissionSetIndex(ss), 1, Status.approved, personId!);
  const finalStatus = new Map(changes.filter((c) => inRequest.has(c.target)).map((c) => [c.target, c.to]));
  for (const u of updates) {
    const version = u.previous.version + 1;
    if (u.kind === 'Folder') setSlot(u.object, 'lastUpdateTime', [now]);
    const index = u.kind === 'DocumentEntry' ? documentIndex(u.object as ExtrinsicObject) : folderIndex(u.object as RegistryPackage);
    await insert(u.object, index, version, finalStatus.get(u.object.id) ?? u.status, personId!);
    await tx.registry.setStatus(u.previous.uuid, Status.deprecated);
    changed.push(u.object.id);
    if (!u.propagate) continue;
    // Association propagation (3.57.4.1.3.3.1.5, 3.57.4.1.3.3.3): what held the previous version holds the new one.
    if (u.kind === 'DocumentEntry') {
      for (const fd of await approvedAssociations(tx, { targets: [u.previous.uuid], types: [AssociationTypes.hasMember] })) {
        const folder = fd.object as Association;
        const [f] = await tx.registry.entries([folder.sourceObject]);
        if (f?.kind !== 'Folder' || f.status !== Status.approved) continue;
        await newAssociation(AssociationTypes.hasMember, ss.id, await newAssociation(AssociationTypes.hasMember, f.uuid, u.object.id));
        touchedFolders.add(f.uuid);
      }
      for (const r of await approvedAssociations(tx, { either: [u.previous.uuid], types: [...DOCUMENT_RELATIONSHIPS] })) {
        const rel = r.object as Association;
        const swap = (end: string) => (end === u.previous.uuid ? u.object.id : end);
        await newAssociation(rel.associationType, swap(rel.sourceObject), swap(rel.targetObject));
      }
    } else {
      for (const fd of await approvedAssociations(tx, { sources: [u.previous.uuid], types: [AssociationTypes.hasMember] })) {
        await newAssociation(AssociationTypes.hasMember, ss.id, await newAssociation(AssociationTypes.hasMember, u.object.id, (fd.object as Association).targetObject));
      }
    }
  }
  for (const a of sub.associations) {
    const target = submitted.find((s) => s.id === a.id);
    await insert(a, associationIndex(), 1, Status.approved, null);
    if (target && target.associationType === AssociationTypes.hasMember) touchedFolders.add(target.sourceObject);
  }
  for (const c of changes) {
    if (inRequest.has(c.target)) continue;
    await tx.registry.setStatus(c.target, c.to);
    changed.push(c.target);
  }
  // A document placed into a Folder updates the Folder's lastUpdateTime (ITI TF-2b 3.42.4.1.3.6).
  for (const f of await tx.registry.entries([...touchedFolders])) {
    if (f.kind !== 'Folder') continue;
    setSlot(f.object, 'lastUpdateTime', [now]);
    await tx.registry.replaceObject(toNewEntry(f, folderIndex(f.object as RegistryPackage)));
  }
  return {
    warnings: ec.items.filter((e) => e.severity === 'Warning'),
    patientId,
    submissionSetUniqueId: ssUid,
    submissionSetUuid: ss.id,
    changed,
  };
}

async function approvedAssociations(tx: ReadTx, c: { sources?: string[]; targets?: string[]; either?: string[]; types: string[] }): Promise<StoredEntry[]> {
  return tx.registry.associations({ ...c, statuses: [Status.approved] }, Number.MAX_SAFE_INTEGER);
}

/** What a new version may not change (ITI TF-2b 3.57.4.1.3.3.1.2, 3.57.4.1.3.3.3.2). */
function checkImmutable(o: ExtrinsicObject | RegistryPackage, previous: StoredEntry, kind: 'DocumentEntry' | 'Folder', where: string, ec: ErrorCollector): void {
  const schemes = kind === 'DocumentEntry' ? DocumentEntrySchemes : FolderSchemes;
  const uid = externalId(o, schemes.uniqueId);
  if (uid !== previous.uniqueId) ec.add('XDSMetadataIdentifierError', `${where}: uniqueId ${uid} differs from the previous version's ${previous.uniqueId}`, o.id);
  const pid = externalId(o, schemes.patientId);
  const previousPid = externalId(previous.object, schemes.patientId);
  if (pid !== previousPid) ec.add('XDSPatientIDReconciliationError', `${where}: patientId ${pid} differs from the previous version's ${previousPid}`, o.id);
  if (kind === 'Folder') return;
  const d = o as ExtrinsicObject;
  if (d.objectType !== previous.object.objectType) ec.add('XDSMetadataUpdateError', `${where}: objectType may not change from ${previous.object.objectType}`, o.id);
  // The document itself is not changed by a metadata update: its hash, size and repository stay.
  for (const slot of ['hash', 'size', 'repositoryUniqueId']) {
    const now = slotValue(d, slot);
    const before = slotValue(previous.object, slot);
    if ((now ?? '').toLowerCase() !== (before ?? '').toLowerCase()) ec.add('XDSMetadataUpdateError', `${where}: ${slot} ${now ?? '(none)'} differs from the previous version's ${before ?? '(none)'}`, o.id);
  }
}

/** An UpdateAvailabilityStatus association (3.57.4.1.3.3.2 for DocumentEntries, 3.57.4.1.3.3.6 for Associations). */
async function statusChange(tx: ReadTx, a: Association, ssId: string, updates: VersionedUpdate[], persons: Set<number>, ec: ErrorCollector): Promise<StatusChange | undefined> {
  const where = `UpdateAvailabilityStatus ${a.id}`;
  if (a.sourceObject !== ssId) ec.add('XDSMetadataUpdateError', `${where}: its sourceObject must be the SubmissionSet`, a.id);
  const from = single(a, 'OriginalStatus', ec, where);
  const to = single(a, 'NewStatus', ec, where);
  if (to !== undefined && !STATUSES.includes(to)) ec.add('XDSMetadataUpdateError', `${where}: NewStatus '${to}' is neither Approved nor Deprecated`, a.id);
  if (from === undefined || to === undefined) return undefined;
  // A new version in the same request gets the new status instead of its predecessor's (3.57.4.1.3.1).
  const fresh = updates.find((u) => u.object.id === a.targetObject);
  if (fresh) {
    if (fresh.kind !== 'DocumentEntry') ec.add('XDSMetadataUpdateOperationError', `${where}: the status of a Folder is not updated by ITI-57`, a.id);
    if (from !== fresh.status) ec.add('XDSMetadataUpdateError', `${where}: OriginalStatus ${short(from)} is not the status of ${a.targetObject} (${short(fresh.status)})`, a.id);
    return { association: a, target: a.targetObject, from, to };
  }
  const [target] = await tx.registry.entries([a.targetObject]);
  if (!target) {
    ec.add('UnresolvedReferenceException', `${where}: ${a.targetObject} is not in the registry`, a.targetObject);
    return undefined;
  }
  if (target.status !== from) ec.add('XDSMetadataUpdateError', `${where}: OriginalStatus ${short(from)} is not the current status of ${target.uuid} (${short(target.status)})`, a.id);
  if (target.kind === 'DocumentEntry') {
    const latest = (await tx.registry.entriesByLid([target.lid])).filter((e) => e.kind === 'DocumentEntry').reduce((x, y) => (y.version > x.version ? y : x));
    if (latest.uuid !== target.uuid) ec.add('XDSMetadataUpdateError', `${where}: ${target.uuid} is version ${target.version}, not the latest version (${latest.version}) of ${target.lid}`, a.id);
    if (target.personId === null || !persons.has(target.personId)) ec.add('XDSPatientIdDoesNotMatch', `${where}: ${target.uuid} belongs to another patient than the SubmissionSet`, a.id);
  } else if (target.kind === 'Association') {
    const t = target.object as Association;
    const [source] = await tx.registry.entries([t.sourceObject]);
    const folderMember = t.associationType === AssociationTypes.hasMember && source?.kind === 'Folder';
    if (!folderMember && !DOCUMENT_RELATIONSHIPS.includes(t.associationType)) {
      ec.add('XDSMetadataUpdateError', `${where}: only the status of an FD-DE HasMember or of a document relationship may change, not of ${short(t.associationType)} from ${source?.kind ?? t.sourceObject}`, a.id);
    }
  } else {
    ec.add('XDSMetadataUpdateOperationError', `${where}: the status of a ${target.kind} is not updated by ITI-57`, a.id);
  }
  return { association: a, target: target.uuid, from, to };
}

/** A new association between registered objects (3.57.4.1.3.3.4). */
async function checkSubmittedAssociation(tx: ReadTx, a: Association, persons: Set<number>, ec: ErrorCollector): Promise<void> {
  const where = `submitted Association ${a.id}`;
  const ends = await tx.registry.entries([a.sourceObject, a.targetObject]);
  const source = ends.find((e) => e.uuid === a.sourceObject);
  const target = ends.find((e) => e.uuid === a.targetObject);
  for (const [end, e] of [[a.sourceObject, source], [a.targetObject, target]] as const) {
    if (!e) ec.add('UnresolvedReferenceException', `${where}: ${end} is not in the registry`, end);
    else if (e.status !== Status.approved) ec.add('XDSRegistryDeprecatedDocumentError', `${where}: ${end} is ${short(e.status)}`, a.id);
    else if (e.kind === 'SubmissionSet') ec.add('XDSMetadataUpdateError', `${where}: no association is added to or from a registered SubmissionSet (ITI TF-3 4.2.1.2)`, a.id);
    else if (e.personId !== null && !persons.has(e.personId)) ec.add('XDSPatientIdDoesNotMatch', `${where}: ${end} belongs to another patient than the SubmissionSet`, a.id);
  }
  if (!source || !target) return;
  if (a.associationType === AssociationTypes.hasMember) {
    if (source.kind !== 'Folder' || target.kind !== 'DocumentEntry') ec.add('XDSMetadataUpdateError', `${where}: a submitted HasMember links a Folder to a DocumentEntry`, a.id);
  } else if (DOCUMENT_RELATIONSHIPS.includes(a.associationType)) {
    if (source.kind !== 'DocumentEntry' || target.kind !== 'DocumentEntry') ec.add('XDSMetadataUpdateError', `${where}: a ${short(a.associationType)} links two DocumentEntries`, a.id);
  } else {
    ec.add('XDSMetadataUpdateOperationError', `${where}: a ${short(a.associationType)} association cannot be submitted on its own`, a.id);
  }
  const existing = await approvedAssociations(tx, { sources: [a.sourceObject], types: [a.associationType] });
  if (existing.some((e) => (e.object as Association).targetObject === a.targetObject)) {
    ec.add('XDSMetadataUpdateError', `${where}: an Approved ${short(a.associationType)} from ${a.sourceObject} to ${a.targetObject} already exists`, a.id);
  }
}
