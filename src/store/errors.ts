/** Errors every store engine throws alike, whatever its driver says. */

/**
 * A write broke a uniqueness rule of the store (a key already taken by a committed request): the
 * request is rolled back whole. Engines map their own constraint errors to it (SQLite's
 * SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY, PostgreSQL's unique_violation 23505).
 */
export class StoreConstraintError extends Error {
  constructor(
    message: string,
    /** The constraint or index, as the engine names it, when it says. */
    readonly constraint?: string,
  ) {
    super(message);
    this.name = 'StoreConstraintError';
  }
}

/** The database cannot be reached (kernel/storeUnavailable.ts: the protocol edges answer it). */
export { StoreUnavailableError } from '../kernel/storeUnavailable.ts';
