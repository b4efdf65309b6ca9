/**
 * `npm run bench:atna`: TLS syslog ingest of the Audit Record Repository (RFC 5425, mutual TLS,
 * octet-counted RFC 5424 frames of DICOM audit messages), counted once validated and durably stored
 * (committed, synchronous=FULL), against rsyslog receiving the same stream over the same kind of TLS
 * connections into a file, in the same run. See bench/README.md.
 *
 *   --events N        timed events per run (BENCH_ATNA_EVENTS, default 100000), after --warmup (default 10000)
 *   --connections N   TLS connections of the load generator (default 4)
 *   --reader-threads N  syslog.readerThreads of the server (default 1, as configured by default)
 *   --only hie|rsyslog
 *   --threads         also print the server's CPU per event by thread (Linux /proc/self/task)
 *   --store sqlite,postgres  the engines hie stores on, side by side (BENCH_STORE, default sqlite):
 *                     PostgreSQL on a throwaway durable cluster (bench/engines.ts)
 *   --json FILE       also write the results as JSON
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startApp } from '../../src/server/app.ts';
import { validate } from '../../src/server/config/load.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { makeCerts, type TestCerts } from '../../test/helpers/certs.ts';
import { tempDir } from '../../test/helpers/hieServer.ts';
import { freePort, requireGtls, startRsyslog } from '../../test/helpers/rsyslog.ts';
import { parseEngines, startBenchPostgres, storeSection, type BenchPostgres, type Engine } from '../engines.ts';
import type { LoadCommand, LoadJob } from './loadgen.ts';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: process.env.BENCH_ATNA_EVENTS ?? '100000' },
    warmup: { type: 'string', default: '10000' },
    connections: { type: 'string', default: '4' },
    'reader-threads': { type: 'string', default: '1' },
    only: { type: 'string' },
    threads: { type: 'boolean', default: false },
    json: { type: 'string' },
    store: { type: 'string', default: process.env.BENCH_STORE ?? 'sqlite' },
  },
});
const ENGINES = parseEngines(args.store);
const int = (name: 'events' | 'warmup' | 'connections' | 'reader-threads') => {
  const n = Number(String(args[name]).replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number`);
  return n;
};
const EVENTS = int('events');
const WARMUP = int('warmup');
const CONNECTIONS = Math.max(1, int('connections'));
const READER_THREADS = int('reader-threads');
const line = (s = '') => process.stdout.write(s + '\n');

interface Run {
  events: number;
  seconds: number;
  perSecond: number;
  bytes: number;
  /** CPU time of the receiver (all its threads) over the timed run, and events per CPU second. */
  cpuSeconds: number;
  perCpuSecond: number;
}

/** Forks the load generator, waits until its connections are up, runs it, and returns when `done` says so. */
async function drive(job: LoadJob, done: () => Promise<boolean>, cpu: () => number): Promise<Run> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./loadgen.ts', import.meta.url)), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (type: string) =>
    new Promise<{ bytes?: number }>((resolve, reject) => {
      const onMessage = (m: { type: string; bytes?: number }) => {
        if (m.type === type) {
          child.off('exit', onExit);
          child.off('message', onMessage);
          resolve(m);
        }
      };
      const onExit = (code: number | null) => reject(new Error(`load generator exited with ${code}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const send = (m: LoadCommand) => child.send(m);
  send({ type: 'job', job });
  const { bytes } = await next('ready');
  const t0 = process.hrtime.bigint();
  const cpu0 = cpu();
  send({ type: 'go' });
  let writtenAt: bigint | undefined;
  const written = next('written').then(() => (writtenAt = process.hrtime.bigint()));
  while (!(await done())) await new Promise((r) => setTimeout(r, 10));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuSeconds = cpu() - cpu0;
  await written;
  if (process.env.BENCH_DEBUG) line(`    (the generator had written everything after ${(Number(writtenAt! - t0) / 1e9).toFixed(2)} s)`);
  send({ type: 'end' });
  await new Promise((r) => child.once('exit', r));
  return { events: job.events, seconds, perSecond: job.events / seconds, bytes: bytes ?? 0, cpuSeconds, perCpuSecond: job.events / cpuSeconds };
}

async function benchHie(certs: TestCerts, engine: Engine, pgb?: BenchPostgres): Promise<Run> {
  const dataDir = tempDir('hie-bench-atna-');
  const config = validate({
    dataDir,
    ...storeSection(engine, engine === 'postgres' ? await pgb!.freshDatabase('atna') : undefined),
    log: { level: 'silent' },
    mllp: { enabled: false },
    http: { enabled: false },
    identity: { token: { issuerKey: 'bench-issuer-key-0123456789abcdef' } },
    syslog: { readerThreads: READER_THREADS, tls: { port: 0, cert: certs.serverCert, key: certs.serverKey, ca: certs.ca } },
    // One load generator on one address is the whole region's traffic here: no per-source quota.
    atna: { intakeQuota: { messages: Number.MAX_SAFE_INTEGER, bytes: Number.MAX_SAFE_INTEGER } },
  });
  const app = await startApp(config, silentLogger);
  try {
    const job = (events: number): LoadJob => ({ port: app.ports.syslogTls!, connections: CONNECTIONS, events, ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });
    if (WARMUP > 0) {
      const base = app.atna.ingest.stats.stored;
      await drive(job(WARMUP), async () => app.atna.ingest.stats.stored - base >= WARMUP, ownCpu);
    }
    const base = { ...app.atna.ingest.stats };
    const threads0 = threadCpu();
    const run = await drive(job(EVENTS), async () => app.atna.ingest.stats.stored - base.stored >= EVENTS, ownCpu);
    if (args.threads) printThreadCpu(threads0, threadCpu(), EVENTS);
    const valid = app.atna.ingest.stats.valid - base.valid;
    if (valid !== EVENTS) throw new Error(`hie stored ${valid} valid events of ${EVENTS}`);
    const stored = await app.store.read((tx) => tx.audit.countAudit({ sort: 'date', limit: 1, eventTypeCode: [['ITI-9', 'ITI-21', 'ITI-18', 'ITI-43', 'ITI-8']] }));
    if (stored < EVENTS + WARMUP) throw new Error(`the store holds ${stored} events, ${EVENTS + WARMUP} were sent`);
    return run;
  } finally {
    await app.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** CPU seconds of this process, every thread (the server runs in it). */
const ownCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** CPU seconds of each thread of this process, by "tid name" (Linux /proc). */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      out.set(`${tid} ${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}`, cpuSecondsOfStat(stat));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** CPU per event of each thread that used any over the run, busiest first (Node names its threads alike: the ids tell them apart). */
function printThreadCpu(before: Map<string, number>, after: Map<string, number>, events: number): void {
  const used = [...after].map(([thread, seconds]) => [thread, seconds - (before.get(thread) ?? 0)] as const).filter(([, s]) => s > 0);
  for (const [thread, seconds] of used.sort((x, y) => y[1] - x[1])) {
    const label = thread.startsWith(`${process.pid} `) ? `${thread} (main)` : thread;
    line(`    thread ${label.padEnd(24)} ${((seconds * 1e6) / events).toFixed(1).padStart(6)} µs per event`);
  }
}

/** CPU seconds of another process, every thread (Linux /proc). */
function processCpu(pid: number): number {
  return cpuSecondsOfStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** utime + stime of a /proc stat line, in seconds (the fields after the parenthesized name; clock ticks of 1/100 s). */
function cpuSecondsOfStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Lines rsyslog wrote to its file so far (read incrementally). */
function lineCounter(file: string) {
  let offset = 0;
  let lines = 0;
  const buf = Buffer.alloc(1 << 20);
  return () => {
    if (!fs.existsSync(file)) return 0;
    const fd = fs.openSync(file, 'r');
    try {
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, offset);
        if (n === 0) break;
        offset += n;
        for (let i = 0; i < n; i++) if (buf[i] === 10) lines++;
      }
    } finally {
      fs.closeSync(fd);
    }
    return lines;
  };
}

async function benchRsyslog(certs: TestCerts): Promise<Run> {
  requireGtls();
  const port = await freePort();
  let outFile = '';
  const r = await startRsyslog((dir) => {
    outFile = path.join(dir, 'audit.log');
    return `
global(workDirectory="${dir}" maxMessageSize="64k"
       defaultNetstreamDriver="gtls"
       defaultNetstreamDriverCAFile="${certs.ca}"
       defaultNetstreamDriverCertFile="${certs.serverCert}"
       defaultNetstreamDriverKeyFile="${certs.serverKey}")
module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="x509/name" PermittedPeer=["client"])
input(type="imtcp" address="127.0.0.1" port="${port}")
action(type="omfile" file="${outFile}")
`;
  }, port);
  try {
    const count = lineCounter(outFile);
    const job = (events: number): LoadJob => ({ port, connections: CONNECTIONS, events, ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });
    const cpu = () => processCpu(r.process.pid!);
    if (WARMUP > 0) await drive(job(WARMUP), async () => count() >= WARMUP, cpu);
    const run = await drive(job(EVENTS), async () => count() >= WARMUP + EVENTS, cpu);
    return run;
  } finally {
    await r.stop();
  }
}

const certs = makeCerts();
const results: Record<string, unknown> = {
  machine: { nproc: os.availableParallelism(), cpu: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.release()}` },
  date: new Date().toISOString(),
  argv: process.argv.slice(2),
  events: EVENTS,
  warmup: WARMUP,
  connections: CONNECTIONS,
};
line(`bench:atna  ${EVENTS} events (after ${WARMUP} warm-up), ${CONNECTIONS} TLS connections, ${os.availableParallelism()} CPUs, ${os.cpus()[0]?.model}`);
let hie: Run | undefined;
let rsyslog: Run | undefined;
const byEngine: Partial<Record<Engine, Run>> = {};
if (args.only !== 'rsyslog') {
  const pgb = ENGINES.includes('postgres') ? await startBenchPostgres() : undefined;
  try {
    for (const engine of ENGINES) {
      const pg0 = pgb?.serverCpuMs();
      const run = await benchHie(certs, engine, pgb);
      byEngine[engine] = run;
      const pgCpu = engine === 'postgres' ? `; PostgreSQL server ${(((pgb!.serverCpuMs() - pg0!) / 1000 / run.seconds) * 100).toFixed(0)}% CPU (warm-up included)` : '';
      line(`  hie on ${engine.padEnd(8)} (validated, stored, fsync)  ${Math.round(run.perSecond).toLocaleString('en')} events/s   ${run.seconds.toFixed(2)} s   ${(run.bytes / run.seconds / 1e6).toFixed(1)} MB/s   ${Math.round(run.perCpuSecond).toLocaleString('en')} events per CPU second of hie${pgCpu}`);
    }
  } finally {
    await pgb?.stop();
  }
  hie = byEngine.sqlite ?? byEngine.postgres;
  results.hie = hie;
  results.engines = byEngine;
  if (byEngine.sqlite && byEngine.postgres) line(`  ITI-20 rate on PostgreSQL / on SQLite       ${(byEngine.postgres.perSecond / byEngine.sqlite.perSecond).toFixed(2)}`);
}
if (args.only !== 'hie') {
  rsyslog = await benchRsyslog(certs);
  results.rsyslog = rsyslog;
  line(`  rsyslog (to a file, no fsync)   ${Math.round(rsyslog.perSecond).toLocaleString('en')} events/s   ${rsyslog.seconds.toFixed(2)} s   ${Math.round(rsyslog.perCpuSecond).toLocaleString('en')} events per CPU second`);
}
if (hie && rsyslog) {
  const ratio = hie.perSecond / rsyslog.perSecond;
  results.ratio = ratio;
  results.cpuRatio = hie.perCpuSecond / rsyslog.perCpuSecond;
  line(`  ratio hie / rsyslog              ${ratio.toFixed(2)}   (goal: >= 0.30, and >= 10,000 events/s); per CPU second ${(hie.perCpuSecond / rsyslog.perCpuSecond).toFixed(2)}`);
  line(`  load average at the end          ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
if (args.json) fs.writeFileSync(args.json, JSON.stringify(results, null, 2));
process.exit(0);
