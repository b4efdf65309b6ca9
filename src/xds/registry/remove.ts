/**
 * ITI-62 Remove Metadata at the Document Registry (RMD, ITI TF-2b 3.62.4.1.3): the registry objects
 * named by entryUUID are removed together or not at all, and the registry is left consistent:
 * - every entryUUID names a registered object, else UnresolvedReferenceException;
 * - no association that stays may refer to an object removed, else ReferencesExistException;
 * - no object that stays may be left without any association to or from it (a DocumentEntry out
 *   of every SubmissionSet, a SubmissionSet without members), else UnreferencedObjectException.
 * The documents themselves stay in their repositories (removing them is ITI-86).
 */
import type { RegistryError } from '../../ebxml/registryResponse.ts';
import type { Association } from '../../ebxml/rim.ts';
import type { WriteTx } from '../../store/types.ts';
import type { StoredEntry } from './entries.ts';
import { ErrorCollector } from './errors.ts';
import { patientIdOf } from './metadata.ts';

export interface RemoveOutcome {
  removed: StoredEntry[];
  warnings: RegistryError[];
  /** The patient of the removed objects, when they belong to one. */
  patientId?: string;
}

const endsOf = (e: StoredEntry) => {
  const a = e.object as Association;
  return [a.sourceObject, a.targetObject];
};

export async function removeMetadata(tx: WriteTx, uuids: string[]): Promise<RemoveOutcome> {
  const ec = new ErrorCollector();
  const ids = [...new Set(uuids)];
  const found = new Map((await tx.registry.entries(ids)).map((e) => [e.uuid, e]));
  // ebRS 3.0: the codeContext of UnresolvedReferenceException is the reference that did not resolve.
  for (const id of ids) if (!found.has(id)) ec.add('UnresolvedReferenceException', id, id);
  ec.throwIfAny();

  const removing = new Set(ids);
  const touching = await tx.registry.associations({ either: ids }, Number.MAX_SAFE_INTEGER);
  for (const a of touching) {
    if (removing.has(a.uuid)) continue;
    for (const end of endsOf(a)) {
      if (removing.has(end)) ec.add('ReferencesExistException', `${found.get(end)!.kind} ${end} is referenced by Association ${a.uuid}, which is not removed with it`, end);
    }
  }
  // Objects at the other end of a removed association must keep some association of their own.
  const others = new Set<string>();
  for (const e of found.values()) if (e.kind === 'Association') for (const end of endsOf(e)) if (!removing.has(end)) others.add(end);
  if (others.size > 0) {
    const left = new Set<string>();
    for (const a of await tx.registry.associations({ either: [...others] }, Number.MAX_SAFE_INTEGER)) {
      if (!removing.has(a.uuid)) for (const end of endsOf(a)) left.add(end);
    }
    for (const o of others) {
      if (!left.has(o)) ec.add('UnreferencedObjectException', `${o} would be left without any association once the request's associations are removed`, o);
    }
  }
  ec.throwIfAny();

  const removed = [...found.values()];
  await tx.registry.deleteEntries(ids);
  const patients = new Set(removed.map((e) => patientIdOf(e.object)).filter((p): p is string => !!p));
  return { removed, warnings: [], patientId: patients.size === 1 ? [...patients][0] : undefined };
}
