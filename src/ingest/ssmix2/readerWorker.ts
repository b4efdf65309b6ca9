/** A worker thread that reads and checks storage files (fileReader.ts) for the ingest's main thread. */
import { parentPort, workerData } from 'node:worker_threads';
import { DomainDirectory } from '../../identity/domainDirectory.ts';
import type { Config } from '../../kernel/config.ts';
import { BlobStore } from '../../xds/repository/blobStore.ts';
import { readStorageFile } from './fileReader.ts';

/** The individual-number rule of the config (identity.individualNumber), as the main thread applies it. */
const data = workerData as { identity: Config['identity']; blobDir?: string };
const policy = new DomainDirectory(data.identity);
const blobs = data.blobDir ? new BlobStore(data.blobDir) : undefined;

parentPort!.on('message', (m: { id: number; root: string; rel: string }) => {
  try {
    const r = readStorageFile(m.root, m.rel, policy, blobs);
    parentPort!.postMessage({ id: m.id, result: r }, r.ok ? [r.file.bytes.buffer as ArrayBuffer] : []);
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
  }
});
