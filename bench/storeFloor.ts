/**
 * The store floor of a write path: the SQL statements the real code runs for each unit of work (an
 * ITI-8 feed, an SS-MIX2 file), captured once, then replayed raw on a copy of the database the
 * capture started from: prepared statements one after another, no JavaScript between them, a fixed
 * number of units per commit. SQLite has one writer, so no server built on this store can write
 * those units faster than the replay does; with `synchronous=OFF` (no fsync at all) the replay is a
 * ceiling that no durable server reaches.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import { Statements } from '../src/store/sqlite/statements.ts';

export type StatementCall = [kind: 'run' | 'get' | 'all', sql: string, args: unknown[]];

const KINDS = ['run', 'get', 'all'] as const;

export interface StatementCapture {
  /** What ran so far, in order. */
  readonly calls: StatementCall[];
  stop(): void;
}

/**
 * Records every statement run through the store's prepared-statement cache (every repository
 * reaches SQLite through it) until `stop`. One capture at a time, and only in a benchmark: it wraps
 * the class's methods meanwhile.
 */
export function startCapture(): StatementCapture {
  const calls: StatementCall[] = [];
  const proto = Statements.prototype as unknown as Record<(typeof KINDS)[number], (sql: string, ...args: unknown[]) => unknown>;
  const originals = KINDS.map((k) => proto[k]);
  KINDS.forEach((k, i) => {
    proto[k] = function (this: Statements, sql: string, ...args: unknown[]) {
      calls.push([k, sql, args]);
      return originals[i].call(this, sql, ...args);
    };
  });
  return { calls, stop: () => KINDS.forEach((k, i) => (proto[k] = originals[i])) };
}

/** The statements run while `work` runs. */
export async function captureStatements<T>(work: () => Promise<T>): Promise<{ value: T; calls: StatementCall[] }> {
  const capture = startCapture();
  try {
    return { value: await work(), calls: capture.calls };
  } finally {
    capture.stop();
  }
}

export interface ReplayOptions {
  /** Units per BEGIN ... COMMIT. */
  perCommit: number;
  synchronous: 'OFF' | 'FULL';
  /** Replay the reads too, or only the statements that write (INSERT, UPDATE, DELETE, also those with RETURNING). */
  reads: boolean;
  /** Units replayed before the clock starts (the same database grows through them). */
  warmup: number;
  /** Called as the clock starts (to start other work alongside the replay). */
  onStart?: () => void;
}

export interface ReplayResult {
  perSecond: number;
  seconds: number;
  /** CPU of the replaying thread per unit, µs. */
  cpuMicros: number;
  statementsPerUnit: number;
  /** Rows of each table after the replay (to check it wrote what the captured run wrote). */
  rows: Record<string, number>;
}

/** Rows of each table of a database: what a replay is checked against. */
export function tableRows(db: Database.Database): Record<string, number> {
  const out: Record<string, number> = {};
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
  for (const { name } of tables) out[name] = (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n;
  return out;
}

/** Throws unless a replay left the same rows as the run it was captured from. */
export function checkReplay(replayed: ReplayResult, capturedFile: string): void {
  const db = new Database(capturedFile, { readonly: true });
  try {
    const want = JSON.stringify(tableRows(db));
    const got = JSON.stringify(replayed.rows);
    if (got !== want) throw new Error(`the replay did not write what the captured run wrote: ${got} against ${want}`);
  } finally {
    db.close();
  }
}

/**
 * Replays `units` (each the statements of one unit of work, in order) on a copy of `baseFile`,
 * with the page cache and WAL mode of the store's own connections. The copy is removed afterwards.
 */
export function replayStatements(baseFile: string, units: StatementCall[][], o: ReplayOptions): ReplayResult {
  const file = `${baseFile}.replay-${process.pid}`;
  fs.copyFileSync(baseFile, file);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${o.synchronous}`);
    db.pragma('cache_size = -65536');
    db.pragma('foreign_keys = ON');
    db.pragma('temp_store = MEMORY');
    const st = new Statements(db);
    const writes = new Map<string, boolean>();
    const replayed = (sql: string) => {
      if (o.reads) return true;
      let w = writes.get(sql);
      if (w === undefined) writes.set(sql, (w = !db.prepare(sql).readonly));
      return w;
    };
    const run = (from: number, to: number) => {
      for (let i = from; i < to; i += o.perCommit) {
        db.exec('BEGIN IMMEDIATE');
        for (let j = i; j < Math.min(to, i + o.perCommit); j++) {
          for (const [kind, sql, args] of units[j]) if (replayed(sql)) st[kind](sql, ...args);
        }
        db.exec('COMMIT');
      }
    };
    run(0, o.warmup);
    o.onStart?.();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    run(o.warmup, units.length);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const timed = units.length - o.warmup;
    let statements = 0;
    for (let j = o.warmup; j < units.length; j++) for (const [, sql] of units[j]) if (replayed(sql)) statements++;
    return { perSecond: timed / seconds, seconds, cpuMicros: (cpu.user + cpu.system) / timed, statementsPerUnit: statements / timed, rows: tableRows(db) };
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  }
}
