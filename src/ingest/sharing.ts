/**
 * What the storage ingest and the clinical feed share, whichever way documents reach the registry (in
 * process, or over the network as a hospital adapter does): the items, their outcomes and rejections,
 * and the rules that turn an item into a patient feed or a document of a submission.
 */
import { isValidDtm } from '../hl7v2/datetime.ts';
import type { Segment } from '../hl7v2/message.ts';
import type { DomainDirectory } from '../identity/domainDirectory.ts';
import type { Domain } from '../identity/types.ts';
import { readCx } from '../pix/codec/cx.ts';
import type { PositionedCx } from '../pix/patientFeed.ts';
import type { IngestItem } from '../store/types.ts';
import type { StagedBlob } from './blobStaging.ts';
import { derivedUniqueIds, hl7TimeToUtcDtm, type ClinicalDocumentMetadata } from './documentMetadata.ts';
import type { StorageFileName } from './ssmix2/fileName.ts';
import { readStoredMessage, type StoredFacts, type StoredMessage } from './ssmix2/storedMessage.ts';

export type RejectReason =
  | 'bad-name'
  | 'misplaced'
  | 'unreadable'
  | 'bad-encoding'
  | 'unparseable'
  | 'wrong-message-type'
  | 'unknown-patient'
  | 'individual-number'
  | 'unsupported'
  | 'refused-by-pix'
  | 'refused-by-registry';

export const REJECT_REASONS: Readonly<Record<RejectReason, string>> = {
  'bad-name': 'bad name',
  misplaced: 'misplaced',
  unreadable: 'unreadable file',
  'bad-encoding': 'bad encoding',
  unparseable: 'unparseable message',
  'wrong-message-type': 'message type does not match the data type',
  'unknown-patient': 'unknown patient',
  'individual-number': 'individual number in PID-3',
  unsupported: 'unsupported message',
  'refused-by-pix': 'refused by the PIX Manager',
  'refused-by-registry': 'refused by the XDS registry',
};

export class Rejection extends Error {
  constructor(
    readonly reason: RejectReason,
    message: string,
  ) {
    super(message);
  }
}

/** More PID-3 repetitions than a patient feed takes (config pix.maxIdentifiers): refused whole, nothing stored. */
export class TooManyIdentifiers extends Rejection {
  constructor(
    readonly count: number,
    readonly limit: number,
  ) {
    super('refused-by-pix', `PID-3 has ${count} repetitions: at most ${limit} patient identifiers are accepted`);
  }
}

/** A message of a facility, with the SS-MIX2 facts of its file name (or, for the feed, read from the message). */
export interface ClinicalItem extends StorageFileName {
  facility: Domain;
  /** Relative storage path, or `mllp:<sender>/<control id>`. */
  source: string;
  size: number;
  mtimeMs: number;
  sha1: string;
  bytes: Buffer;
  /** What sharing needs of the message's content. */
  facts: StoredFacts;
  /** The parsed message, when the item has it (the feed; ADT-00 parses it when it is fed). */
  message?: StoredMessage;
  /** The document's bytes, when a reader thread already staged them into the blob store. */
  staged?: StagedBlob;
  versionKey: string;
}

export type ItemOutcome =
  | { kind: 'patient'; created: boolean }
  | { kind: 'document'; uniqueId: string; entryUuid: string; status: 'Approved' | 'Deprecated'; replaced?: string }
  | { kind: 'removed'; removed: string | null }
  | { kind: 'already-registered'; uniqueId: string };

/** How documents and patients are taken in: in process (ClinicalSharing) or sent to a running HIE. */
export interface Sharing {
  take(item: ClinicalItem): Promise<ItemOutcome>;
  shareDocuments(items: ClinicalItem[]): Promise<(ItemOutcome | Rejection)[]>;
}

export const cx = (id: string, d: Pick<Domain, 'oid' | 'namespace'>) => (d.oid ? `${id}^^^&${d.oid}&ISO` : `${id}^^^${d.namespace}`);

/** The item's parsed message (parsed now when it came as facts only). */
export function messageOf(item: ClinicalItem): StoredMessage {
  item.message ??= readStoredMessage(item.bytes);
  return item.message;
}

export function checkpointOf(item: ClinicalItem, outcome: string, entryUuid: string | null, uniqueId: string | null): IngestItem {
  return {
    facility: item.facility.key,
    source: item.source,
    size: item.size,
    mtimeMs: item.mtimeMs,
    sha1: item.sha1,
    versionKey: item.versionKey,
    timestamp: item.timestamp,
    condition: item.condition,
    outcome,
    entryUuid,
    uniqueId,
  };
}

/**
 * ADT-00 as a patient identity feed: the storage's patient ID is the local ID in the facility; PID-3
 * repetitions with an assigning authority (the medical-field token, a regional ID) are fed beside
 * it. An identifier of the individual-number domain refuses the file.
 */
export function patientFeedOf(item: ClinicalItem, domains: DomainDirectory, maxIdentifiers = Number.MAX_SAFE_INTEGER): { pid: Segment; ids: PositionedCx[] } {
  if (item.facts.messageKey !== 'ADT^A08') {
    throw new Rejection('unsupported', `${item.facts.messageKey} under ADT-00 is not applied: the PIX Manager takes patient updates (A08), it does not delete patients`);
  }
  const pid = messageOf(item).message.first('PID');
  if (!pid) throw new Rejection('unparseable', 'ADT-00 without a PID segment');
  if (pid.reps(5).length === 0) throw new Rejection('unparseable', 'ADT-00 without a patient name (PID-5)');
  const reps = pid.reps(3);
  if (reps.length > maxIdentifiers) throw new TooManyIdentifiers(reps.length, maxIdentifiers);
  // As ITI-8 (pix/iti8/decode.ts): a birth date that names no real date is refused, not kept as ''.
  if (pid.get(7) && !isValidDtm(pid.get(7))) throw new Rejection('unparseable', 'ADT-00 PID-7 date/time of birth is not a valid date');
  const f = item.facility;
  const ids: PositionedCx[] = [{ id: item.patientId, authority: { namespace: f.namespace, oid: f.oid, type: f.type }, typeCode: 'PI', index: 0 }];
  for (const [index, rep] of reps.entries()) {
    const r = readCx(rep);
    if (domains.isIndividualNumber(r.authority, r.typeCode)) {
      throw new Rejection('individual-number', `PID-3 repetition ${index + 1} is in the individual-number domain: refused, never stored`);
    }
    if (!r.id || (!r.authority.namespace && !r.authority.oid)) continue;
    if ((r.authority.oid && r.authority.oid === f.oid) || (!r.authority.oid && r.authority.namespace === f.namespace)) continue;
    ids.push(Object.assign(r, { index }));
  }
  return { pid, ids };
}

/**
 * A patient's documents in waves: versions of one piece of data follow one another in successive
 * submissions (a replacement needs its predecessor registered), the rest go together.
 */
export async function inWaves<R>(items: ClinicalItem[], share: (wave: ClinicalItem[]) => Promise<R[]>): Promise<R[]> {
  const results = new Map<ClinicalItem, R>();
  let rest = items;
  while (rest.length > 0) {
    const keys = new Set<string>();
    const wave: ClinicalItem[] = [];
    const later: ClinicalItem[] = [];
    for (const i of rest) {
      if (keys.has(i.versionKey)) later.push(i);
      else {
        keys.add(i.versionKey);
        wave.push(i);
      }
    }
    const out = await share(wave);
    wave.forEach((w, k) => results.set(w, out[k]));
    rest = later;
  }
  return items.map((i) => results.get(i)!);
}

/**
 * What a document does to the data's earlier version (the latest one taken in): a newer version
 * replaces it (RPLC) while it is Approved; a deleted file, or an older version arriving after a newer
 * one, is registered Deprecated, so that only the newest valid version is Approved.
 */
export function planOf(item: ClinicalItem, latest: IngestItem | undefined, latestApproved: boolean): { item: ClinicalItem; current?: IngestItem; replaces?: string; deprecate: boolean } {
  const current = latest && latestApproved ? latest : undefined;
  const olderThanLatest = !!latest && latest.timestamp > item.timestamp;
  return { item, current, replaces: current && !olderThanLatest ? current.entryUuid! : undefined, deprecate: item.condition === 0 || olderThanLatest };
}

export function documentMetadataOf(item: ClinicalItem, uniqueId: string, replaces: string | undefined): ClinicalDocumentMetadata {
  const f = item.facts;
  const careDate = f.careDate || (item.careDate !== '-' ? item.careDate : '');
  return {
    dataType: item.dataType,
    sourcePatientId: cx(item.patientId, item.facility),
    sourcePatientInfo: f.sourcePatientInfo,
    uniqueId,
    creationTime: hl7TimeToUtcDtm(f.dateTime) ?? hl7TimeToUtcDtm(item.timestamp.slice(0, 14))!,
    serviceStartTime: careDate ? hl7TimeToUtcDtm(careDate) : undefined,
    department: item.department,
    replaces,
  };
}

/** One document's SubmissionSet has the uniqueId derived with it; a set of several, one derived from theirs. */
export function submissionSetUniqueIdOf(root: string, facility: Domain, uids: { document: string; submissionSet: string }[]): string {
  return uids.length === 1 ? uids[0].submissionSet : derivedUniqueIds(root, facility.key, ...uids.map((u) => u.document)).submissionSet;
}
