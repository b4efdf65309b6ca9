/**
 * The pipeline floor of the SS-MIX2 ingest: the two parts of the work that every file needs and that
 * run none of the metadata, validation or audit code, run at once on two threads, as an ingest on
 * this machine at best could run them: a reader thread reads and checks every file and writes each
 * document's blob file (readerFloorThread.ts, the ingest's own reader code), while this thread
 * replays the store's statements for the same files raw (storeFloor.ts). What it leaves out (making
 * the registry objects, validating the submission, the audit record, handing files between threads)
 * only adds to it: no ingest of these files on this machine is faster.
 */
import { once } from 'node:events';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { walkStorage } from '../../src/ingest/ssmix2/treeWalker.ts';
import type { Config } from '../../src/kernel/config.ts';
import { replayStatements, type ReplayOptions, type ReplayResult, type StatementCall } from '../storeFloor.ts';
import type { ReaderFloorDone } from './readerFloorThread.ts';
import { settleDisk } from './settleDisk.ts';

export interface PipelineFloor {
  files: number;
  /** From the start of both until the later of the two is done. */
  seconds: number;
  /** CPU of the process (both threads) a file, from the start until both are done, µs. */
  cpuMicros: number;
  reader: ReaderFloorDone;
  replay: ReplayResult;
}

export async function pipelineFloor(
  tree: { root: string; identity: Config['identity']; blobDir: string },
  store: { baseFile: string; units: StatementCall[][]; options: Omit<ReplayOptions, 'onStart'> },
): Promise<PipelineFloor> {
  const rels = [...walkStorage(tree.root)].flatMap((f) => f.files);
  const worker = new Worker(new URL('./readerFloorThread.mjs', import.meta.url), { workerData: { root: tree.root, rels, identity: tree.identity, blobDir: path.resolve(tree.blobDir) } });
  try {
    // Listened for before the event loop runs again: 'ready' now, the result once the replay is done.
    // A failure in the thread ('error') rejects the wait.
    const message = () => once(worker, 'message').then(([m]) => m as unknown);
    if ((await message()) !== 'ready') throw new Error('the reader thread did not start');
    settleDisk();
    // The replay is synchronous: the reader thread starts reading as the replay's clock starts.
    let cpu0 = process.cpuUsage();
    const replay = replayStatements(store.baseFile, store.units, {
      ...store.options,
      onStart: () => {
        cpu0 = process.cpuUsage();
        worker.postMessage('go');
      },
    });
    const reader = (await message()) as ReaderFloorDone;
    const cpu = process.cpuUsage(cpu0);
    if (reader.rejected > 0) throw new Error(`the reader thread rejected ${reader.rejected} files of the generated tree`);
    return { files: rels.length, seconds: Math.max(replay.seconds, reader.seconds), cpuMicros: (cpu.user + cpu.system) / rels.length, reader, replay };
  } finally {
    await worker.terminate();
  }
}
