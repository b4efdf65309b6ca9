/** A worker thread that reads and checks storage files (fileReader.ts) for the ingest's main thread. */
import { parentPort } from 'node:worker_threads';
import { readStorageFile } from './fileReader.ts';

parentPort!.on('message', (m: { id: number; root: string; rel: string }) => {
  try {
    const r = readStorageFile(m.root, m.rel);
    parentPort!.postMessage({ id: m.id, result: r }, r.ok ? [r.file.bytes.buffer as ArrayBuffer] : []);
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: e instanceof Error ? e.message : String(e) });
  }
});
