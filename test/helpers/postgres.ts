/**
 * A throwaway PostgreSQL cluster for tests, made from Debian's `postgresql` binaries: initdb and
 * pg_ctl in a temporary folder, listening on a free loopback port and on a unix socket in that
 * folder, stopped and removed by `stop()` (and when the test process exits). initdb and postgres
 * refuse to run as root: as root they run as `nobody`, the folder chowned to it.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface PostgresCluster {
  host: string;
  port: number;
  user: string;
  /** The unix socket folder. */
  socketDir: string;
  /** A URL of a database of this cluster. */
  url(database: string): string;
  /** Creates an empty database and returns its name. */
  createDatabase(name?: string): Promise<string>;
  /**
   * pg_ctl on the server, keeping its data and port: `restart` (mode fast: sessions are ended with
   * admin_shutdown, as an operator's restart does), `halt` (stop, mode fast) and `start`.
   */
  control(action: 'restart' | 'halt' | 'start'): Promise<void>;
  /**
   * A streaming replica of this cluster (pg_basebackup -R, as the same user, on another port and
   * socket folder): a hot standby that answers reads. Stopped and removed by its own `stop()`.
   */
  startStandby(): Promise<PostgresCluster>;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
let databases = 0;

/** The bin folder of the newest installed PostgreSQL major version, or a clear error saying how to install one. */
export function postgresBinaries(root = '/usr/lib/postgresql'): string {
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')) && fs.existsSync(path.join(root, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      `PostgreSQL tests need the PostgreSQL server binaries (initdb, pg_ctl under ${root}/<version>/bin): install them with \`apt-get install postgresql\``,
    );
  }
  return path.join(root, versions[0], 'bin');
}

/** Whether every folder from `dir` up has the execute bit for others (so `nobody` can reach inside). */
function reachableByOthers(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) return false;
    if (d === path.dirname(d)) return true;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface ClusterOptions {
  /** Serve TLS with this certificate and key (PEM files), and accept TCP connections over TLS only. */
  tls?: { cert: string; key: string };
  /**
   * Server settings (`-c name=value`) in place of the test defaults (fsync, synchronous_commit and
   * full_page_writes off, max_connections 200): the benchmarks pass a durable, production-like set.
   */
  settings?: Record<string, string | number>;
}

export async function startPostgres(opts: ClusterOptions = {}): Promise<PostgresCluster> {
  return startCluster(opts);
}

/** A new cluster by initdb, or (with `standbyOf`) a streaming replica of a running one by pg_basebackup. */
async function startCluster(opts: ClusterOptions, standbyOf?: PostgresCluster): Promise<PostgresCluster> {
  const bin = postgresBinaries();
  const asRoot = process.getuid?.() === 0;
  // As root the cluster runs as nobody, which cannot enter the test run's private temporary folder.
  const base = !asRoot || reachableByOthers(os.tmpdir()) ? os.tmpdir() : '/tmp';
  const dir = fs.mkdtempSync(path.join(base, 'hie-pg-'));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'postgres.log');
  let prefix: string[] = [];
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'nobody']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'nobody']).toString().trim());
    fs.chownSync(dir, uid, gid);
    prefix = ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'];
  }
  const run = (cmd: string, args: string[]) => {
    const [file, ...rest] = [...prefix, path.join(bin, cmd), ...args];
    const r = spawnSync(file, rest, { cwd: dir, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', HOME: dir } });
    if (r.status !== 0) {
      const logText = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
      throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout || r.error?.message}\n${logText}`);
    }
  };
  /** As `run`, without blocking the test process (its clients keep talking meanwhile). */
  const runAsync = (cmd: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const [file, ...rest] = [...prefix, path.join(bin, cmd), ...args];
      execFile(file, rest, { cwd: dir, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', HOME: dir } }, (error, stdout, stderr) =>
        error ? reject(new Error(`${cmd} ${args.join(' ')} failed (${error.code ?? error.signal}): ${stderr || stdout || error.message}`)) : resolve(),
      );
    });
  const port = await freePort();
  let started = false;
  let serverOptions = '';
  const removeAll = () => {
    if (started) {
      started = false;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already gone
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const onExit = () => removeAll();
  process.on('exit', onExit);
  try {
    if (standbyOf) {
      // -R writes primary_conninfo and standby.signal: the copy starts as a hot standby streaming from the primary.
      run('pg_basebackup', ['-D', data, '-R', '-X', 'stream', '-c', 'fast', '-h', standbyOf.host, '-p', String(standbyOf.port), '-U', SUPERUSER, '--no-sync']);
    } else {
      run('initdb', ['-D', data, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    }
    const tlsOptions: string[] = [];
    if (opts.tls) {
      // The key must belong to the server's user and be private to it.
      for (const [from, to] of [[opts.tls.cert, 'server.crt'], [opts.tls.key, 'server.key']]) {
        fs.copyFileSync(from, path.join(data, to));
        fs.chmodSync(path.join(data, to), 0o600);
        if (asRoot) fs.chownSync(path.join(data, to), fs.statSync(data).uid, fs.statSync(data).gid);
      }
      fs.writeFileSync(path.join(data, 'pg_hba.conf'), 'local all all trust\nhostssl all all 127.0.0.1/32 trust\n');
      tlsOptions.push('-c ssl=on', '-c ssl_cert_file=server.crt', '-c ssl_key_file=server.key');
    }
    // Durability is not under test here: no fsync makes database creation and commits fast.
    const settings = opts.settings ?? { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: 200 };
    const options = [
      ...tlsOptions,
      `-p ${port}`,
      "-c listen_addresses='127.0.0.1'",
      `-k ${dir}`,
      ...Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`),
    ].join(' ');
    run('pg_ctl', ['-D', data, '-l', log, '-o', options, '-w', '-t', '60', 'start']);
    started = true;
    serverOptions = options;
  } catch (e) {
    process.off('exit', onExit);
    removeAll();
    throw e;
  }
  const cluster: PostgresCluster = {
    host: '127.0.0.1',
    port,
    user: SUPERUSER,
    socketDir: dir,
    url: (database) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`,
    async createDatabase(name = `hie_test_${process.pid}_${++databases}`) {
      const c = adminClient(cluster);
      await c.connect();
      try {
        await c.query(`CREATE DATABASE ${name}`);
      } finally {
        await c.end();
      }
      return name;
    },
    async control(action) {
      if (action === 'halt') {
        await runAsync('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
        started = false;
      } else {
        await runAsync('pg_ctl', ['-D', data, '-l', log, '-o', serverOptions, ...(action === 'restart' ? ['-m', 'fast'] : []), '-w', '-t', '60', action]);
        started = true;
      }
    },
    startStandby() {
      return startCluster({}, cluster);
    },
    async stop() {
      process.off('exit', onExit);
      removeAll();
    },
  };
  return cluster;
}

/** A client of the cluster's own database over its unix socket (allowed whatever TCP asks for). */
function adminClient(cluster: PostgresCluster): pg.Client {
  return new pg.Client({ host: cluster.socketDir, port: cluster.port, user: cluster.user, database: 'postgres' });
}

let shared: Promise<PostgresCluster> | undefined;

/** One cluster for the whole test process, started at first use (removed when the process exits). */
export function sharedPostgres(): Promise<PostgresCluster> {
  shared ??= startPostgres();
  return shared;
}

/** The database of a key (a server's data folder), created at first use: a server restarted on the same folder finds its data. */
export async function databaseFor(cluster: PostgresCluster, key: string): Promise<string> {
  const name = `hie_${createHash('sha1').update(key).digest('hex').slice(0, 20)}`;
  const c = adminClient(cluster);
  await c.connect();
  try {
    const exists = (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount;
    if (!exists) await c.query(`CREATE DATABASE ${name}`);
  } finally {
    await c.end();
  }
  return name;
}

/**
 * With HIE_TEST_STORE=postgres, the environment that puts a `hie` child process on the database of
 * its data folder (the one startTestServer gives a server on that folder); otherwise nothing.
 */
export async function testStoreEnv(dataDir: string | undefined): Promise<NodeJS.ProcessEnv> {
  if (process.env.HIE_TEST_STORE !== 'postgres' || dataDir === undefined) return {};
  const cluster = await sharedPostgres();
  return { HIE__STORE__ENGINE: 'postgres', HIE__STORE__POSTGRES__URL: cluster.url(await databaseFor(cluster, path.resolve(dataDir))) };
}
