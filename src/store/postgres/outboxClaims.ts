/**
 * Claims on outbox messages (store/types.ts OutboxClaims) for the processes that share one database:
 * each claims whole destinations (claimed_by, claimed_until) under a transaction-scoped advisory
 * lock of the channel, in READ COMMITTED, so that the next claim sees the last one committed and a
 * destination is sent in order by one process at a time. Not a serializable write: a claim reads every
 * unsent message, and as a serializable transaction it would make the feeds enqueueing messages at
 * the same moment fail serialization again and again.
 */
import type pg from 'pg';
import type { OutboxClaims, OutboxMessage } from '../types.ts';
import { type OutboxRow, toMessage } from '../rows/outbox.ts';

export class PgOutboxClaims implements OutboxClaims {
  constructor(private readonly pool: pg.Pool) {}

  async claimDue(channel: string, now: number, limit: number, holder: string, until: number): Promise<OutboxMessage[]> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      await client.query("SELECT pg_advisory_xact_lock(hashtext('hie.outbox.' || $1::text))", [channel]);
      // Destinations whose head is due and none of whose unsent messages another holder's live claim covers.
      const { rows } = await client.query<OutboxRow>(
        `UPDATE outbox SET claimed_by = $1, claimed_until = $2 WHERE id IN (
           SELECT o.id FROM outbox o
           WHERE o.channel = $3 AND o.sent_at IS NULL AND o.destination IN (
             SELECT h.destination FROM outbox h
             WHERE h.id IN (SELECT min(id) FROM outbox WHERE channel = $3 AND sent_at IS NULL GROUP BY destination)
               AND h.next_attempt_at <= $4
               AND NOT EXISTS (SELECT 1 FROM outbox c WHERE c.channel = $3 AND c.destination = h.destination
                               AND c.sent_at IS NULL AND c.claimed_until > $4 AND c.claimed_by IS DISTINCT FROM $1))
           ORDER BY o.id LIMIT $5)
         RETURNING id, channel, destination, payload, attempts, next_attempt_at, last_error`,
        [holder, until, channel, now, limit],
      );
      await client.query('COMMIT');
      return rows
        .sort((a, b) => a.id - b.id)
        .map(toMessage);
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

  async releaseClaims(ids: number[], holder: string): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query('UPDATE outbox SET claimed_by = NULL, claimed_until = 0 WHERE id = ANY($1::bigint[]) AND claimed_by = $2 AND sent_at IS NULL', [ids, holder]);
  }
}
