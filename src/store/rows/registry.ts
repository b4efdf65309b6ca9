/** XDS registry entries as both engines store them (sqlite/, postgres/): the row, the columns read, and the stored entry. */
import type { StoredEntry, TimeColumn } from '../../xds/registry/entries.ts';
import type { EntryKind } from '../../xds/registry/metadata.ts';
import { decodeBody } from '../registryBody.ts';

export interface EntryRow {
  rid: number;
  uuid: string;
  kind: EntryKind;
  lid: string;
  version: number;
  status: string;
  person_id: number | null;
  unique_id: string | null;
  hash: string | null;
  size: number | null;
  repository_uid: string | null;
  facility: string | null;
  body: string;
}

export const TIME_COLUMNS: Record<TimeColumn, string> = {
  creationTime: 'e.creation_time',
  serviceStartTime: 'e.service_start_time',
  serviceStopTime: 'e.service_stop_time',
  submissionTime: 'e.submission_time',
  lastUpdateTime: 'e.last_update_time',
};

export const COLUMNS = 'e.rid, e.uuid, e.kind, e.lid, e.version, e.status, e.person_id, e.unique_id, e.hash, e.size, e.repository_uid, e.facility, e.body';

export function toEntry(r: EntryRow): StoredEntry {
  const object = decodeBody(r.body);
  object.status = r.status;
  if (r.kind !== 'Association') {
    object.lid = r.lid;
    object.versionName = String(r.version);
  }
  return {
    uuid: r.uuid,
    kind: r.kind,
    lid: r.lid,
    version: r.version,
    status: r.status,
    personId: r.person_id,
    object,
    uniqueId: r.unique_id,
    hash: r.hash,
    size: r.size,
    repositoryUniqueId: r.repository_uid,
    facility: r.facility,
  };
}

