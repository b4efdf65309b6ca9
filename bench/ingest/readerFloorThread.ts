/**
 * The reader side of the pipeline floor (pipelineFloor.ts), in a worker thread: on 'go', every file
 * of the tree read and checked by the ingest's own reader code (readStorageFile: name, bytes,
 * ISO-2022-JP decoding, HL7 v2 parse, individual-number check, SHA-1, the document's blob file),
 * one after another; then the time it took.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DomainDirectory } from '../../src/identity/domainDirectory.ts';
import { readStorageFile } from '../../src/ingest/ssmix2/fileReader.ts';
import type { Config } from '../../src/kernel/config.ts';
import { BlobStore } from '../../src/xds/repository/blobStore.ts';

export interface ReaderFloorDone {
  files: number;
  rejected: number;
  seconds: number;
}

const data = workerData as { root: string; rels: string[]; identity: Config['identity']; blobDir: string };
const policy = new DomainDirectory(data.identity);
const blobs = new BlobStore(data.blobDir);

parentPort!.once('message', () => {
  const t0 = performance.now();
  let rejected = 0;
  for (const rel of data.rels) if (!readStorageFile(data.root, rel, policy, blobs).ok) rejected++;
  const seconds = (performance.now() - t0) / 1000;
  parentPort!.postMessage({ files: data.rels.length, rejected, seconds } satisfies ReaderFloorDone);
});
parentPort!.postMessage('ready');
