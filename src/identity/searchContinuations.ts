/**
 * Interactive continuation (HL7 2.5 5.6.3, ITI TF-2 3.21.4.2.3): an open query's place, kept under
 * a pointer given in DSC-1 until the consumer asks for more, cancels (QCN^J01) or lets it expire.
 * The place is a search cursor, not a list of matches: a page costs what it returns, however many
 * patients match. Held in memory (Continuations): a restart ends open queries, as a consumer would
 * expect of a timeout. With several processes on one database they are kept in it instead
 * (storedContinuations.ts), so that any process continues what another opened.
 *
 * Open queries are kept per node: a node beyond its own limit loses its own oldest query, never
 * another node's; only when the whole table is full does the node holding most lose its oldest.
 */
import { randomBytes } from 'node:crypto';
import type { DemographicQuery, Demographics, RecordMatch, SearchCursor } from './types.ts';

export interface OpenQuery {
  queryTag: string;
  /** The requester that opened it (its node and MSH-3/4): nobody else may continue or cancel it. */
  requester: string;
  /** The node that opened it: whose share of the table it takes. */
  node: string;
  /** Matches read and not yet looked at, in order. */
  pending: RecordMatch[];
  /** Where the store search goes on once `pending` is used up; absent when nothing is left there. */
  search?: { query: DemographicQuery; after?: SearchCursor };
  /** Persons already answered or passed over: nobody comes twice. */
  seen: Set<number>;
  wantedDomainKeys: string[];
  /** Patients answered so far (at most pdq.maxMatches over all pages). */
  returned: number;
  /** The further test each matching record must meet (DemographicSearchRequest.refine). */
  refine?: (d: Demographics) => boolean;
  expiresAt: number;
}

export interface ContinuationLimits {
  ttlMs: number;
  /** Open queries of all nodes together. */
  maxOpen: number;
  /** Open queries of one node. */
  maxOpenPerRequester: number;
}

/** Where open queries are kept: this process's memory (Continuations) or the database (StoredContinuations). */
export interface OpenQueries {
  /** Keeps the query (setting its expiry) and gives its new pointer. */
  put(q: OpenQuery): string | Promise<string>;
  /** Removes and gives the query under the pointer, when it is this requester's with this tag. */
  take(pointer: string, queryTag: string, requester: string): OpenQuery | undefined | Promise<OpenQuery | undefined>;
  cancel(queryTag: string, requester: string, node: string): boolean | Promise<boolean>;
  /** Open queries, of one node or of all. */
  open(node?: string): number | Promise<number>;
}

export class Continuations implements OpenQueries {
  /** Per node, pointer -> query, in insertion (= expiry) order. */
  private readonly byNode = new Map<string, Map<string, OpenQuery>>();
  private readonly nodeOf = new Map<string, string>();

  constructor(private readonly limits: ContinuationLimits) {}

  put(q: OpenQuery): string {
    this.sweep();
    const mine = this.byNode.get(q.node) ?? new Map<string, OpenQuery>();
    this.byNode.set(q.node, mine);
    while (mine.size >= this.limits.maxOpenPerRequester) this.drop(q.node, mine.keys().next().value!);
    while (this.nodeOf.size >= this.limits.maxOpen) {
      let largest = q.node;
      for (const [node, m] of this.byNode) if (m.size > (this.byNode.get(largest)?.size ?? 0)) largest = node;
      this.drop(largest, this.byNode.get(largest)!.keys().next().value!);
    }
    const pointer = randomBytes(12).toString('hex');
    q.expiresAt = Date.now() + this.limits.ttlMs;
    mine.set(pointer, q);
    this.nodeOf.set(pointer, q.node);
    return pointer;
  }

  take(pointer: string, queryTag: string, requester: string): OpenQuery | undefined {
    this.sweep();
    const node = this.nodeOf.get(pointer);
    const q = node === undefined ? undefined : this.byNode.get(node)?.get(pointer);
    if (!q || q.queryTag !== queryTag || q.requester !== requester) return undefined;
    this.drop(q.node, pointer);
    return q;
  }

  /** Cancels every open query with this tag from this requester (of this node); true when one was open. */
  cancel(queryTag: string, requester: string, node: string): boolean {
    let found = false;
    for (const [p, q] of this.byNode.get(node) ?? []) {
      if (q.queryTag === queryTag && q.requester === requester) {
        this.drop(node, p);
        found = true;
      }
    }
    return found;
  }

  get size(): number {
    return this.nodeOf.size;
  }

  open(node?: string): number {
    return node === undefined ? this.size : this.openOf(node);
  }

  /** Open queries of one node. */
  openOf(node: string): number {
    return this.byNode.get(node)?.size ?? 0;
  }

  private drop(node: string, pointer: string): void {
    const mine = this.byNode.get(node);
    mine?.delete(pointer);
    this.nodeOf.delete(pointer);
    if (mine && mine.size === 0) this.byNode.delete(node);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [node, mine] of this.byNode) {
      // Insertion order is expiry order: stop at the first one still alive.
      for (const [p, q] of mine) {
        if (q.expiresAt > now) break;
        this.drop(node, p);
      }
    }
  }
}
