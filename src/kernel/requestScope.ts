/**
 * The request a piece of work belongs to, across its awaits: the transaction it is and whether it
 * has written to the store yet. Each protocol edge runs a request's handler in one scope; the store
 * routes by it (a replica may answer the reads of a query transaction until the request writes:
 * read-your-writes within one request). Work outside any scope (start, background jobs) has none.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  /** The IHE transaction (ITI-18, ITI-21, ...). */
  readonly transaction: string;
  /** Set by the store when the request began a write: its later reads see what it wrote. */
  wrote: boolean;
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` as (part of) a request of `transaction`. */
export function inRequest<T>(transaction: string, fn: () => T): T {
  return scopes.run({ transaction, wrote: false }, fn);
}

/** The scope of the running request, if any. */
export function currentRequest(): RequestScope | undefined {
  return scopes.getStore();
}
