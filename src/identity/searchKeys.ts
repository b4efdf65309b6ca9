/** The search keys of a patient record, derived from its demographics (see normalize.ts). */
import { hl7Date } from '../hl7v2/datetime.ts';
import { addressKey, digitsKey, nameKey } from './normalize.ts';
import type { DemographicQuery, Demographics, SearchKey, SearchKeyKind } from './types.ts';

/** PID-11 components that are searched: street, other designation, city, state, zip, country, other geographic. */
const ADDRESS_COMPONENTS = [1, 2, 3, 4, 5, 6, 8];

export function addressComponentKey(component: number, value: string): string {
  return component === 5 ? digitsKey(value) || addressKey(value) : addressKey(value);
}

export function searchKeys(d: Demographics): SearchKey[] {
  const out = new Map<string, SearchKey>();
  const add = (kind: SearchKeyKind, key: string) => {
    if (key) out.set(`${kind}\0${key}`, { kind, key });
  };
  for (const name of d.fields[5] ?? []) {
    const family = nameKey(name[0]?.[0] ?? '');
    const given = nameKey(name[1]?.[0] ?? '');
    add('family', family);
    add('given', given);
    add('name', family + given);
  }
  for (const addr of d.fields[11] ?? []) {
    for (const c of ADDRESS_COMPONENTS) {
      const key = addressComponentKey(c, addr[c - 1]?.[0] ?? '');
      add(`addr.${c}`, key);
      // Any part of the address (PDQm's `address`, FHIR R4 Patient search: line, city, state, postal code, country).
      add('address', key);
    }
  }
  for (const field of [13, 14]) {
    for (const tel of d.fields[field] ?? []) add('phone', phoneKey(tel));
  }
  for (const acct of d.fields[18] ?? []) add('account', acct[0]?.[0] ?? '');
  return [...out.values()];
}

/**
 * XTN: the number in component 1, else the unformatted number in component 12 (as JAHIS and SS-MIX2
 * write it), else area code (6) and local number (7).
 */
export function phoneKey(tel: string[][]): string {
  return (
    digitsKey(tel[0]?.[0] ?? '') ||
    digitsKey(tel[11]?.[0] ?? '') ||
    digitsKey((tel[5]?.[0] ?? '') + (tel[6]?.[0] ?? ''))
  );
}

/** Whether a record's demographics meet a query, by the same keys the store searches. */
export function meetsQuery(d: Demographics, q: DemographicQuery): boolean {
  if (q.sex && (d.fields[8]?.[0]?.[0]?.[0] ?? '') !== q.sex) return false;
  if (q.birthDate && !hl7Date(d.fields[7]?.[0]?.[0]?.[0] ?? '').startsWith(q.birthDate)) return false;
  if (q.keys.length === 0) return true;
  const mine = searchKeys(d);
  return q.keys.every((k) => [k, ...(k.or ?? [])].some((alt) => mine.some((m) => m.kind === k.kind && (alt.prefix ? m.key.startsWith(alt.key) : m.key === alt.key))));
}
