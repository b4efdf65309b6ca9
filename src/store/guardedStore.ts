/**
 * A store whose writes a guard may refuse (the free-space guard, kernel/freeSpace.ts): a write is
 * refused before it begins, so nothing is half written; reads always go through. The audit trail and
 * the delivery queues keep the store itself: a refusal is still audited while there is room, and a
 * delivered message can still be marked so.
 */
import type { Store } from './types.ts';

export interface WriteGuard {
  /** Throws when writes are refused. */
  assertWritable(): void;
}

export function guardedStore(inner: Store, guard: WriteGuard): Store {
  return {
    engine: inner.engine,
    read: (fn) => inner.read(fn),
    write: (fn) => {
      try {
        guard.assertWritable();
      } catch (e) {
        return Promise.reject(e);
      }
      return inner.write(fn);
    },
    close: () => inner.close(),
    // Open queries are a continuation's place, not data: kept whatever the free space.
    continuations: inner.continuations,
    outboxClaims: inner.outboxClaims,
  };
}
