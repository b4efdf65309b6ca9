/**
 * The store engines a benchmark runs on (`--store sqlite,postgres`, or BENCH_STORE), and the
 * throwaway PostgreSQL cluster it starts for the postgres side: Debian's binaries through
 * test/helpers/postgres.ts, tuned as a production server would be (BENCH_PG_SETTINGS below), durable.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { postgresBinaries, startPostgres, type PostgresCluster } from '../test/helpers/postgres.ts';

export type Engine = 'sqlite' | 'postgres';
export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];

/** `sqlite`, `postgres` or both, comma-separated, in the order given; each at most once. */
export function parseEngines(text: string | undefined): Engine[] {
  const names = (text ?? 'sqlite').split(',').map((s) => s.trim()).filter(Boolean);
  const out: Engine[] = [];
  for (const n of names) {
    if (!(ENGINES as readonly string[]).includes(n)) throw new Error(`--store: unknown engine "${n}" (sqlite, postgres)`);
    if (!out.includes(n as Engine)) out.push(n as Engine);
  }
  if (out.length === 0) throw new Error('--store: name at least one engine (sqlite, postgres)');
  return out;
}

/**
 * The server settings of the benchmark's cluster: what a production server of this size would run,
 * durability included (a commit is on disk before the client hears of it, as with SQLite's
 * synchronous=FULL). shared_buffers is a quarter of a dedicated machine's memory up to 2 GB here
 * (BENCH_PG_SHARED_BUFFERS overrides it): the machines the benchmark runs on are shared.
 */
export function benchSettings(env: NodeJS.ProcessEnv = process.env): Record<string, string | number> {
  return {
    fsync: 'on',
    synchronous_commit: 'on',
    full_page_writes: 'on',
    wal_level: 'replica',
    shared_buffers: env.BENCH_PG_SHARED_BUFFERS ?? '2GB',
    effective_cache_size: '6GB',
    work_mem: '16MB',
    maintenance_work_mem: '512MB',
    // Two hie processes with pools of 10 and the bench's own connections, with room to spare.
    max_connections: 100,
    // A checkpoint in the middle of a short run would weigh on one engine only: spread them out.
    max_wal_size: '8GB',
    checkpoint_timeout: '15min',
    checkpoint_completion_target: 0.9,
    // Solid-state storage.
    random_page_cost: 1.1,
    effective_io_concurrency: 200,
  };
}

export interface BenchPostgres {
  cluster: PostgresCluster;
  /** A new empty database's URL. */
  freshDatabase(prefix: string): Promise<string>;
  /** The bin folder of the cluster's binaries (pg_dump, pg_restore). */
  bin: string;
  /** CPU seconds (user + system) of every postgres server process of the cluster so far (Linux /proc). */
  serverCpuMs(): number;
  stop(): Promise<void>;
}

let databases = 0;

export async function startBenchPostgres(): Promise<BenchPostgres> {
  const cluster = await startPostgres({ settings: benchSettings() });
  const postmaster = await postmasterPid(cluster);
  return {
    cluster,
    bin: postgresBinaries(),
    async freshDatabase(prefix) {
      const name = `${prefix}_${process.pid}_${++databases}`;
      await cluster.createDatabase(name);
      return cluster.url(name);
    },
    serverCpuMs: () => processTreeCpuMs(postmaster),
    stop: () => cluster.stop(),
  };
}

async function postmasterPid(cluster: PostgresCluster): Promise<number> {
  const c = new pg.Client({ host: cluster.socketDir, port: cluster.port, user: cluster.user, database: 'postgres' });
  await c.connect();
  try {
    const dir = (await c.query<{ setting: string }>("SELECT setting FROM pg_settings WHERE name = 'data_directory'")).rows[0].setting;
    return Number(fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } finally {
    await c.end();
  }
}

/**
 * CPU of a process and its children, in ms: its own utime + stime, those of its live children,
 * and what its ended children used (cutime + cstime). Backends of closed connections are counted
 * through the last.
 */
export function processTreeCpuMs(pid: number): number {
  const stat = (p: number | string) => {
    const text = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  };
  try {
    const own = stat(pid);
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const child of childrenOf(pid)) {
      try {
        const f = stat(child);
        ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // ended between the listing and the read: counted in the parent's cutime from now on
      }
    }
    return ticks * 10;
  } catch {
    return NaN;
  }
}

/** The processes whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // ended between the listing and the read
    }
  }
  return out;
}

/** The store section of a hie config for an engine: SQLite under the data folder, or the database at `url`. */
export function storeSection(engine: Engine, url?: string): { store?: Record<string, unknown> } {
  if (engine === 'sqlite') return {};
  if (!url) throw new Error('postgres needs a database URL');
  return { store: { engine: 'postgres', postgres: { url } } };
}

/** A ratio, or NaN when a side is missing. */
export const ratioOf = (a: number | undefined, b: number | undefined): number => (a !== undefined && b !== undefined && b > 0 ? a / b : NaN);
