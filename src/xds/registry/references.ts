/**
 * What a Register request's associations do to objects already in the registry (ITI TF-2b
 * 3.42.4.1.3.4 Folder Membership, 3.42.4.1.3.5 Document Relationships, 3.42.4.1.3.6 Folder
 * lastUpdateTime), checked first and applied only once the whole submission is accepted:
 * - every reference resolves, else UnresolvedReferenceException (ebRS 3.0; named by 3.42.4.1.3.5);
 * - objects linked belong to the same patient, merges taken into account, else XDSPatientIdDoesNotMatch;
 * - a relationship's target is Approved, else XDSRegistryDeprecatedDocumentError; RPLC,
 *   XFRM_RPLC and IsSnapshotOf target a DocumentEntry already registered, and IsSnapshotOf an
 *   On-Demand one from a Stable one;
 * - RPLC and XFRM_RPLC deprecate the replaced entry and its transformations (XFRM) and addenda
 *   (APND), and carry its Approved Folder memberships over to the replacement;
 * - a document placed into a Folder sets the Folder's lastUpdateTime.
 */
import { randomUUID } from 'node:crypto';
import { setSlot, type Association, type RegistryPackage } from '../../ebxml/rim.ts';
import type { ReadTx, WriteTx } from '../../store/types.ts';
import { toNewEntry, type StoredEntry } from './entries.ts';
import type { ErrorCollector } from './errors.ts';
import { associationIndex, folderIndex, type Submission } from './metadata.ts';
import { AssociationTypes, DOCUMENT_RELATIONSHIPS, ObjectTypes, REPLACING, Status } from './schemes.ts';

export interface ReferencePlan {
  deprecate: Set<string>;
  /** Folders (registered) that get a new member: their lastUpdateTime changes. */
  touchedFolders: Map<string, StoredEntry>;
  /** FD-DE memberships to carry over to replacements: the folder and the new DocumentEntry. */
  carriedMemberships: { folder: string; document: string }[];
}

const short = (t: string) => t.split(':').pop();
/** Types whose target must already be registered (3.42.4.1.3.5). */
const REGISTERED_TARGET: readonly string[] = [...REPLACING, AssociationTypes.isSnapshotOf];
/** Relationships that fall with the document they point at when it is replaced. */
const DEPENDENT: readonly string[] = [AssociationTypes.xfrm, AssociationTypes.apnd];

export async function checkReferences(tx: ReadTx, sub: Submission, persons: Set<number>, ec: ErrorCollector): Promise<ReferencePlan> {
  const local = new Map<string, { kind: string; objectType?: string }>();
  for (const d of sub.documents) local.set(d.id, { kind: 'DocumentEntry', objectType: d.objectType });
  for (const p of sub.submissionSets) local.set(p.id, { kind: 'SubmissionSet' });
  for (const f of sub.folders) local.set(f.id, { kind: 'Folder' });
  for (const a of sub.associations) local.set(a.id, { kind: 'Association' });
  const external = new Set<string>();
  for (const a of sub.associations) for (const end of [a.sourceObject, a.targetObject]) if (!local.has(end)) external.add(end);
  const found = new Map((await tx.registry.entries([...external])).map((e) => [e.uuid, e]));
  const plan: ReferencePlan = { deprecate: new Set(), touchedFolders: new Map(), carriedMemberships: [] };
  const ss = sub.submissionSets[0];

  for (const a of sub.associations) {
    const where = `Association ${a.id} (${short(a.associationType)})`;
    for (const end of [a.sourceObject, a.targetObject]) {
      if (local.has(end)) continue;
      const e = found.get(end);
      if (!e) ec.add('UnresolvedReferenceException', `${where}: ${end} is neither in the submission nor in the registry`, end);
      else if (e.personId !== null && !persons.has(e.personId)) ec.add('XDSPatientIdDoesNotMatch', `${where}: ${end} belongs to another patient than the submission`, a.id);
    }
    const kindOf = (id: string) => local.get(id)?.kind ?? found.get(id)?.kind;

    if (DOCUMENT_RELATIONSHIPS.includes(a.associationType)) {
      if (local.get(a.sourceObject)?.kind !== 'DocumentEntry') ec.add('UnresolvedReferenceException', `${where}: the sourceObject ${a.sourceObject} is not a DocumentEntry of the submission`, a.sourceObject);
      const target = found.get(a.targetObject);
      if (REGISTERED_TARGET.includes(a.associationType) && !target) {
        if (local.has(a.targetObject)) ec.add('UnresolvedReferenceException', `${where}: the targetObject must be a DocumentEntry already in the registry, not one of the submission`, a.targetObject);
        continue;
      }
      if (kindOf(a.targetObject) !== undefined && kindOf(a.targetObject) !== 'DocumentEntry') {
        ec.add('UnresolvedReferenceException', `${where}: the targetObject ${a.targetObject} is a ${kindOf(a.targetObject)}, not a DocumentEntry`, a.targetObject);
        continue;
      }
      if (a.associationType === AssociationTypes.isSnapshotOf) {
        if (local.get(a.sourceObject)?.objectType !== ObjectTypes.stableDocument) ec.add('XDSRegistryMetadataError', `${where}: the snapshot (sourceObject) must be a Stable DocumentEntry`, a.id);
        if (target && target.object.objectType !== ObjectTypes.onDemandDocument) ec.add('XDSRegistryMetadataError', `${where}: the targetObject ${target.uuid} must be an On-Demand DocumentEntry`, a.id);
      }
      if (!target) continue;
      // Only the current version of a document may be replaced, appended, transformed, signed (3.42.4.1.3.5).
      if (target.status !== Status.approved) {
        ec.add('XDSRegistryDeprecatedDocumentError', `${where}: the target DocumentEntry ${target.uuid} is ${short(target.status)}, not Approved`, a.id);
        continue;
      }
      if (REPLACING.includes(a.associationType)) await planReplacement(tx, a, target, persons, plan, ec);
    }

    if (a.associationType === AssociationTypes.hasMember && a.sourceObject !== ss.id) {
      // FD-DE HasMember: a Folder to a DocumentEntry, both Approved (3.42.4.1.3.4).
      if (kindOf(a.sourceObject) !== 'Folder') {
        if (kindOf(a.sourceObject) !== undefined) ec.add('XDSRegistryMetadataError', `${where}: HasMember from ${a.sourceObject}, which is neither the SubmissionSet nor a Folder`, a.id);
        continue;
      }
      if (kindOf(a.targetObject) !== undefined && kindOf(a.targetObject) !== 'DocumentEntry') ec.add('XDSRegistryMetadataError', `${where}: a Folder's member is a DocumentEntry, not a ${kindOf(a.targetObject)}`, a.id);
      const folder = found.get(a.sourceObject);
      const doc = found.get(a.targetObject);
      if (folder && folder.status !== Status.approved) ec.add('XDSRegistryMetadataError', `${where}: Folder ${folder.uuid} is ${short(folder.status)}, not Approved`, a.id);
      if (doc && doc.status !== Status.approved) ec.add('XDSRegistryDeprecatedDocumentError', `${where}: DocumentEntry ${doc.uuid} is ${short(doc.status)}, not Approved`, a.id);
      if (folder) plan.touchedFolders.set(folder.uuid, folder);
    }
  }
  return plan;
}

async function planReplacement(tx: ReadTx, a: Association, target: StoredEntry, persons: Set<number>, plan: ReferencePlan, ec: ErrorCollector): Promise<void> {
  plan.deprecate.add(target.uuid);
  const approved = (c: Parameters<ReadTx['registry']['associations']>[0]) => tx.registry.associations({ ...c, statuses: [Status.approved] }, Number.MAX_SAFE_INTEGER);
  // Its transformations and addenda are replaced with it.
  for (const dep of await approved({ targets: [target.uuid], types: [...DEPENDENT] })) {
    const source = (dep.object as Association).sourceObject;
    const [e] = await tx.registry.entries([source]);
    if (e?.kind === 'DocumentEntry' && e.status === Status.approved) plan.deprecate.add(e.uuid);
  }
  // Its Approved Folders hold the replacement too.
  for (const m of await approved({ targets: [target.uuid], types: [AssociationTypes.hasMember] })) {
    const [folder] = await tx.registry.entries([(m.object as Association).sourceObject]);
    if (folder?.kind !== 'Folder' || folder.status !== Status.approved) continue;
    if (folder.personId !== null && !persons.has(folder.personId)) {
      ec.add('XDSPatientIdDoesNotMatch', `Association ${a.id}: the replaced document is in Folder ${folder.uuid} of another patient`, a.id);
      continue;
    }
    plan.carriedMemberships.push({ folder: folder.uuid, document: a.sourceObject });
    plan.touchedFolders.set(folder.uuid, folder);
  }
}

/** Applies a checked plan in the caller's write, after the submission's own objects are inserted. */
export async function applyReferences(tx: WriteTx, plan: ReferencePlan, submissionSetId: string, now: string, facility: string | null): Promise<void> {
  for (const uuid of plan.deprecate) await tx.registry.setStatus(uuid, Status.deprecated);
  // The new FD-DE HasMember, and the SS-HM HasMember that records which submission made it (3.42.4.1.3.5).
  const hasMember = AssociationTypes.hasMember;
  for (const m of plan.carriedMemberships) await insertAssociation(tx, hasMember, submissionSetId, await insertAssociation(tx, hasMember, m.folder, m.document, facility), facility);
  for (const folder of plan.touchedFolders.values()) {
    const [current] = await tx.registry.entries([folder.uuid]);
    setSlot(current.object, 'lastUpdateTime', [now]);
    await tx.registry.replaceObject(toNewEntry(current, folderIndex(current.object as RegistryPackage)));
  }
}

/** An Approved association the registry makes itself (a carried or propagated membership); returns its entryUUID. */
export async function insertAssociation(tx: WriteTx, associationType: string, source: string, target: string, facility: string | null): Promise<string> {
  const id = `urn:uuid:${randomUUID()}`;
  const object: Association = { type: 'Association', id, status: Status.approved, associationType, sourceObject: source, targetObject: target, slots: [], name: [], description: [], classifications: [], externalIdentifiers: [] };
  await tx.registry.insertEntry({ uuid: id, kind: 'Association', lid: id, version: 1, status: Status.approved, personId: null, object, facility, index: associationIndex() });
  return id;
}
