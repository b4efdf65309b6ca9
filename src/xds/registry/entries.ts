/** Registry entries as the store keeps them: the ebRIM object plus what it is found by. */
import type { RegistryObject } from '../../ebxml/rim.ts';
import type { CodeAttr, EntryIndex, EntryKind } from './metadata.ts';

/** What the store keeps of every entry, written or read. */
interface EntryRow {
  uuid: string;
  kind: EntryKind;
  lid: string;
  version: number;
  status: string;
  /** The person the patient ID resolved to when it was registered (merges are followed at query time). */
  personId: number | null;
  /** The object as registered, with its current status, lid and version applied. */
  object: RegistryObject;
  /** The domain key of the facility whose node submitted it (null: not known, registered before nodes were). */
  facility: string | null;
}

export interface StoredEntry extends EntryRow {
  uniqueId: string | null;
  /** Set for documents: what ITI-43 and duplicate checks need. */
  hash: string | null;
  size: number | null;
  repositoryUniqueId: string | null;
}

export interface NewEntry extends EntryRow {
  index: EntryIndex;
}

export type TimeColumn = 'creationTime' | 'serviceStartTime' | 'serviceStopTime' | 'submissionTime' | 'lastUpdateTime';

/** The criteria of the Find queries, in domain terms; every value is bound, never spliced into SQL. */
export interface EntryCriteria {
  kind: 'DocumentEntry' | 'SubmissionSet' | 'Folder';
  personIds: number[];
  statuses: string[];
  objectTypes?: string[];
  /**
   * Padded DTM bounds: from inclusive, to exclusive (ITI TF-2a 3.18.4.1.2.3.3). `absentMatches`: an
   * entry without the attribute is not judged by it (serviceStart/StopTime, 3.18.4.1.2.3.3.1);
   * `exemptObjectType`: entries of that objectType are not judged by it (creationTime of On-Demand
   * entries, 3.18.4.1.2.3.7.1 note 6).
   */
  times?: { column: TimeColumn; from?: string; to?: string; absentMatches?: boolean; exemptObjectType?: string }[];
  /** AND across the list, OR within each element's codes. */
  codes?: { attr: CodeAttr; codes: string[] }[];
  /** SQL LIKE patterns of authorPerson, OR-ed. */
  authors?: string[];
  sourceIds?: string[];
  /** referenceIdList values, OR-ed. */
  referenceIds?: string[];
}

export interface AssociationCriteria {
  sources?: string[];
  targets?: string[];
  /** Either end among these. */
  either?: string[];
  types?: string[];
  statuses?: string[];
}

/** A time in XDS DTM, padded to 14 digits so that values of any precision compare as instants. */
export function padDtm(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const pad = '00000101000000';
  return v.length >= 14 ? v.slice(0, 14) : v + pad.slice(v.length);
}

/** A stored entry written back (a Folder whose lastUpdateTime changed), with what it is found by. */
export function toNewEntry(e: StoredEntry, index: EntryIndex): NewEntry {
  return { uuid: e.uuid, kind: e.kind, lid: e.lid, version: e.version, status: e.status, personId: e.personId, object: e.object, facility: e.facility, index };
}
