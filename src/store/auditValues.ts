/**
 * Audit values as both engines store and search them. A received message may carry anything in its
 * fields (ITI TF-2 3.20.4.1: an Audit Record Repository keeps what it cannot read, raw, with the
 * error), so that a value never fails the insert of its event:
 * - NUL, which PostgreSQL's text cannot hold, is stored as U+FFFD (the raw bytes keep the original);
 *   searches replace it likewise, so that they find what was stored.
 * - Codes are indexed by their first INDEXED_PREFIX characters (a btree entry holds about 2.7 kB on
 *   PostgreSQL), compared with the whole value too: a long value is still found exactly.
 */

/** Characters of a code (EventID, EventTypeCode) in its index entry: at most 800 bytes of UTF-8. */
export const INDEXED_PREFIX = 200;

export function storableText(s: string): string {
  return s.includes('\0') ? s.replaceAll('\0', '\uFFFD') : s;
}

/** storableText of a value that may be absent. */
export function storableOrNull(s: string | null | undefined): string | null {
  return s === null || s === undefined ? null : storableText(s);
}

/** A bound value of a search: strings as stored, others as they are. */
export function searchValue(v: unknown): unknown {
  return typeof v === 'string' ? storableText(v) : v;
}

/** The condition that a code column equals a bound value, through its prefix index; two `?`, the value twice. */
export function codeEquals(column: string): string {
  return `(substr(${column}, 1, ${INDEXED_PREFIX}) = substr(CAST(? AS text), 1, ${INDEXED_PREFIX}) AND ${column} = ?)`;
}
