/**
 * SS-MIX2 ingest rate against a raw read-and-decode of the same tree, in the same run.
 *
 *   npm run bench:ingest                 # about 100,000 files
 *   BENCH_FILES=20000 npm run bench:ingest
 *   BENCH_SYNCHRONOUS=NORMAL npm run bench:ingest   # commits not flushed: what durability costs
 *   BENCH_FLOOR=0 npm run bench:ingest   # without the store floor (it ingests the tree a second time)
 *   BENCH_CONCURRENCY=64 npm run bench:ingest      # patients at once (default: ingest.ssmix2.concurrency)
 *
 * 1. Generates a synthetic tree (one facility) of about BENCH_FILES files with `hie ssmix generate`'s code.
 * 2. Baseline: walks the tree and reads and decodes (ISO-2022-JP) every file, twice; the second,
 *    warm pass is the raw rate.
 * 3. Ingests the tree into a fresh data folder as `hie ingest ssmix2` does (synchronous=FULL: every
 *    commit on disk), timed from the walk to the last commit.
 * 4. The store floor: the statements of a second ingest of the tree (into another fresh folder)
 *    replayed raw, no fsync (bench/ingest/ingestFloor.ts): what SQLite alone allows for these files.
 * 5. The pipeline floor: the same statements replayed again while a reader thread reads and checks
 *    every file and writes the blob files, at once (bench/ingest/pipelineFloor.ts).
 * 6. The blob-file floor: the documents written as the repository's blob files, nothing else
 *    (bench/ingest/blobFloor.ts); then the CPU a file that the goal's ratio leaves on this machine,
 *    against the parts of the work that run none of this project's JavaScript.
 * Writes of one step are synced before the next timed one (settleDisk.ts). Prints the rates and their
 * ratios. Figures and the machine they were measured on: bench/README.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { declaredCharset, decodeMessage } from '../../src/hl7v2/charset.ts';
import { ssmix2Ingest } from '../../src/ingest/assemble.ts';
import { walkStorage } from '../../src/ingest/ssmix2/treeWalker.ts';
import { validate } from '../../src/server/config/load.ts';
import { generate } from '../../src/ssmix/generator/generate.ts';
import { MAX_BATCH } from '../../src/store/sqlite/writeQueue.ts';
import { blobFloor } from './blobFloor.ts';
import { ingestFloor, ingestServices } from './ingestFloor.ts';
import { settleDisk } from './settleDisk.ts';

const target = Number(process.env.BENCH_FILES ?? 100_000);
/** Patients at once (and so writes a commit, up to the write queue's 256): the config's default unless set. */
const concurrencyOverride = process.env.BENCH_CONCURRENCY === undefined ? undefined : Number(process.env.BENCH_CONCURRENCY);
/** FULL (the default: each commit on disk) or NORMAL (to see what durability costs). */
const synchronous = process.env.BENCH_SYNCHRONOUS === 'NORMAL' ? 'NORMAL' : 'FULL';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-bench-ingest-'));

function rawPass(root: string): { files: number; bytes: number; ms: number } {
  const started = performance.now();
  let files = 0;
  let bytes = 0;
  for (const folder of walkStorage(root)) {
    for (const rel of folder.files) {
      const b = fs.readFileSync(path.join(root, rel));
      const text = decodeMessage(b.subarray(0, b.length - (b[b.length - 1] === 0x1c ? 1 : 0)), declaredCharset(b, 'iso-2022-jp').charset);
      files++;
      bytes += text.length;
    }
  }
  return { files, bytes, ms: performance.now() - started };
}

async function main(): Promise<void> {
  // About 13.8 files per person at one facility with the generator's defaults.
  let t = performance.now();
  const summary = generate({ facilities: 1, patients: Math.max(1, Math.round(target / 13.84)), seed: 20240401, out: path.join(work, 'tree'), tokenKey: Buffer.from('bench-token-key-0123456789'), tokenAuthority: { namespace: 'MFTOKEN', oid: '2.999.392.1.1' } });
  const root = path.join(work, 'tree', summary.facilities[0].root);
  console.log(`tree: ${summary.files} files, ${summary.persons} patients (generated in ${((performance.now() - t) / 1000).toFixed(1)} s) under ${root}`);

  settleDisk();
  rawPass(root);
  const raw = rawPass(root);
  const rawRate = raw.files / (raw.ms / 1000);
  console.log(`raw read and decode: ${raw.files} files in ${(raw.ms / 1000).toFixed(2)} s = ${Math.round(rawRate)} files/s`);

  const configIn = (dataDir: string) =>
    validate({
      dataDir,
      log: { level: 'silent' },
      store: { sqlite: { synchronous } },
      identity: { domains: [{ namespace: summary.facilities[0].namespace, oid: summary.facilities[0].oid }], token: { issuerKey: 'bench-issuer-key-0123456789abcdef' } },
      ingest: { ssmix2: concurrencyOverride === undefined ? {} : { concurrency: concurrencyOverride } },
    });
  const config = configIn(path.join(work, 'var'));
  const concurrency = config.ingest.ssmix2.concurrency;
  const { s, xds, facility } = await ingestServices(config, summary.facilities[0].namespace);
  settleDisk();
  t = performance.now();
  const cpu0 = process.cpuUsage();
  const report = await ssmix2Ingest(config, { ...s, xds }, root).run({ root, facility, concurrency });
  const ms = performance.now() - t;
  // Every thread of the process: the main thread, the reader threads, the WAL checkpointer.
  const cpu = process.cpuUsage(cpu0);
  await s.store.close();
  const c = report.counts;
  const rate = c.files / (ms / 1000);
  console.log(`ingest (synchronous=${synchronous}): ${c.files} files (${c.patients} patients fed, ${c.documents} documents registered, ${c.rejected} rejected) in ${(ms / 1000).toFixed(1)} s = ${Math.round(rate)} files/s`);
  console.log(`ratio ingest / raw: ${(rate / rawRate).toFixed(3)}   (goal: at least 2000 files/s and 0.2)`);
  const ingestCpu = (cpu.user + cpu.system) / c.files;
  console.log(`ingest CPU (all its threads): ${ingestCpu.toFixed(0)} µs a file`);
  console.log(`| ${c.files} | ${Math.round(rawRate)} | ${Math.round(rate)} | ${(rate / rawRate).toFixed(3)} | ${concurrency} |`);

  if (process.env.BENCH_FLOOR === '0') {
    fs.rmSync(work, { recursive: true, force: true });
    return;
  }
  const floor = await ingestFloor(configIn(path.join(work, 'var-floor')), root, summary.facilities[0].namespace, concurrency);
  const floorLine = (label: string, r: typeof floor.writesOnly) => {
    const perSecond = floor.files / r.seconds;
    console.log(`  ${label.padEnd(22)} ${Math.round(perSecond)} files/s (${(r.statementsPerUnit * floor.writes / floor.files).toFixed(1)} statements a file, ${((r.cpuMicros * floor.writes) / floor.files).toFixed(0)} µs CPU a file), ratio to raw ${(perSecond / rawRate).toFixed(3)}`);
  };
  console.log(`store floor: the statements of ${floor.files} files (${floor.writes} store writes) replayed raw, ${Math.min(concurrency, MAX_BATCH)} writes a commit, no fsync:`);
  floorLine('writes', floor.writesOnly);
  floorLine('writes and reads', floor.statements);
  floorLine('writes, 1000 a commit', floor.batched);
  floorLine('all, 1000 a commit', floor.batchedStatements);
  const pipelineLine = (label: string, p: typeof floor.pipeline) => {
    const perSecond = p.files / p.seconds;
    console.log(`  ${label.padEnd(22)} ${Math.round(perSecond)} files/s (SQL ${p.replay.seconds.toFixed(1)} s, reader ${p.reader.seconds.toFixed(1)} s, ${p.cpuMicros.toFixed(0)} µs CPU a file on both threads), ratio to raw ${(perSecond / rawRate).toFixed(3)}`);
  };
  console.log(`pipeline floor: every statement replayed raw, no fsync, while a reader thread reads and checks every file and writes the blob files (the ingest's reader code), at once:`);
  pipelineLine(`${Math.min(concurrency, MAX_BATCH)} writes a commit`, floor.pipeline);
  pipelineLine('1000 writes a commit', floor.pipelineBatched);

  const blob = blobFloor(root, path.join(work, 'blob-floor'));
  console.log(`blob-file floor: ${blob.documents} documents written as blob files (${blob.files} files), nothing else, no flush: ${Math.round(blob.documents / blob.seconds)} documents/s, ${blob.cpuMicros.toFixed(0)} µs CPU a document`);
  budget(rawRate, ingestCpu, {
    'read and decode (the raw pass)': 1e6 / rawRate,
    'blob files': (blob.cpuMicros * blob.documents) / floor.files,
    'SQL, every statement, 1000 writes a commit': (floor.batchedStatements.cpuMicros * floor.writes) / floor.files,
  });
  fs.rmSync(work, { recursive: true, force: true });
}

/**
 * What the goal's ratio leaves a file in CPU time on this machine, against the work every file needs
 * that runs none of this project's JavaScript (each part measured alone above, µs CPU a file).
 */
function budget(rawRate: number, ingestCpu: number, floors: Record<string, number>): void {
  const cores = os.availableParallelism();
  const perFile = 1e6 / (0.2 * rawRate);
  const needed = Object.values(floors).reduce((a, b) => a + b, 0);
  console.log(`CPU a file at 0.2 of the raw rate: ${perFile.toFixed(0)} µs of wall time, ${(cores * perFile).toFixed(0)} µs of CPU on ${cores} cores, of which:`);
  for (const [part, micros] of Object.entries(floors)) console.log(`  ${part.padEnd(44)} ${micros.toFixed(0).padStart(5)} µs`);
  console.log(`  ${'left for parsing, metadata, validation, audit'.padEnd(44)} ${(cores * perFile - needed).toFixed(0).padStart(5)} µs`);
  console.log(`  (the ingest above used ${ingestCpu.toFixed(0)} µs, of which ${(ingestCpu - needed).toFixed(0)} beyond these parts)`);
}

main().catch((e) => {
  console.error(e);
  fs.rmSync(work, { recursive: true, force: true });
  process.exitCode = 1;
});
