/**
 * Open interactive queries on PostgreSQL (store/types.ts ContinuationTable), for every process on the
 * database. Taking and cancelling are one statement each. Keeping one runs its limits and insert under
 * one transaction-scoped advisory lock, in READ COMMITTED (each statement sees what the lock's
 * previous holder committed): the limits hold exactly with any number of processes, and two keeps
 * never fail each other as serializable transactions over the whole table would.
 */
import type pg from 'pg';
import type { ContinuationTable } from '../types.ts';

/** The advisory lock key of keeping a query (any constant not used by migrate.ts). */
const KEEP_LOCK = 0x68696531;

export class PgContinuationTable implements ContinuationTable {
  constructor(private readonly pool: pg.Pool) {}

  async put(
    q: { pointer: string; node: string; requester: string; queryTag: string; state: string; expiresAt: number },
    limits: { maxOpen: number; maxPerNode: number },
  ): Promise<void> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      await client.query('SELECT pg_advisory_xact_lock($1)', [KEEP_LOCK]);
      await client.query('DELETE FROM search_continuations WHERE expires_at <= $1', [Date.now()]);
      // A node beyond its own limit loses its own oldest query, never another node's.
      await client.query(
        'DELETE FROM search_continuations WHERE seq IN (SELECT seq FROM search_continuations WHERE node = $1 ORDER BY seq DESC OFFSET $2)',
        [q.node, Math.max(0, limits.maxPerNode - 1)],
      );
      // Only when the whole table is full does the node holding most lose its oldest.
      for (;;) {
        const open = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM search_continuations')).rows[0].n);
        if (open < limits.maxOpen) break;
        await client.query(
          `DELETE FROM search_continuations WHERE seq = (
             SELECT min(seq) FROM search_continuations WHERE node = (
               SELECT node FROM search_continuations GROUP BY node ORDER BY count(*) DESC, min(seq) LIMIT 1))`,
        );
      }
      await client.query('INSERT INTO search_continuations(pointer, node, requester, query_tag, state, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        q.pointer,
        q.node,
        q.requester,
        q.queryTag,
        q.state,
        q.expiresAt,
      ]);
      await client.query('COMMIT');
    } catch (e) {
      broken = await client.query('ROLLBACK').then(
        () => false,
        () => true,
      );
      throw e;
    } finally {
      client.release(broken);
    }
  }

  async take(pointer: string, queryTag: string, requester: string, now: number): Promise<string | undefined> {
    const r = await this.pool.query<{ state: string }>(
      'DELETE FROM search_continuations WHERE pointer = $1 AND query_tag = $2 AND requester = $3 AND expires_at > $4 RETURNING state',
      [pointer, queryTag, requester, now],
    );
    return r.rows[0]?.state;
  }

  async cancel(queryTag: string, requester: string, node: string): Promise<boolean> {
    const r = await this.pool.query('DELETE FROM search_continuations WHERE node = $1 AND query_tag = $2 AND requester = $3', [node, queryTag, requester]);
    return (r.rowCount ?? 0) > 0;
  }

  async count(now: number, node?: string): Promise<number> {
    const r =
      node === undefined
        ? await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM search_continuations WHERE expires_at > $1', [now])
        : await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM search_continuations WHERE expires_at > $1 AND node = $2', [now, node]);
    return Number(r.rows[0].n);
  }
}
