/**
 * Which failures mean the database, not the request: the connection was refused, reset or closed,
 * the server is shutting down or starting (a restart), no connection came in time. Those become a
 * StoreUnavailableError, which each protocol's edge answers with its own error; the connection they
 * happened on is not given back to the pool.
 */
import { StoreUnavailableError } from '../errors.ts';

/**
 * SQLSTATEs of a lost or refused connection (PostgreSQL Appendix A): class 08 (connection
 * exception), 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now.
 */
const SQLSTATES = new Set(['08000', '08001', '08003', '08004', '08006', '08007', '57P01', '57P02', '57P03']);
/** Socket errors of node:net and node:dns. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENOENT']);
/** What the pg driver says, without a code, when a connection ended or never came. */
const DRIVER_MESSAGES = [/^Connection terminated/, /timeout exceeded when trying to connect/, /not queryable/, /^Client was closed/];

export function isConnectionLoss(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  if (e instanceof StoreUnavailableError) return true;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && (SQLSTATES.has(code) || SOCKET_CODES.has(code))) return true;
  if (DRIVER_MESSAGES.some((m) => m.test(e.message))) return true;
  // An AggregateError of a host with several addresses, every one refused.
  return e instanceof AggregateError && e.errors.length > 0 && e.errors.every(isConnectionLoss);
}

/** The failure as the store reports it: a StoreUnavailableError when the connection was lost, else itself. */
export function asStoreError(e: unknown, target: string): unknown {
  if (e instanceof StoreUnavailableError || !isConnectionLoss(e)) return e;
  const detail = (e as Error).message || String((e as { code?: unknown }).code ?? e);
  return new StoreUnavailableError(`PostgreSQL at ${target} is unavailable: ${detail}`, { cause: e });
}

/** The object with every method's failure as the store reports it (asStoreError): for the parts that use the pool themselves. */
export function withStoreErrors<T extends object>(o: T, target: string): T {
  return new Proxy(o, {
    get(t, key) {
      const v: unknown = Reflect.get(t, key);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) =>
        Promise.resolve(v.apply(t, args)).catch((e: unknown) => {
          throw asStoreError(e, target);
        });
    },
  });
}
