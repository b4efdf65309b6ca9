/**
 * The SQL of a demographic query's key, shared by both engines (their `record_keys` tables order keys
 * by code point: SQLite's BINARY collation, PostgreSQL's COLLATE "C").
 */
import type { DemographicQuery } from '../identity/types.ts';

/** Upper bound of a prefix range in code-point order. */
export const PREFIX_END = '\u{10FFFF}';

/** The condition on `alias.key` of a query key and its OR alternatives (PDQm lists), with its `?` arguments. */
export function keyCondition(alias: string, k: DemographicQuery['keys'][number]): [string, unknown[]] {
  const alts = [k, ...(k.or ?? [])];
  const args: unknown[] = [];
  const parts = alts.map((a) => {
    if (a.prefix) {
      args.push(a.key, a.key + PREFIX_END);
      return `${alias}.key >= ? AND ${alias}.key < ?`;
    }
    args.push(a.key);
    return `${alias}.key = ?`;
  });
  return [alts.length === 1 ? parts[0] : `(${parts.map((p) => `(${p})`).join(' OR ')})`, args];
}

/** The order in which keys drive a search: exact single keys first, then the longest prefix; OR lists last. */
export function drivingOrder(a: DemographicQuery['keys'][number], b: DemographicQuery['keys'][number]): number {
  return Number(!!a.or) - Number(!!b.or) || Number(a.prefix) - Number(b.prefix) || b.key.length - a.key.length;
}
