/**
 * Applies the migrations a database lacks, under a session advisory lock: processes starting together
 * on one database wait for the first, then find everything applied, so each migration runs once.
 */
import type pg from 'pg';
import { MIGRATIONS, type Migration } from './migrations.ts';

/** The advisory lock key of the schema migrations (any constant; 'hie' in ASCII). */
export const MIGRATION_LOCK = 0x686965;

export async function migrate(client: pg.ClientBase, migrations: Migration[] = MIGRATIONS): Promise<number[]> {
  const applied: number[] = [];
  // Neither waiting for another process's migration nor a migration itself (an index on a large
  // table) is bound by the statement timeout of requests; RESET gives the connection its own back.
  await client.query('SET statement_timeout = 0');
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)');
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations(version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw new Error(`PostgreSQL migration ${m.version} (${m.name}) failed: ${(e as Error).message}`, { cause: e });
      }
      applied.push(m.version);
    }
  } finally {
    // The lock also ends with the session, should the connection be what failed.
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await client.query('RESET statement_timeout').catch(() => undefined);
  }
  return applied;
}
