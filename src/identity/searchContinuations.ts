/**
 * Interactive continuation (HL7 2.5 5.6.3, ITI TF-2 3.21.4.2.3): an open query's place, kept under
 * a pointer given in DSC-1 until the consumer asks for more, cancels (QCN^J01) or lets it expire.
 * The place is a search cursor, not a list of matches: a page costs what it returns, however many
 * patients match. Held in memory: a restart ends open queries, as a consumer would expect of a timeout.
 */
import { randomBytes } from 'node:crypto';
import type { DemographicQuery, RecordMatch, SearchCursor } from './types.ts';

export interface OpenQuery {
  queryTag: string;
  /** The requester that opened it (its node and MSH-3/4): nobody else may continue or cancel it. */
  requester: string;
  /** Matches read and not yet looked at, in order. */
  pending: RecordMatch[];
  /** Where the store search goes on once `pending` is used up; absent when nothing is left there. */
  search?: { query: DemographicQuery; after?: SearchCursor };
  /** Persons already answered or passed over: nobody comes twice. */
  seen: Set<number>;
  wantedDomainKeys: string[];
  /** Patients answered so far (at most pdq.maxMatches over all pages). */
  returned: number;
  expiresAt: number;
}

export class Continuations {
  private readonly open = new Map<string, OpenQuery>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxOpen: number,
  ) {}

  put(q: OpenQuery): string {
    this.sweep();
    while (this.open.size >= this.maxOpen) this.open.delete(this.open.keys().next().value!);
    const pointer = randomBytes(12).toString('hex');
    q.expiresAt = Date.now() + this.ttlMs;
    this.open.set(pointer, q);
    return pointer;
  }

  take(pointer: string, queryTag: string, requester: string): OpenQuery | undefined {
    this.sweep();
    const q = this.open.get(pointer);
    if (!q || q.queryTag !== queryTag || q.requester !== requester) return undefined;
    this.open.delete(pointer);
    return q;
  }

  /** Cancels every open query with this tag from this requester; true when one was open. */
  cancel(queryTag: string, requester: string): boolean {
    let found = false;
    for (const [p, q] of this.open) {
      if (q.queryTag === queryTag && q.requester === requester) {
        this.open.delete(p);
        found = true;
      }
    }
    return found;
  }

  get size(): number {
    return this.open.size;
  }

  private sweep(): void {
    const now = Date.now();
    // Insertion order is expiry order: stop at the first one still alive.
    for (const [p, q] of this.open) {
      if (q.expiresAt > now) break;
      this.open.delete(p);
    }
  }
}
