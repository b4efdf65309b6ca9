/**
 * Open queries kept in the store's continuation table (PostgreSQL), so that the process a consumer's
 * next page (ITI-21 DSC pointer) or cancel (QCN^J01) reaches continues what another process opened.
 * The same limits as in memory: an expiry, a limit per node and one for all nodes together. A query's
 * place is kept as JSON: the matches not yet looked at, the search cursor, the persons already seen.
 */
import { randomBytes } from 'node:crypto';
import type { ContinuationTable } from '../store/types.ts';
import type { ContinuationLimits, OpenQueries, OpenQuery } from './searchContinuations.ts';

interface State {
  node: string;
  pending: OpenQuery['pending'];
  search?: OpenQuery['search'];
  seen: number[];
  wantedDomainKeys: string[];
  returned: number;
}

export class StoredContinuations implements OpenQueries {
  constructor(
    private readonly table: ContinuationTable,
    private readonly limits: ContinuationLimits,
  ) {}

  async put(q: OpenQuery): Promise<string> {
    const pointer = randomBytes(12).toString('hex');
    q.expiresAt = Date.now() + this.limits.ttlMs;
    const state: State = { node: q.node, pending: q.pending, search: q.search, seen: [...q.seen], wantedDomainKeys: q.wantedDomainKeys, returned: q.returned };
    await this.table.put(
      { pointer, node: q.node, requester: q.requester, queryTag: q.queryTag, state: JSON.stringify(state), expiresAt: q.expiresAt },
      { maxOpen: this.limits.maxOpen, maxPerNode: this.limits.maxOpenPerRequester },
    );
    return pointer;
  }

  async take(pointer: string, queryTag: string, requester: string): Promise<OpenQuery | undefined> {
    const now = Date.now();
    const text = await this.table.take(pointer, queryTag, requester, now);
    if (text === undefined) return undefined;
    const s = JSON.parse(text) as State;
    return { queryTag, requester, node: s.node, pending: s.pending, search: s.search, seen: new Set(s.seen), wantedDomainKeys: s.wantedDomainKeys, returned: s.returned, expiresAt: now };
  }

  cancel(queryTag: string, requester: string, node: string): Promise<boolean> {
    return this.table.cancel(queryTag, requester, node);
  }

  open(node?: string): Promise<number> {
    return this.table.count(Date.now(), node);
  }
}
