/** The durable outbox on SQLite: messages written with the change that caused them, sent after commit. */
import type Database from 'better-sqlite3';
import type { OutboxMessage, OutboxWriter } from '../types.ts';
import { Statements } from './statements.ts';
import { type OutboxRow, toMessage } from '../rows/outbox.ts';

export class SqliteOutboxRepo implements OutboxWriter {
  private readonly st: Statements;

  constructor(db: Database.Database) {
    this.st = new Statements(db);
  }

  async enqueue(channel: string, destination: string, payload: Buffer): Promise<void> {
    this.st.run(
      'INSERT INTO outbox(channel, destination, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, 0)',
      channel,
      destination,
      payload,
      new Date().toISOString(),
    );
  }

  async dueMessages(channel: string, now: number, limit: number): Promise<OutboxMessage[]> {
    return this.st
      .all<OutboxRow>(
        `SELECT o.* FROM outbox o
         WHERE o.channel = ? AND o.sent_at IS NULL AND o.destination IN (
           SELECT h.destination FROM outbox h
           WHERE h.id IN (SELECT min(id) FROM outbox WHERE channel = ? AND sent_at IS NULL GROUP BY destination)
             AND h.next_attempt_at <= ?)
         ORDER BY o.id LIMIT ?`,
        channel,
        channel,
        now,
        limit,
      )
      .map(toMessage);
  }

  async pendingCount(channel: string): Promise<number> {
    return this.st.get<{ n: number }>('SELECT count(*) AS n FROM outbox WHERE channel = ? AND sent_at IS NULL', channel)!.n;
  }

  async markSent(id: number): Promise<void> {
    this.st.run('UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?', new Date().toISOString(), id);
  }

  async markFailed(id: number, error: string, nextAttemptAt: number): Promise<void> {
    this.st.run('UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?', error, nextAttemptAt, id);
  }
}
