/**
 * The durable outbox on PostgreSQL: messages written with the change that caused them, sent after
 * commit (as sqlite/outboxRepo.ts). Several processes dispatch them, each sending what it claimed
 * (outboxClaims.ts); marking a message sent or failed ends the claim on it.
 */
import type { OutboxMessage, OutboxWriter } from '../types.ts';
import type { Sql } from './sql.ts';
import { type OutboxRow, toMessage } from '../rows/outbox.ts';

export class PgOutboxRepo implements OutboxWriter {
  constructor(private readonly sql: Sql) {}

  async enqueue(channel: string, destination: string, payload: Buffer): Promise<void> {
    await this.sql.run(
      'INSERT INTO outbox(channel, destination, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, 0)',
      channel,
      destination,
      payload,
      new Date().toISOString(),
    );
  }

  async dueMessages(channel: string, now: number, limit: number): Promise<OutboxMessage[]> {
    const rows = await this.sql.all<OutboxRow>(
      `SELECT o.id, o.channel, o.destination, o.payload, o.attempts, o.next_attempt_at, o.last_error FROM outbox o
       WHERE o.channel = ? AND o.sent_at IS NULL AND o.destination IN (
         SELECT h.destination FROM outbox h
         WHERE h.id IN (SELECT min(id) FROM outbox WHERE channel = ? AND sent_at IS NULL GROUP BY destination)
           AND h.next_attempt_at <= ?)
       ORDER BY o.id LIMIT ?`,
      channel,
      channel,
      now,
      limit,
    );
    return rows.map(toMessage);
  }

  async pendingCount(channel: string): Promise<number> {
    return (await this.sql.get<{ n: number }>('SELECT count(*) AS n FROM outbox WHERE channel = ? AND sent_at IS NULL', channel))!.n;
  }

  async markSent(id: number): Promise<void> {
    await this.sql.run(
      'UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL, claimed_by = NULL, claimed_until = 0 WHERE id = ?',
      new Date().toISOString(),
      id,
    );
  }

  async markFailed(id: number, error: string, nextAttemptAt: number): Promise<void> {
    await this.sql.run(
      'UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, claimed_by = NULL, claimed_until = 0 WHERE id = ?',
      error,
      nextAttemptAt,
      id,
    );
  }
}
