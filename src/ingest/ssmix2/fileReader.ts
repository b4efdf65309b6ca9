/**
 * One storage file read and checked, as plain data: its name and place, its bytes and their SHA-1,
 * the message decoded, parsed and matched against its data type, and what sharing needs of it. Pure
 * and synchronous, so that worker threads can do it for the ingest while the main thread registers.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { formatLocation } from '../../hl7v2/errors.ts';
import { findIndividualNumber, type IndividualNumberPolicy } from '../../hl7v2/individualNumberGuard.ts';
import type { BlobStore } from '../../xds/repository/blobStore.ts';
import { writeStagedBlob, type StagedBlob } from '../blobStaging.ts';
import type { RejectReason } from '../sharing.ts';
import { PATIENT_DATA_TYPE } from './dataTypes.ts';
import type { StorageFileName } from './fileName.ts';
import { FileNameError, parseStoragePath, versionKey } from './fileName.ts';
import { checkMessageType, readStoredMessage, storedFactsOf, StoredMessageError, type StoredFacts } from './storedMessage.ts';

/** A file's name fields (the data type by its code: this crosses threads as plain data), bytes and facts. */
export interface ReadFile extends Omit<StorageFileName, 'dataType'> {
  dataType: string;
  versionKey: string;
  sha1: string;
  bytes: Uint8Array;
  facts: StoredFacts;
  /** Set when the document's blob was staged here (see BlobStaging): the main thread only waits for its flush. */
  staged?: StagedBlob;
}

export type ReadResult = { ok: true; file: ReadFile } | { ok: false; reason: RejectReason; detail: string };

/**
 * Reads and checks one file. A message holding an identifier of the individual-number domain is
 * refused before anything of it is kept (the number is never stored; the report says only where).
 */
export function readStorageFile(root: string, rel: string, policy: IndividualNumberPolicy, blobs?: BlobStore): ReadResult {
  let name;
  try {
    name = parseStoragePath(rel);
  } catch (e) {
    if (e instanceof FileNameError) return { ok: false, reason: e.reason, detail: e.message };
    throw e;
  }
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path.join(root, ...rel.split('/')));
  } catch (e) {
    return { ok: false, reason: 'unreadable', detail: (e as Error).message };
  }
  try {
    const message = readStoredMessage(bytes);
    checkMessageType(message, name.dataType);
    const found = findIndividualNumber(message.message, policy);
    if (found) return { ok: false, reason: 'individual-number', detail: `an identifier of the individual-number domain at ${formatLocation(found)}: refused, nothing of it kept` };
    const sha1 = createHash('sha1').update(bytes).digest('hex');
    return {
      ok: true,
      file: {
        patientId: name.patientId,
        careDate: name.careDate,
        dataType: name.dataType.code,
        orderNo: name.orderNo,
        timestamp: name.timestamp,
        department: name.department,
        condition: name.condition,
        versionKey: versionKey(name),
        sha1,
        bytes,
        facts: storedFactsOf(message, name.dataType),
        // A document's bytes (not ADT-00's, which is no document) staged into the blob store.
        staged: blobs && name.dataType.code !== PATIENT_DATA_TYPE ? writeStagedBlob(blobs, bytes, sha1) : undefined,
      },
    };
  } catch (e) {
    if (e instanceof StoredMessageError) return { ok: false, reason: e.reason, detail: e.message };
    throw e;
  }
}
