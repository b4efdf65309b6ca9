/**
 * The store the configuration names (store.engine): the SQLite file under dataDir, or the PostgreSQL
 * database of store.postgres, connected and migrated before anything else starts. A database that
 * cannot be reached fails the start with a StoreUnavailableError saying where it was looked for. Read
 * replicas (store.postgres.replicas) are connected when first used: one that is down does not stop
 * the start, the primary answers for it (replicaRouter.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import type { Config, PostgresConfig } from '../kernel/config.ts';
import type { Logger } from '../kernel/logger.ts';
import { PostgresStore } from '../store/postgres/pgStore.ts';
import { ReplicaRoutedStore } from '../store/postgres/replicaRouter.ts';
import { SqliteStore } from '../store/sqlite/sqliteStore.ts';
import type { Store } from '../store/types.ts';

export async function openStore(config: Config, log?: Logger): Promise<Store> {
  if (config.store.engine === 'sqlite') {
    return new SqliteStore({ path: path.join(config.dataDir, config.store.sqlite.file), synchronous: config.store.sqlite.synchronous });
  }
  const pg = config.store.postgres;
  const tls = pg.tls && tlsOptions(pg.tls);
  const common = {
    statementTimeoutMs: pg.statementTimeoutMs,
    connectTimeoutMs: pg.connectTimeoutMs,
    tls,
    onIdleError: (e: Error) => log?.warn('store.postgres.connection-lost', { error: e.message }),
  };
  const primary = await PostgresStore.open({
    url: pg.url,
    host: pg.host,
    port: pg.port,
    database: pg.database,
    user: pg.user,
    password: pg.password,
    poolSize: pg.poolSize,
    ...common,
  });
  if (pg.replicas.length === 0) return primary;
  const replicas = pg.replicas.map((r) => PostgresStore.standby({ url: r.url, host: r.host, port: r.port, database: r.database, user: r.user, password: r.password, poolSize: r.poolSize, ...common }));
  return new ReplicaRoutedStore(primary, replicas, {
    transactions: pg.replicaTransactions,
    maxLagMs: pg.replicaMaxLagMs,
    checkMs: pg.replicaCheckMs,
    onState: (replica, state, detail) =>
      state === 'ready' ? log?.info('store.replica.ready', { replica }) : log?.warn('store.replica.unused', { replica, reason: state, detail: detail ?? '' }),
  });
}

function tlsOptions(t: NonNullable<PostgresConfig['tls']>): ConnectionOptions {
  const read = (key: string, file: string | undefined) => {
    if (file === undefined) return undefined;
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new Error(`store.postgres.tls.${key}: cannot read ${file}: ${(e as Error).message}`);
    }
  };
  return {
    ca: read('ca', t.ca),
    cert: read('cert', t.cert),
    key: read('key', t.key),
    servername: t.servername,
    rejectUnauthorized: t.rejectUnauthorized,
  };
}
