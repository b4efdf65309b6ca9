/**
 * The embedded store: one SQLite file in WAL mode. One writer connection behind the group-commit
 * queue, one reader connection that sees only committed data.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreConstraintError } from '../errors.ts';
import type { ReadTx, Store, WriteTx } from '../types.ts';
import { SqliteAuditRepo } from './auditRepo.ts';
import { SqliteConsentRepo } from './consentRepo.ts';
import { SqliteIdentityRepo } from './identityRepo.ts';
import { SqliteIngestRepo } from './ingestRepo.ts';
import { MIGRATIONS } from './migrations.ts';
import { SqliteOutboxRepo } from './outboxRepo.ts';
import { WalCheckpointer } from './walCheckpointer.ts';
import { WalSync } from './walSync.ts';
import { SqliteRegistryRepo } from './registryRepo.ts';
import { SqliteRepositoryRepo } from './repositoryRepo.ts';
import { WriteQueue } from './writeQueue.ts';

export interface SqliteStoreOptions {
  /** Database file; ':memory:' is refused (the reader needs the same file). */
  path: string;
  /**
   * FULL: every request is on disk before it is answered (the WAL fsynced off the event loop,
   * walSync.ts). NORMAL trades that for speed: a power loss may lose the last answered requests.
   */
  synchronous?: 'FULL' | 'NORMAL';
  busyTimeoutMs?: number;
}

/** Page cache per connection, KiB. */
const CACHE_KIB = 64 * 1024;
/**
 * Page size of a new database (an existing one keeps its own). A received audit message makes a row
 * of about 2 kB: with 4 KiB pages most took a page of their own, written to the WAL and copied
 * again at the checkpoint; with 8 KiB three share one. `npm run bench:atna -- --only hie`, back to
 * back: 30,022 and 32,080 events/s against 27,617 and 27,676 with 4 KiB; the ITI-8 feed (1,202
 * against 1,169 and 1,302 feeds/s) and ITI-42 registration (2,423 against 2,270 entries/s) did not move.
 */
const PAGE_BYTES = 8192;

function openConnection(file: string, opts: SqliteStoreOptions, readonly: boolean): Database.Database {
  const db = new Database(file, { readonly, fileMustExist: readonly });
  db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
  // The index pages a feed or a query touches stay in SQLite's cache instead of being read back
  // from the file every time (the default is 2 MiB; the search-key index alone outgrows it early).
  db.pragma(`cache_size = -${CACHE_KIB}`);
  if (!readonly) {
    // Only before the database's first page is written, and before it is in WAL mode.
    db.pragma(`page_size = ${PAGE_BYTES}`);
    db.pragma('journal_mode = WAL');
    // Commits never fsync on the event loop; FULL durability is WalSync's job.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    // Each request of a group commit runs in a SAVEPOINT, whose sub-journal (the pages it changed,
    // kept to roll it back alone) spills to a temporary file past 64 KiB: one feed is past that.
    // In memory it costs no file create/write/unlink per request. The WAL and its fsync are not
    // affected: durability is the same.
    db.pragma('temp_store = MEMORY');
  }
  return db;
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  db.exec('BEGIN EXCLUSIVE');
  try {
    const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    }
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
}

/** A broken uniqueness rule as the engine-neutral error (errors.ts). */
function uniqueViolation(e: unknown): StoreConstraintError | undefined {
  if (!(e instanceof Database.SqliteError) || (e.code !== 'SQLITE_CONSTRAINT_UNIQUE' && e.code !== 'SQLITE_CONSTRAINT_PRIMARYKEY')) return undefined;
  return new StoreConstraintError(e.message);
}

export class SqliteStore implements Store {
  readonly engine = 'sqlite';
  private readonly writer: Database.Database;
  private readonly reader: Database.Database;
  private readonly queue: WriteQueue;
  private readonly walSync?: WalSync;
  private readonly checkpointer: WalCheckpointer;
  private readonly writeTx: WriteTx;
  private readonly readTx: ReadTx;

  constructor(opts: SqliteStoreOptions) {
    if (opts.path === ':memory:') throw new Error('SQLite store needs a file path');
    fs.mkdirSync(path.dirname(path.resolve(opts.path)), { recursive: true });
    this.writer = openConnection(opts.path, opts, false);
    migrate(this.writer);
    this.reader = openConnection(opts.path, opts, true);
    const wal = (opts.synchronous ?? 'FULL') === 'FULL' ? new WalSync(path.resolve(opts.path) + '-wal') : undefined;
    this.walSync = wal;
    const checkpointer = new WalCheckpointer(this.writer, path.resolve(opts.path));
    this.checkpointer = checkpointer;
    const audit = new SqliteAuditRepo(this.writer);
    this.queue = new WriteQueue(
      this.writer,
      wal ? () => wal.sync() : undefined,
      () => checkpointer.committed(),
      () => audit.rolledBack(),
    );
    this.writeTx = {
      identity: new SqliteIdentityRepo(this.writer),
      audit,
      outbox: new SqliteOutboxRepo(this.writer),
      registry: new SqliteRegistryRepo(this.writer),
      repository: new SqliteRepositoryRepo(this.writer),
      ingest: new SqliteIngestRepo(this.writer),
      consent: new SqliteConsentRepo(this.writer),
    };
    this.readTx = {
      identity: new SqliteIdentityRepo(this.reader),
      audit: new SqliteAuditRepo(this.reader),
      outbox: new SqliteOutboxRepo(this.reader),
      registry: new SqliteRegistryRepo(this.reader),
      repository: new SqliteRepositoryRepo(this.reader),
      ingest: new SqliteIngestRepo(this.reader),
      consent: new SqliteConsentRepo(this.reader),
    };
  }

  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    return fn(this.readTx);
  }

  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    return this.queue.enqueue(() => fn(this.writeTx)).catch((e: unknown) => {
      throw uniqueViolation(e) ?? e;
    });
  }

  async close(): Promise<void> {
    await this.queue.enqueue(async () => undefined);
    await this.walSync?.close();
    await this.checkpointer.close();
    this.reader.close();
    this.writer.close();
  }
}
