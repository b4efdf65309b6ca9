/**
 * `npm run bench:pix`: ITI-8 feed throughput against an MLLP echo baseline and against the store
 * floor (the same feeds' SQL replayed raw), and ITI-21 PDQ latency by kana family-name prefix against
 * the raw store search. See bench/README.md.
 *
 *   --only feed|pdq          run one part (default both)
 *   --feeds N                timed feeds (BENCH_FEEDS, default 40000), after --warmup (default 4000)
 *   --echo-messages N        timed messages of the echo baseline (default 200000: it is fast)
 *   --connections N          MLLP connections of the load generator (default 4)
 *   --depth N                messages in flight per connection (default 1: send, wait for the ACK)
 *   --charset C              iso-2022-jp (default, MSH-18 ~ISO IR87) or utf-8
 *   --patients N             PDQ database size (BENCH_PDQ_PATIENTS, default 1000000)
 *   --queries N              timed PDQ queries (BENCH_PDQ_QUERIES, default 2000), after 200 warm-up
 *   --bench-dir DIR          where PDQ databases are cached (BENCH_DIR, default ./var/bench)
 *   --store sqlite,postgres  the engines the ITI-8 feed runs on, side by side (BENCH_STORE, default sqlite):
 *                            PostgreSQL on a throwaway durable cluster (bench/engines.ts); PDQ runs on SQLite
 *   --json FILE              also write the results as JSON
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { nameKey } from '../../src/identity/normalize.ts';
import { parseEngines, startBenchPostgres, type BenchPostgres, type Engine } from '../engines.ts';
import { feedFloor } from './feedFloor.ts';
import type { BenchCharset } from './messages.ts';
import { pdqDatabase } from './pdqDatabase.ts';
import { queryPrefixes } from './population.ts';
import { runLoad, startBenchApp, startEcho, type Measured } from './servers.ts';
import { int, ms, summarize, type Summary } from './stats.ts';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    feeds: { type: 'string', default: process.env.BENCH_FEEDS ?? '40000' },
    warmup: { type: 'string', default: '4000' },
    'echo-messages': { type: 'string', default: '200000' },
    connections: { type: 'string', default: '4' },
    depth: { type: 'string', default: '1' },
    charset: { type: 'string', default: 'iso-2022-jp' },
    patients: { type: 'string', default: process.env.BENCH_PDQ_PATIENTS ?? '1000000' },
    queries: { type: 'string', default: process.env.BENCH_PDQ_QUERIES ?? '2000' },
    'bench-dir': { type: 'string', default: process.env.BENCH_DIR ?? path.join('var', 'bench') },
    seed: { type: 'string', default: '20240401' },
    json: { type: 'string' },
    store: { type: 'string', default: process.env.BENCH_STORE ?? 'sqlite' },
  },
});
const engines = parseEngines(args.store);

const num = (name: keyof typeof args) => {
  const n = Number(String(args[name]).replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
};
const charset = args.charset as BenchCharset;
if (charset !== 'iso-2022-jp' && charset !== 'utf-8') throw new Error('--charset must be iso-2022-jp or utf-8');
const seed = num('seed');
const results: Record<string, unknown> = {
  machine: { nproc: os.availableParallelism(), cpu: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.release()}` },
  date: new Date().toISOString(),
  argv: process.argv.slice(2),
};

const line = (s = '') => process.stdout.write(s + '\n');
const latencyLine = (label: string, s: Summary) =>
  line(`  ${label.padEnd(26)} p50 ${ms(s.p50)} ms   p90 ${ms(s.p90)} ms   p99 ${ms(s.p99)} ms   max ${ms(s.max)} ms`);

function checkReplies(m: Measured, what: string): void {
  if (m.result.failed > 0) {
    throw new Error(`${what}: ${m.result.failed} replies were not as expected, e.g.\n  ${m.result.failures.join('\n  ')}`);
  }
}

function throughputLines(label: string, m: Measured): void {
  const r = m.result;
  line(
    `  ${label.padEnd(26)} ${int(r.perSecond).padStart(7)} msg/s   (${int(r.messages)} in ${r.seconds.toFixed(2)} s; ` +
      `server CPU ${((m.serverCpuMs / 1000 / r.seconds) * 100).toFixed(0)}%, load generator CPU ${((r.cpuMs / 1000 / r.seconds) * 100).toFixed(0)}%)`,
  );
  latencyLine(`${label} round trip`, summarize(r.latencies));
}

async function benchFeed(): Promise<void> {
  const connections = num('connections');
  const depth = num('depth');
  const count = num('feeds');
  const warmup = num('warmup');
  line(`ITI-8 feed (ADT^A04) vs MLLP echo: ${connections} connections, ${depth} in flight each, ${charset}, synchronous=FULL`);
  const job = { connections, depth, count, warmup, charset, seed, port: 0, firstPatient: 0 };

  const echo = await startEcho();
  let echoRun: Measured;
  try {
    echoRun = await runLoad({ ...job, kind: 'echo', port: echo.port, count: num('echo-messages') });
  } finally {
    await echo.close();
  }
  checkReplies(echoRun, 'echo');
  throughputLines('MLLP echo', echoRun);

  const byEngine: Partial<Record<Engine, Measured>> = {};
  let pgb: BenchPostgres | undefined;
  try {
    for (const engine of engines) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-bench-feed-'));
      if (engine === 'postgres') pgb ??= await startBenchPostgres();
      const url = engine === 'postgres' ? await pgb!.freshDatabase('pix_feed') : undefined;
      const app = await startBenchApp(dataDir, undefined, url);
      let feedRun: Measured;
      const pg0 = pgb?.serverCpuMs();
      try {
        feedRun = await runLoad({ ...job, kind: 'feed', port: app.ports.mllp! });
      } finally {
        await app.stop();
      }
      const stored = engine === 'sqlite' ? `database after the run: ${(fs.statSync(path.join(dataDir, 'hie.db')).size / 1e6).toFixed(0)} MB` : `PostgreSQL server CPU ${(((pgb!.serverCpuMs() - pg0!) / 1000 / feedRun.result.seconds) * 100).toFixed(0)}% (warm-up included)`;
      fs.rmSync(dataDir, { recursive: true, force: true });
      // Every ACK was AA (checked by the load generator).
      checkReplies(feedRun, `ITI-8 on ${engine}`);
      throughputLines(`ITI-8 A04 (${engine})`, feedRun);
      line(`  ratio ITI-8 / echo         ${(feedRun.result.perSecond / echoRun.result.perSecond).toFixed(2)}   (${stored})`);
      byEngine[engine] = feedRun;
    }
  } finally {
    await pgb?.stop();
  }
  if (byEngine.sqlite && byEngine.postgres) {
    line(`  ITI-8 rate on PostgreSQL / on SQLite: ${(byEngine.postgres.result.perSecond / byEngine.sqlite.result.perSecond).toFixed(2)}   (goal >= 0.5)`);
  }
  // The floor and the figures below are SQLite's (the floor replays SQLite statements); without SQLite, PostgreSQL's.
  const feedRun = (byEngine.sqlite ?? byEngine.postgres)!;
  const ratio = feedRun.result.perSecond / echoRun.result.perSecond;

  // What SQLite alone allows for the same feeds: their statements replayed raw (bench/storeFloor.ts).
  const floor = await feedFloor({ seed, warmup, count, charset, perCommit: connections * depth });
  const floorLine = (label: string, r: typeof floor.writes) =>
    line(`  ${label.padEnd(32)} ${int(r.perSecond).padStart(7)} feeds/s (${r.statementsPerUnit.toFixed(1)} statements a feed, ${r.cpuMicros.toFixed(0)} µs CPU a feed)`);
  line(`  store floor: the same feeds' SQL replayed raw on one connection, ${connections * depth} feeds a commit unless said:`);
  floorLine('writes, no fsync', floor.writes);
  floorLine('all, no fsync', floor.statements);
  floorLine('all, fsync each commit', floor.durable);
  floorLine('writes, no fsync, 1000 a commit', floor.batched);
  const ceilingRatio = floor.writes.perSecond / echoRun.result.perSecond;
  line(
    `  ratio to the echo: writes no fsync ${ceilingRatio.toFixed(2)}, 1000 a commit ${(floor.batched.perSecond / echoRun.result.perSecond).toFixed(2)};` +
      ` ITI-8 / all no fsync ${(feedRun.result.perSecond / floor.statements.perSecond).toFixed(2)}`,
  );
  line();
  results.feed = {
    connections,
    depth,
    charset,
    warmup,
    echo: { perSecond: echoRun.result.perSecond, latencyMs: summarize(echoRun.result.latencies), serverCpuMs: echoRun.serverCpuMs, seconds: echoRun.result.seconds },
    iti8: { perSecond: feedRun.result.perSecond, latencyMs: summarize(feedRun.result.latencies), serverCpuMs: feedRun.serverCpuMs, seconds: feedRun.result.seconds },
    engines: Object.fromEntries(Object.entries(byEngine).map(([e, m]) => [e, { perSecond: m.result.perSecond, latencyMs: summarize(m.result.latencies), serverCpuMs: m.serverCpuMs, seconds: m.result.seconds }])),
    ratio,
    floor: { ...floor, writesRatioToEcho: ceilingRatio },
  };
}

async function benchPdq(): Promise<void> {
  const patients = num('patients');
  const queries = num('queries');
  const warmup = Math.min(200, queries);
  const dataDir = await pdqDatabase({ benchDir: args['bench-dir']!, patients, seed, log: line });
  line(`ITI-21 PDQ by kana family-name prefix (@PID.5.1.1^<kana>*, RCP-2 10^RD) at ${int(patients)} patients, 1 connection`);
  const prefixes = queryPrefixes(seed, warmup + queries);
  const app = await startBenchApp(dataDir);
  try {
    const mllp = await runLoad({ kind: 'pdq', port: app.ports.mllp!, connections: 1, depth: 1, warmup, count: queries, charset, seed, firstPatient: 0, prefixes, limit: 10 });
    checkReplies(mllp, 'ITI-21');

    // The baseline: the store search of the transaction's first page (RCP-2 10 reads 20 rows),
    // called directly on the same store.
    const firstPageRows = 20;
    const raw: number[] = [];
    let matched = 0;
    for (let i = 0; i < prefixes.length; i++) {
      const q = { keys: [{ kind: 'family' as const, key: nameKey(prefixes[i]), prefix: true }] };
      const t0 = performance.now();
      const hits = (await app.store.read((tx) => tx.identity.searchRecords(q, firstPageRows))).matches;
      const t = performance.now() - t0;
      if (i >= warmup) {
        raw.push(t);
        matched += hits.length;
      }
    }
    const m = summarize(mllp.result.latencies);
    const r = summarize(raw);
    latencyLine('ITI-21 over MLLP', m);
    latencyLine('searchRecords (baseline)', r);
    line(`  ratio MLLP / baseline      p50 ${(m.p50 / r.p50).toFixed(1)}   p99 ${(m.p99 / r.p99).toFixed(1)}`);
    line(
      `  ${int(queries)} queries over ${new Set(prefixes.slice(warmup)).size} prefixes; the baseline read ${(matched / queries).toFixed(0)} records per query ` +
        `(${firstPageRows} index rows); ${(mllp.result.pids / queries).toFixed(1)} PID per response, the rest continued under DSC`,
    );
    line();
    results.pdq = { patients, queries, warmup, mllpMs: m, searchRecordsMs: r, matchedPerQuery: matched / queries, pidsPerResponse: mllp.result.pids / queries };
  } finally {
    await app.stop();
  }
}

line(`machine: ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model}), node ${process.version}`);
line();
if (!args.only || args.only === 'feed') await benchFeed();
if (!args.only || args.only === 'pdq') await benchPdq();
if (args.json) fs.writeFileSync(args.json, JSON.stringify(results, null, 2) + '\n');
