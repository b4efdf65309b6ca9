/**
 * The primary with its read replicas, as one store. A read goes to a replica when it belongs to a
 * request (kernel/requestScope.ts) of one of the configured transactions (ITI-18, PDQ, ITI-81 ...)
 * that has not written yet; every other read, and every write, goes to the primary. A request that
 * wrote reads from the primary afterwards, so it sees its own writes (read-your-writes within one
 * request; across requests a replica may be up to `maxLagMs` behind).
 *
 * Each replica is asked every `checkMs` how far it has replayed the primary's log (replicaLag.ts). A
 * replica that cannot be reached, is not a standby, or is more than `maxLagMs` behind is not used:
 * the primary answers, and a read a replica fails for want of a connection, or cancels for a
 * conflict with recovery, is run again on the primary. The request never fails for a replica.
 */
import { currentRequest } from '../../kernel/requestScope.ts';
import { StoreUnavailableError } from '../errors.ts';
import type { ReadTx, Store, WriteTx } from '../types.ts';
import type { PostgresStore } from './pgStore.ts';
import { PrimaryPositions } from './replicaLag.ts';

/** Why a read that could have gone to a replica went to the primary. */
export type FallbackReason = 'down' | 'lagging' | 'not-standby' | 'failed';
/** Why a read of a replica transaction went to the primary: the request had written (read-your-writes), or no replica could answer. */
export type PrimaryReason = 'wrote' | FallbackReason;

export interface ReplicaRoutingOptions {
  /** The transactions whose reads a replica may answer. */
  transactions: readonly string[];
  maxLagMs: number;
  checkMs: number;
  /** Told when a replica stops or starts being used (for the log). */
  onState?(replica: string, state: 'ready' | FallbackReason, detail?: string): void;
}

interface Replica {
  store: PostgresStore;
  /** The lag found at the last check (Infinity: not known), and when. */
  lagMs: number;
  checkedAt: number;
  /** 'unchecked' until the first check answers or fails. */
  state: 'unchecked' | 'ready' | FallbackReason;
}

/** SQLSTATE 40001 on a hot standby: a query cancelled because replay had to remove rows it could still see. */
const RECOVERY_CONFLICT = '40001';

export class ReplicaRoutedStore implements Store {
  readonly engine = 'postgres';
  readonly continuations;
  readonly outboxClaims;
  private readonly replicas: Replica[];
  private readonly transactions: ReadonlySet<string>;
  private readonly positions: PrimaryPositions;
  private readonly timer: NodeJS.Timeout;
  private checking: Promise<void> | undefined;
  private next = 0;
  /** Reads routed so far: to a replica, to the primary by choice ('none'), or to it for want of a replica. */
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly primary: PostgresStore,
    replicas: PostgresStore[],
    private readonly o: ReplicaRoutingOptions,
  ) {
    this.continuations = primary.continuations;
    this.outboxClaims = primary.outboxClaims;
    this.replicas = replicas.map((store) => ({ store, lagMs: Infinity, checkedAt: 0, state: 'unchecked' }));
    this.transactions = new Set(o.transactions);
    this.positions = new PrimaryPositions(o.maxLagMs + 2 * o.checkMs);
    this.timer = setInterval(() => void this.check(), o.checkMs).unref();
    void this.check();
  }

  /** Asks the primary and every replica where their logs are (once at a time); resolves when done. */
  check(): Promise<void> {
    this.checking ??= this.checkAll().finally(() => (this.checking = undefined));
    return this.checking;
  }

  async read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T> {
    const scope = currentRequest();
    if (!scope || !this.transactions.has(scope.transaction)) return this.onPrimary(fn);
    if (scope.wrote) return this.onPrimary(fn, 'wrote');
    const replica = this.pick();
    if (!replica.chosen) return this.onPrimary(fn, replica.reason);
    try {
      const value = await replica.chosen.store.read(fn);
      this.count('replica', 'none');
      return value;
    } catch (e) {
      const lost = e instanceof StoreUnavailableError;
      if (!lost && (e as { code?: unknown }).code !== RECOVERY_CONFLICT) throw e;
      if (lost) this.setState(replica.chosen, 'down', (e as Error).message);
      return this.onPrimary(fn, lost ? 'down' : 'failed');
    }
  }

  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    const scope = currentRequest();
    if (scope) scope.wrote = true;
    return this.primary.write(fn);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
    await Promise.all([this.primary, ...this.replicas.map((r) => r.store)].map((s) => s.close()));
  }

  /** Reads answered so far, by where they went and, for the primary, why ('none': not a replica transaction's, or outside a request). */
  readCounts(): { target: 'replica' | 'primary'; reason: PrimaryReason | 'none'; count: number }[] {
    return [...this.counts].map(([key, count]) => {
      const [target, reason] = key.split(':') as ['replica' | 'primary', PrimaryReason | 'none'];
      return { target, reason, count };
    });
  }

  private async onPrimary<T>(fn: (tx: ReadTx) => Promise<T>, fallback?: PrimaryReason): Promise<T> {
    const value = await this.primary.read(fn);
    this.count('primary', fallback ?? 'none');
    return value;
  }

  private count(target: 'replica' | 'primary', reason: PrimaryReason | 'none'): void {
    const key = `${target}:${reason}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** The next usable replica in turn, or why there is none. */
  private pick(): { chosen?: Replica; reason: FallbackReason } {
    const now = Date.now();
    let reason: FallbackReason = 'down';
    for (let i = 0; i < this.replicas.length; i++) {
      const r = this.replicas[(this.next + i) % this.replicas.length];
      if (r.state !== 'ready') {
        reason = r.state === 'unchecked' ? 'down' : r.state;
        continue;
      }
      // The lag grows from the last check on: a replica not checked for a while is not trusted.
      if (r.lagMs + (now - r.checkedAt) > this.o.maxLagMs) {
        reason = 'lagging';
        continue;
      }
      this.next = (this.next + i + 1) % this.replicas.length;
      return { chosen: r, reason };
    }
    return { reason };
  }

  private async checkAll(): Promise<void> {
    let primary: bigint | undefined;
    try {
      primary = (await this.primary.walPosition()).lsn;
    } catch {
      // The primary is down: replicas keep what they were found to be, and their lag grows.
    }
    const now = Date.now();
    if (primary !== undefined) this.positions.add(primary, now);
    await Promise.all(
      this.replicas.map(async (r) => {
        try {
          const at = await r.store.walPosition();
          const checkedAt = Date.now();
          if (!at.standby || at.lsn === undefined) {
            r.lagMs = Infinity;
            r.checkedAt = checkedAt;
            this.setState(r, 'not-standby', 'it is not in recovery: a promoted or wrong database is not read from');
            return;
          }
          r.lagMs = this.positions.lagOf(at.lsn, checkedAt);
          r.checkedAt = checkedAt;
          this.setState(r, r.lagMs <= this.o.maxLagMs ? 'ready' : 'lagging', r.lagMs === Infinity ? 'behind every position kept' : `${r.lagMs} ms behind`);
        } catch (e) {
          this.setState(r, 'down', (e as Error).message);
        }
      }),
    );
  }

  private setState(r: Replica, state: 'ready' | FallbackReason, detail?: string): void {
    if (r.state === state) return;
    r.state = state;
    this.o.onState?.(r.store.target, state, state === 'ready' ? undefined : detail);
  }
}
