/**
 * The blob-file floor of the SS-MIX2 ingest: every document's bytes written into a fresh blob folder
 * the way the ingest's reader threads stage them (writeStagedBlob: a temporary file, then a rename
 * to its hash name), one after another, with nothing else: no parsing, no registration, no flush.
 * The repository keeps each document as a file of its own (the same code as ITI-41), so no ingest
 * writes its documents with less than this.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeStagedBlob } from '../../src/ingest/blobStaging.ts';
import { PATIENT_DATA_TYPE } from '../../src/ingest/ssmix2/dataTypes.ts';
import { parseStoragePath } from '../../src/ingest/ssmix2/fileName.ts';
import { walkStorage } from '../../src/ingest/ssmix2/treeWalker.ts';
import { BlobStore } from '../../src/xds/repository/blobStore.ts';
import { settleDisk } from './settleDisk.ts';

export interface BlobFloor {
  /** Documents written (every file but ADT-00, which is no document). */
  documents: number;
  seconds: number;
  /** CPU of this process per document, µs (user and system: the file system's work is in the kernel). */
  cpuMicros: number;
  /** Blob files in the folder afterwards: each document's, once (documents with the same bytes share one). */
  files: number;
}

/**
 * Writes the documents of the tree at `root` as blobs into `blobDir`, a new folder that the caller
 * removes at the end of the benchmark: on a file system mounted with online discard (this machine's
 * ext4), files are created several times slower for some time after tens of thousands were deleted
 * (bench/README.md), which would land in the next step's time.
 */
export function blobFloor(root: string, blobDir: string): BlobFloor {
  // The bytes and their SHA-1 first, outside the clock: the reader threads have both before they stage.
  const docs: { bytes: Buffer; sha1: string }[] = [];
  for (const folder of walkStorage(root)) {
    for (const rel of folder.files) {
      if (parseStoragePath(rel).dataType.code === PATIENT_DATA_TYPE) continue;
      const bytes = fs.readFileSync(path.join(root, rel));
      docs.push({ bytes, sha1: createHash('sha1').update(bytes).digest('hex') });
    }
  }
  if (fs.existsSync(blobDir)) throw new Error(`${blobDir} exists: the blob-file floor writes into a new folder`);
  const blobs = new BlobStore(blobDir);
  settleDisk();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const d of docs) writeStagedBlob(blobs, d.bytes, d.sha1);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  let files = 0;
  for (const sub of fs.readdirSync(blobDir)) files += fs.readdirSync(path.join(blobDir, sub)).length;
  return { documents: docs.length, seconds, cpuMicros: (cpu.user + cpu.system) / docs.length, files };
}
