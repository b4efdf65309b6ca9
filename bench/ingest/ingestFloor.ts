/**
 * The store floor of the SS-MIX2 ingest: the SQL statements a real ingest of the benchmark's tree
 * runs, captured from a second ingest into a fresh data folder, split at each store write (a patient
 * feed, a submission of one patient's documents), then replayed raw (bench/storeFloor.ts) with as
 * many writes per commit as the ingest runs at once. The document bytes the repository writes to its
 * blob files are not part of these: they count SQLite only. The pipeline floors (pipelineFloor.ts)
 * replay every statement again while a reader thread reads the tree and writes the blob files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { resolveFacility, ssmix2Ingest } from '../../src/ingest/assemble.ts';
import { openServices } from '../../src/server/app.ts';
import type { Config } from '../../src/kernel/config.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { MAX_BATCH } from '../../src/store/sqlite/writeQueue.ts';
import type { WriteTx } from '../../src/store/types.ts';
import { xdsServices } from '../../src/xds/assemble.ts';
import { checkReplay, replayStatements, startCapture, type ReplayResult, type StatementCall } from '../storeFloor.ts';
import { pipelineFloor, type PipelineFloor } from './pipelineFloor.ts';

export interface IngestFloor {
  files: number;
  writes: number;
  /** The statements that write, alone, no fsync. */
  writesOnly: ReplayResult;
  /** Every statement (the reads that decide what to write too), no fsync. */
  statements: ReplayResult;
  /** The statements that write, no fsync, 1,000 store writes a commit: the per-commit cost out of the way too. */
  batched: ReplayResult;
  /** Every statement, no fsync, 1,000 store writes a commit. */
  batchedStatements: ReplayResult;
  /** Every statement at the ingest's writes a commit, no fsync, while a reader thread reads every file and writes the blob files. */
  pipeline: PipelineFloor;
  /** The same at 1,000 store writes a commit. */
  pipelineBatched: PipelineFloor;
}

/** The services `hie ingest ssmix2` runs on, and the facility of the tree. */
export async function ingestServices(config: Config, namespace: string) {
  const s = await openServices(config, silentLogger);
  const xds = xdsServices(config, { store: s.store, identity: s.identity, audit: s.audit, log: silentLogger }, { soap: false });
  const facility = await resolveFacility(config, s, namespace);
  return { s, xds, facility };
}

export async function ingestFloor(config: Config, root: string, namespace: string, concurrency: number): Promise<IngestFloor> {
  const db = path.join(config.dataDir, config.store.sqlite.file);
  const base = `${db}.base`;
  // The database as the ingest finds it (schema, domains), kept as the replay's base.
  await (await ingestServices(config, namespace)).s.store.close();
  fs.copyFileSync(db, base);
  try {
    const { s, xds, facility } = await ingestServices(config, namespace);
    const units: StatementCall[][] = [];
    let files: number;
    const capture = startCapture();
    try {
      // Each store write starts a unit (the reads before it, e.g. a submission's checks, end the last one).
      let from = 0;
      const write = s.store.write.bind(s.store);
      s.store.write = <T>(fn: (tx: WriteTx) => Promise<T>) =>
        write((tx) => {
          units.push(capture.calls.slice(from));
          from = capture.calls.length;
          return fn(tx);
        });
      const report = await ssmix2Ingest(config, { ...s, xds }, root).run({ root, facility, concurrency });
      units.push(capture.calls.slice(from));
      files = report.counts.files;
    } finally {
      capture.stop();
      await s.store.close();
    }
    // As many writes a commit as the ingest has at once, up to what the write queue puts in one.
    const o = { perCommit: Math.min(concurrency, MAX_BATCH), warmup: 0, synchronous: 'OFF' as const, reads: false };
    const floor = {
      writesOnly: replayStatements(base, units, o),
      statements: replayStatements(base, units, { ...o, reads: true }),
      batched: replayStatements(base, units, { ...o, perCommit: 1000 }),
      batchedStatements: replayStatements(base, units, { ...o, perCommit: 1000, reads: true }),
    };
    for (const r of Object.values(floor)) checkReplay(r, db);
    // Each into a new blob folder, removed with the data folder at the end (see blobFloor.ts).
    const alongside = async (perCommit: number) => {
      const p = await pipelineFloor({ root, identity: config.identity, blobDir: path.join(config.dataDir, `pipeline-blobs-${perCommit}`) }, { baseFile: base, units, options: { ...o, reads: true, perCommit } });
      checkReplay(p.replay, db);
      return p;
    };
    const pipeline = await alongside(o.perCommit);
    const pipelineBatched = await alongside(1000);
    return { files, writes: units.length, ...floor, pipeline, pipelineBatched };
  } finally {
    fs.rmSync(base, { force: true });
  }
}
