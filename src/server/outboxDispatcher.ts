/**
 * Sends what the outbox holds, after commit, in order per destination: a destination whose oldest
 * message fails is retried with exponential backoff and nothing behind it overtakes it. Messages stay
 * in the store until delivered, so neither a consumer being down nor a restart loses one.
 *
 * Several processes on one database each run a dispatcher: a dispatcher sends only what it claimed
 * (whole destinations, for claimMs), so a message is sent by one process, in order per destination.
 * It stops sending half way through its claim and gives back what it did not send; a process that
 * dies mid-send leaves its claim to expire, and another sends those messages again (at least once).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { OutboxMessage, Store } from '../store/types.ts';
import type { Logger } from '../kernel/logger.ts';

export interface OutboxDispatcherOptions {
  channel: string;
  store: Store;
  /** Delivers one message; throws when it was not accepted. */
  send: (m: OutboxMessage) => Promise<void>;
  retry: { initialMs: number; maxMs: number };
  pollMs?: number;
  /** How long a claim on messages holds (default one minute). */
  claimMs?: number;
  log: Logger;
}

export class OutboxDispatcher {
  private timer?: NodeJS.Timeout;
  private running = false;
  private again = false;
  private stopped = false;
  /** Whose claims are this dispatcher's: the process and this dispatcher. */
  private readonly holder = `${os.hostname()}:${process.pid}:${randomBytes(6).toString('hex')}`;

  constructor(private readonly o: OutboxDispatcherOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }

  /** Looks at the outbox now (after a commit that added to it). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Resolves when nothing is due any more (tests). */
  async drain(): Promise<void> {
    await this.runOnce();
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    await this.runOnce();
    this.schedule(this.again ? 0 : (this.o.pollMs ?? 1000));
    this.again = false;
  }

  private async runOnce(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        const claims = this.o.store.outboxClaims;
        const claimMs = this.o.claimMs ?? 60_000;
        const claimedAt = Date.now();
        let due = await this.o.store.read((tx) => tx.outbox.dueMessages(this.o.channel, claimedAt, claims ? 1 : 100));
        if (due.length === 0) break;
        // Shared by several processes: send only what this dispatcher claimed (the look above costs no write when nothing is due).
        if (claims) due = await claims.claimDue(this.o.channel, claimedAt, 100, this.holder, claimedAt + claimMs);
        if (due.length === 0) break;
        const unsent = new Set(due.map((m) => m.id));
        const blocked = new Set<string>();
        let progressed = false;
        // Delivered messages are marked in one write per batch; a crash before it resends them.
        const sent: number[] = [];
        const markSent = async () => {
          if (sent.length === 0) return;
          const ids = sent.splice(0);
          await this.o.store.write(async (tx) => {
            for (const id of ids) await tx.outbox.markSent(id);
          });
        };
        for (const m of due) {
          // Past half the claim another process may soon take these: leave them to the next claim.
          if (this.stopped || Date.now() - claimedAt > claimMs / 2) break;
          if (blocked.has(m.destination)) continue;
          try {
            await this.o.send(m);
            sent.push(m.id);
            unsent.delete(m.id);
            progressed = true;
          } catch (e) {
            await markSent();
            blocked.add(m.destination);
            unsent.delete(m.id);
            const delay = Math.min(this.o.retry.maxMs, this.o.retry.initialMs * 2 ** Math.min(m.attempts, 20));
            const error = e instanceof Error ? e.message : String(e);
            await this.o.store.write((tx) => tx.outbox.markFailed(m.id, error, Date.now() + delay));
            this.o.log.warn('outbox.retry', { channel: this.o.channel, destination: m.destination, attempts: m.attempts + 1, inMs: delay, error });
          }
        }
        await markSent();
        if (claims && unsent.size > 0) await claims.releaseClaims([...unsent], this.holder);
        if (this.stopped || !progressed) break;
      }
    } catch (e) {
      this.o.log.error('outbox.failed', { channel: this.o.channel, error: e instanceof Error ? e.message : String(e) });
    } finally {
      this.running = false;
    }
  }
}
