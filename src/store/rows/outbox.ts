/** Outbox messages as both engines store them (sqlite/, postgres/): the row and its message. */
import type { OutboxMessage } from '../types.ts';

export interface OutboxRow {
  id: number;
  channel: string;
  destination: string;
  payload: Buffer;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

export const toMessage = (r: OutboxRow): OutboxMessage => ({
  id: r.id,
  channel: r.channel,
  destination: r.destination,
  payload: r.payload,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
});
