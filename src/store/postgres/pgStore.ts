/**
 * The PostgreSQL store: a pool of connections, one transaction per request. A read is one
 * REPEATABLE READ READ ONLY transaction (one snapshot for everything it reads); a write is one
 * SERIALIZABLE transaction, run again from the start when PostgreSQL reports a serialization failure
 * (40001) or a deadlock (40P01), so that check-then-insert logic holds with any number of writers in
 * any number of processes. A unique violation (23505) is a StoreConstraintError, as with SQLite.
 * Migrations run at open, under an advisory lock (migrate.ts).
 */
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { StoreConstraintError, StoreUnavailableError } from '../errors.ts';
import type { ReadTx, Store, WriteTx } from '../types.ts';
import { PgAuditRepo, type AgentSetCache } from './auditRepo.ts';
import { PgAuditMonths } from './auditPartitions.ts';
import { PgConsentRepo } from './consentRepo.ts';
import { PgContinuationTable } from './continuationTable.ts';
import { PgOutboxClaims } from './outboxClaims.ts';
import { PgIdentityRepo } from './identityRepo.ts';
import { PgIngestRepo } from './ingestRepo.ts';
import { asStoreError, isConnectionLoss, withStoreErrors } from './connectionLoss.ts';
import { migrate } from './migrate.ts';
import { PgOutboxRepo } from './outboxRepo.ts';
import { PgRegistryRepo } from './registryRepo.ts';
import { PgRepositoryRepo } from './repositoryRepo.ts';
import { Sql } from './sql.ts';

export interface PostgresStoreOptions {
  /** A connection URL (postgres://user:password@host:port/database?...), or the parts below. */
  url?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  /** Connections at most. */
  poolSize?: number;
  /** A statement running longer is cancelled (the request fails, nothing of it is kept). */
  statementTimeoutMs?: number;
  /** How long to wait for a connection (new, or free in the pool). */
  connectTimeoutMs?: number;
  /** TLS to the database; absent: none (or what the URL's sslmode says). */
  tls?: ConnectionOptions;
  /** Runs of one write at most, the first included, when PostgreSQL asks for a retry. */
  maxAttempts?: number;
  /** Told of errors of idle connections (the database restarted, the network dropped). */
  onIdleError?: (e: Error) => void;
}

/** PostgreSQL's int8 (ids, counts) as a JavaScript number: ids stay far below 2^53. */
const INT8 = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

const RETRYABLE = new Set(['40001', '40P01']);
/**
 * A write that met a serialization failure runs again alone: it waits for the writers' turn, an
 * advisory lock every other write holds shared while it runs. PostgreSQL's serializable isolation
 * tracks reads by index page, so writers of different patients meet on the same pages (the uniqueIds
 * of one source are close together) and, retried freely, eight at once kept failing each other until
 * the attempts ran out (15 to 25 % of ITI-42 submissions). A write that runs alone cannot meet
 * another; writes that do not meet never wait.
 */
const TAKE_TURNS_AFTER = 1;
const WRITERS_TURN = 0x68_69_65_01;
const UNIQUE_VIOLATION = '23505';

const sqlState = (e: unknown): string | undefined => (e instanceof Error && 'code' in e ? String((e as { code: unknown }).code) : undefined);
/** An error PostgreSQL reported (a DatabaseError carries a severity): the connection itself is fine. */
const fromServer = (e: unknown): boolean => e instanceof Error && 'severity' in e;

/** Where the store connects, without the password, for messages. */
export function describeTarget(o: PostgresStoreOptions): string {
  if (o.url) {
    try {
      const u = new URL(o.url);
      return `${u.hostname || 'localhost'}:${u.port || 5432}${u.pathname}`;
    } catch {
      return 'the configured URL';
    }
  }
  return `${o.host ?? 'localhost'}:${o.port ?? 5432}/${o.database ?? ''}`;
}

interface Tx {
  sql: Sql;
  audit: PgAuditRepo;
  tx: WriteTx;
}

export class PostgresStore implements Store {
  readonly engine = 'postgres';
  private readonly agentSets: AgentSetCache = new Map();
  /** Open interactive queries, continued by whichever process the next page reaches. */
  readonly continuations: PgContinuationTable;
  /** Claims on outbox messages: each process sends what it claimed. */
  readonly outboxClaims: PgOutboxClaims;
  /** The audit tables' month partitions, for the retention job. */
  readonly auditMonths: PgAuditMonths;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly maxAttempts: number,
    /** Where it connects, for messages (no password). */
    readonly target: string,
  ) {
    this.continuations = withStoreErrors(new PgContinuationTable(pool), target);
    this.outboxClaims = withStoreErrors(new PgOutboxClaims(pool), target);
    this.auditMonths = new PgAuditMonths(pool);
  }

  /** Connects, migrates, and gives the store; a StoreUnavailableError when the database cannot be reached. */
  static async open(o: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = makePool(o);
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw new StoreUnavailableError(`cannot connect to PostgreSQL at ${describeTarget(o)}: ${(e as Error).message || sqlState(e) || String(e)}`, { cause: e });
    }
    try {
      await migrate(client);
    } catch (e) {
      client.release(true);
      await pool.end().catch(() => undefined);
      throw e;
    }
    client.release();
    return new PostgresStore(pool, o.maxAttempts ?? 10, describeTarget(o));
  }

  /**
   * A store on a read replica (a hot standby of the database `open` migrated), for reads only: it
   * connects when first asked, so a replica that is down does not stop the start.
   */
  static standby(o: PostgresStoreOptions): PostgresStore {
    return new PostgresStore(makePool(o), 1, describeTarget(o));
  }

  /**
   * How far the write-ahead log goes, as a byte position: written, on a primary; replayed, on a
   * standby (the manual's system administration functions pg_current_wal_lsn and pg_last_wal_replay_lsn).
   */
  async walPosition(): Promise<{ standby: boolean; lsn: bigint | undefined }> {
    try {
      const { rows } = await this.pool.query<{ standby: boolean; lsn: string | null }>(
        'SELECT pg_is_in_recovery() AS standby, (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text AS lsn',
      );
      return { standby: rows[0].standby, lsn: rows[0].lsn === null ? undefined : lsnBytes(rows[0].lsn) };
    } catch (e) {
      throw asStoreError(e, this.target);
    }
  }

  async read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    for (let stale = 0; ; stale++) {
      const client = await this.connect();
      let broken = false;
      let begun = false;
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        begun = true;
        const { tx } = this.transaction(client);
        const value = await fn(tx);
        await client.query('COMMIT');
        return value;
      } catch (e) {
        broken = !(await rollback(client));
        // A pooled connection the database closed while it was idle (a restart): nothing was asked on it yet.
        if (!begun && stale === 0 && isConnectionLoss(e)) continue;
        throw asStoreError(e, this.target);
      } finally {
        client.release(broken);
      }
    }
  }

  async write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    let stale = 0;
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect();
      let broken = false;
      let begun = false;
      let t: Tx | undefined;
      const inTurn = attempt > TAKE_TURNS_AFTER;
      try {
        // A turn is taken before BEGIN, so that the snapshot is taken once it is granted; otherwise the
        // transaction holds the turns' lock shared until it ends (one round trip, as BEGIN alone).
        if (inTurn) {
          await client.query(`SELECT pg_advisory_lock(${WRITERS_TURN})`);
          await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        } else await client.query(`BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT pg_advisory_xact_lock_shared(${WRITERS_TURN})`);
        begun = true;
        t = this.transaction(client);
        const value = await fn(t.tx);
        // A callback that caught a failed query must not commit: PostgreSQL would answer COMMIT with a rollback.
        if (t.sql.failure !== undefined) throw t.sql.failure;
        await client.query('COMMIT');
        t.audit.committed();
        return value;
      } catch (e) {
        broken = !(await rollback(client));
        if (!begun && stale++ === 0 && isConnectionLoss(e)) continue;
        // The callback may have turned the failed query into an error of its own: the query decides.
        const cause = t?.sql.failure ?? e;
        const state = sqlState(cause);
        if (state && RETRYABLE.has(state) && fromServer(cause) && attempt < this.maxAttempts) {
          await pause(attempt);
          continue;
        }
        if (state === UNIQUE_VIOLATION && fromServer(cause)) {
          throw new StoreConstraintError((cause as Error).message, (cause as { constraint?: string }).constraint);
        }
        if (isConnectionLoss(cause)) throw asStoreError(cause, this.target);
        throw asStoreError(e, this.target);
      } finally {
        if (inTurn && !broken) broken = !(await unlock(client));
        client.release(broken);
      }
    }
  }

  /** A connection from the pool; a StoreUnavailableError when none can be had (the database is down). */
  private async connect(): Promise<pg.PoolClient> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw asStoreError(e, this.target);
    }
    return client;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** pg_database_size: every relation of the database with its indexes and TOAST (a walk of its files on the server). */
  async databaseBytes(): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT pg_database_size(current_database()) AS n')).rows[0].n;
  }

  private transaction(client: pg.PoolClient): Tx {
    const sql = new Sql(client);
    const audit = new PgAuditRepo(sql, this.agentSets);
    return {
      sql,
      audit,
      tx: {
        identity: new PgIdentityRepo(sql),
        audit,
        outbox: new PgOutboxRepo(sql),
        registry: new PgRegistryRepo(sql),
        repository: new PgRepositoryRepo(sql),
        ingest: new PgIngestRepo(sql),
        consent: new PgConsentRepo(sql),
      },
    };
  }
}

function makePool(o: PostgresStoreOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: o.url,
    host: o.host,
    port: o.port,
    database: o.database,
    user: o.user,
    password: o.password,
    max: o.poolSize ?? 10,
    statement_timeout: o.statementTimeoutMs ?? 30_000,
    connectionTimeoutMillis: o.connectTimeoutMs ?? 10_000,
    application_name: 'hie',
    ...(o.tls ? { ssl: o.tls } : {}),
    types,
  });
  pool.on('error', (e) => o.onIdleError?.(e));
  // A connection lost while lent out (the server shut down between two queries) emits 'error', which
  // the pool listens for only while the connection is idle: the holder's next query fails instead.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** An LSN (`16/B374D848`: the high and low 32 bits in hex) as a byte position. */
export function lsnBytes(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

/** Gives the writers' turn back; false when the connection could not (the lock ends with its session). */
async function unlock(client: pg.PoolClient): Promise<boolean> {
  try {
    await client.query(`SELECT pg_advisory_unlock(${WRITERS_TURN})`);
    return true;
  } catch {
    return false;
  }
}

/** Rolls back; false when the connection could not (it is broken and must not go back to the pool). */
async function rollback(client: pg.PoolClient): Promise<boolean> {
  try {
    await client.query('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}

/** A short random pause before a retry, longer after each, so that the writers that met do not meet again. */
function pause(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(200, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
