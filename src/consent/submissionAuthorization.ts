/**
 * Node authorization of the XDS write side (issue 14 part 2), as pure decisions over the typed
 * submission, the stored entries it changes and the request context; no XML, no store writes.
 *
 * - Submitting (ITI-41, ITI-42, and the SubmissionSet of ITI-57): the SubmissionSet's sourceId must
 *   be one of the node's sourceIds, and every author institution (XON) of the SubmissionSet and of
 *   each DocumentEntry must name one of the node's facilities: XON-10 (organization identifier) a
 *   facility's OID or one of the node's sourceIds, or XON-1 (organization name) a facility's
 *   namespace (ITI TF-3 Table 4.2.3.1.7-2 for XON).
 * - Changing (ITI-57 new versions, status changes and added associations; ITI-62 removals; a
 *   replacement through ITI-41/42 that deprecates a registered document): only entries whose
 *   recorded facility is one of the node's; an entry of unknown facility only by a node acting for
 *   every facility.
 * A node acting for every facility (`facilities: '*'`, the operator, the local identity on
 * loopback) may do all of it.
 */
import type { Association, Identifiable, RegistryPackage } from '../ebxml/rim.ts';
import { slotValues } from '../ebxml/rim.ts';
import { actsFor, requesterName, type RequestContext } from '../kernel/requestContext.ts';
import type { ReadTx } from '../store/types.ts';
import type { StoredEntry } from '../xds/registry/entries.ts';
import { externalId, partition } from '../xds/registry/metadata.ts';
import { AssociationTypes, DocumentEntrySchemes, REPLACING, SubmissionSetSchemes } from '../xds/registry/schemes.ts';
import { AccessDenied } from './errors.ts';

/** A facility as config names it (identity.domains): its domain key is its OID. */
export interface Facility {
  namespace: string;
  oid: string;
}

/** Which rule refused an object. */
export type SubmissionRule = 'sourceId' | 'authorInstitution' | 'owner';

export interface Refusal {
  rule: SubmissionRule;
  /** The id of the object refused (an ebRIM id or entryUUID), where the RegistryError is located. */
  objectId: string;
  message: string;
}

/** A submission or change refused by node authorization: every refusal found, nothing done. */
export class SubmissionNotAuthorized extends AccessDenied {
  constructor(readonly refusals: Refusal[]) {
    super('facility', refusals.map((r) => r.message).join('; '), refusals[0]?.objectId);
    this.name = 'SubmissionNotAuthorized';
  }
}

/** What a submission claims about who made it. */
export interface SubmissionClaims {
  submissionSet?: { id: string; sourceId?: string; authorInstitutions: string[] };
  documents: { id: string; authorInstitutions: string[] }[];
}

function institutionsOf(o: { classifications: { classificationScheme?: string; slots: { name: string; values: string[] }[] }[] }, scheme: string): string[] {
  return o.classifications.filter((c) => c.classificationScheme === scheme).flatMap((c) => slotValues(c, 'authorInstitution') ?? []);
}

/** The sourceId and author institutions of a submission's SubmissionSet and DocumentEntries. */
export function claimsOf(objects: Identifiable[]): SubmissionClaims {
  const sub = partition(objects);
  const ss: RegistryPackage | undefined = sub.submissionSets[0];
  return {
    submissionSet: ss && { id: ss.id, sourceId: externalId(ss, SubmissionSetSchemes.sourceId), authorInstitutions: institutionsOf(ss, SubmissionSetSchemes.author) },
    documents: sub.documents.map((d) => ({ id: d.id, authorInstitutions: institutionsOf(d, DocumentEntrySchemes.author) })),
  };
}

/** XON-1 (organization name) and XON-10 (organization identifier) of an author institution. */
export function xonParts(xon: string): { name: string; identifier: string } {
  const c = xon.split('^');
  return { name: (c[0] ?? '').trim(), identifier: (c[9] ?? '').trim() };
}

/** The configured facilities the node acts for ('*': all of them). */
function nodeFacilities(ctx: RequestContext, directory: readonly Facility[]): Facility[] {
  const f = ctx.node?.facilities;
  if (!f) return [];
  return f === '*' ? [...directory] : directory.filter((d) => f.includes(d.oid));
}

function namesFacility(xon: string, facilities: readonly Facility[], sourceIds: readonly string[]): boolean {
  const { name, identifier } = xonParts(xon);
  if (identifier && (facilities.some((f) => f.oid === identifier) || sourceIds.includes(identifier))) return true;
  return !!name && facilities.some((f) => f.namespace === name);
}

/**
 * The refusals of a submission by this requester (empty: allowed). `directory`: the configured
 * facilities (identity.domains).
 */
export function submissionRefusals(ctx: RequestContext, claims: SubmissionClaims, directory: readonly Facility[]): Refusal[] {
  const node = ctx.node;
  const who = requesterName(ctx);
  if (node?.facilities === '*') return [];
  const out: Refusal[] = [];
  const ss = claims.submissionSet;
  if (!node) {
    out.push({ rule: 'sourceId', objectId: ss?.id ?? claims.documents[0]?.id ?? '', message: `${who} is not a configured node and may not submit` });
    return out;
  }
  const facilities = nodeFacilities(ctx, directory);
  if (ss) {
    if (!ss.sourceId || !node.sourceIds.includes(ss.sourceId)) {
      out.push({
        rule: 'sourceId',
        objectId: ss.id,
        message: `SubmissionSet ${ss.id}: sourceId ${ss.sourceId ?? '(none)'} is not one of node ${node.name}'s sourceIds (${node.sourceIds.join(', ') || 'none'}); a node submits only for its own facility`,
      });
    }
    for (const xon of ss.authorInstitutions) {
      if (!namesFacility(xon, facilities, node.sourceIds)) {
        out.push({ rule: 'authorInstitution', objectId: ss.id, message: `SubmissionSet ${ss.id}: author institution ${xon} is not a facility of node ${node.name}` });
      }
    }
  }
  for (const d of claims.documents) {
    for (const xon of d.authorInstitutions) {
      if (!namesFacility(xon, facilities, node.sourceIds)) {
        out.push({ rule: 'authorInstitution', objectId: d.id, message: `DocumentEntry ${d.id}: author institution ${xon} is not a facility of node ${node.name}` });
      }
    }
  }
  return out;
}

/**
 * The facility (domain key: its OID) a submission is recorded under: the node's single facility, or
 * the one whose OID or sourceIds match the sourceId; for a node acting for every facility, the
 * configured facility whose OID is the sourceId or an author institution's XON-10; else null.
 */
export function submittingFacility(ctx: RequestContext, claims: SubmissionClaims, directory: readonly Facility[]): string | null {
  const node = ctx.node;
  if (!node) return null;
  const candidates = nodeFacilities(ctx, directory);
  if (node.facilities !== '*' && candidates.length === 1) return candidates[0].oid;
  const sourceId = claims.submissionSet?.sourceId;
  const bySource = candidates.find((f) => f.oid === sourceId);
  if (bySource) return bySource.oid;
  const named = [...(claims.submissionSet?.authorInstitutions ?? []), ...claims.documents.flatMap((d) => d.authorInstitutions)].map((x) => xonParts(x).identifier);
  const byAuthor = candidates.find((f) => named.includes(f.oid));
  if (byAuthor) return byAuthor.oid;
  // A node of several facilities submitting under one of its config sourceIds: its first facility.
  if (node.facilities !== '*' && sourceId && node.sourceIds.includes(sourceId)) return candidates[0]?.oid ?? null;
  return null;
}

/** The refusals of changing these stored entries (empty: allowed). */
export function changeRefusals(ctx: RequestContext, entries: readonly StoredEntry[], what: string): Refusal[] {
  if (ctx.node?.facilities === '*') return [];
  const who = ctx.node ? `node ${ctx.node.name}` : requesterName(ctx);
  const out: Refusal[] = [];
  for (const e of entries) {
    if (e.facility !== null && actsFor(ctx, e.facility)) continue;
    out.push({
      rule: 'owner',
      objectId: e.uuid,
      message: `${e.kind} ${e.uuid} was ${e.facility === null ? 'registered by no known facility' : `submitted by facility ${e.facility}`}; ${who} may not ${what} it (a node changes only what its own facility submitted)`,
    });
  }
  return out;
}

/** The one facility all these entries share, when they do. */
export function commonFacility(entries: readonly StoredEntry[]): string | null {
  const f = new Set(entries.map((e) => e.facility));
  return f.size === 1 ? [...f][0] : null;
}

/**
 * The registered entries an ITI-57 request changes: the latest version of every object it gives a
 * new version of, the target of every status change, and the source of every association it adds
 * between registered objects (a Folder gaining a member, a document gaining a relationship).
 */
export async function entriesChangedByUpdate(tx: ReadTx, objects: Identifiable[]): Promise<StoredEntry[]> {
  const sub = partition(objects);
  const ss = sub.submissionSets[0];
  const versioned = [...sub.documents, ...sub.folders].filter((o) => o.lid && o.lid !== o.id);
  const latest = new Map<string, StoredEntry>();
  for (const e of await tx.registry.entriesByLid(versioned.map((o) => o.lid!))) {
    const have = latest.get(e.lid);
    if (!have || e.version > have.version) latest.set(e.lid, e);
  }
  const inRequest = new Set([...sub.documents, ...sub.folders, ...sub.associations].map((o) => o.id));
  const targets: string[] = [];
  for (const a of sub.associations) {
    if (a.associationType === AssociationTypes.updateAvailabilityStatus) {
      if (!inRequest.has(a.targetObject)) targets.push(a.targetObject);
    } else if (ss && a.sourceObject === ss.id && inRequest.has(a.targetObject)) {
      const submitted = sub.associations.find((x) => x.id === a.targetObject);
      if (submitted && !inRequest.has(submitted.sourceObject)) targets.push(submitted.sourceObject);
    }
  }
  const stored = targets.length ? await tx.registry.entries([...new Set(targets)]) : [];
  return [...latest.values(), ...stored];
}

/**
 * The registered entries an ITI-41/42 submission changes: documents it replaces (RPLC, XFRM_RPLC
 * deprecate their target, ITI TF-3 4.2.2.2) and Folders it adds a registered document to.
 */
export async function entriesChangedBySubmission(tx: ReadTx, objects: Identifiable[]): Promise<StoredEntry[]> {
  const sub = partition(objects);
  const inRequest = new Set([...sub.documents, ...sub.folders, ...sub.submissionSets].map((o) => o.id));
  const changed = new Set<string>();
  for (const a of sub.associations as Association[]) {
    if (REPLACING.includes(a.associationType) && !inRequest.has(a.targetObject)) changed.add(a.targetObject);
    if (a.associationType === AssociationTypes.hasMember && !inRequest.has(a.sourceObject)) changed.add(a.sourceObject);
  }
  if (changed.size === 0) return [];
  return (await tx.registry.entries([...changed])).filter((e) => e.kind === 'DocumentEntry' || e.kind === 'Folder');
}

/** The facilities the registry knows (identity.domains, and facility domains registered by feeds). */
export async function facilityDirectory(tx: ReadTx): Promise<Facility[]> {
  return (await tx.identity.domains()).filter((d) => d.kind === 'local' && !!d.oid).map((d) => ({ namespace: d.namespace, oid: d.oid }));
}

function refuse(refusals: Refusal[]): void {
  if (refusals.length) throw new SubmissionNotAuthorized(refusals);
}

/**
 * ITI-41, ITI-42: throws SubmissionNotAuthorized when the requester may not submit this; otherwise
 * returns the facility the entries are recorded under.
 */
export async function authorizeSubmission(tx: ReadTx, ctx: RequestContext, objects: Identifiable[]): Promise<string | null> {
  const directory = await facilityDirectory(tx);
  const claims = claimsOf(objects);
  // A node of every facility may change anything: the entries a submission changes are not read for it.
  const changed = ctx.node?.facilities === '*' ? [] : await entriesChangedBySubmission(tx, objects);
  refuse([...submissionRefusals(ctx, claims, directory), ...changeRefusals(ctx, changed, 'replace or add to')]);
  return submittingFacility(ctx, claims, directory);
}

/** ITI-57: as authorizeSubmission, and every entry changed must be the node facility's; returns the facility the new entries record. */
export async function authorizeUpdate(tx: ReadTx, ctx: RequestContext, objects: Identifiable[]): Promise<string | null> {
  const directory = await facilityDirectory(tx);
  const claims = claimsOf(objects);
  const changed = await entriesChangedByUpdate(tx, objects);
  refuse([...submissionRefusals(ctx, claims, directory), ...changeRefusals(ctx, changed, 'update')]);
  return submittingFacility(ctx, claims, directory) ?? (ctx.node?.facilities === '*' ? commonFacility(changed) : null);
}

/** ITI-62: every entry named must be the node facility's (entryUUIDs not registered are left to the registry's own check). */
export async function authorizeRemoval(tx: ReadTx, ctx: RequestContext, uuids: string[]): Promise<void> {
  refuse(changeRefusals(ctx, await tx.registry.entries([...new Set(uuids)]), 'remove'));
}
