/**
 * Stored query parameters (ITI TF-2a 3.18.4.1.2.3): each slot's values are strings in quotes
 * ('a', with '' for a quote inside), numbers, or parenthesized lists ('a','b'); a multi-valued
 * parameter may come as several values or several slots. Values OR within a slot; repeated slots of
 * EventCodeList and ConfidentialityCode AND (3.18.4.1.2.3.5). Nothing here reaches SQL as text.
 */
import type { Slot } from '../../ebxml/rim.ts';
import { XdsError } from '../registry/errors.ts';

const STATUS_VALUES: readonly string[] = ['urn:oasis:names:tc:ebxml-regrep:StatusType:Approved', 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated'];

/** One parsed value list per slot occurrence of a name. */
export type ParsedParams = Map<string, string[][]>;

function malformed(name: string, value: string, why: string): XdsError {
  return new XdsError('XDSRegistryError', `parameter ${name}: ${why} in ${JSON.stringify(value)}`, name);
}

const NUMBER = /[+-]?\d+(\.\d+)?/y;
const SPACE = /\s*/y;

/**
 * The items of one Value: a quoted string, a number, or a parenthesized list of those. A loop, not a
 * recursion, and linear in the value's length; more than `max` items is refused as soon as it is seen.
 */
export function parseValue(name: string, raw: string, max = Number.MAX_SAFE_INTEGER): string[] {
  const v = raw.trim();
  let i = 0;
  const items: string[] = [];
  const list = v.startsWith('(');
  if (list) i = 1;
  const ws = () => {
    SPACE.lastIndex = i;
    SPACE.exec(v);
    i = SPACE.lastIndex;
  };
  for (;;) {
    ws();
    if (items.length >= max) throw tooMany(name, max);
    if (v[i] === "'") {
      let s = '';
      i++;
      for (;;) {
        const q = v.indexOf("'", i);
        if (q < 0) throw malformed(name, raw, 'unterminated quoted string');
        s += v.slice(i, q);
        if (v[q + 1] === "'") {
          s += "'";
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      items.push(s);
    } else {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(v);
      if (!m) throw malformed(name, raw, 'a value must be a quoted string or a number');
      items.push(m[0]);
      i = NUMBER.lastIndex;
    }
    ws();
    if (!list) break;
    if (v[i] === ',') {
      i++;
      continue;
    }
    if (v[i] === ')') {
      i++;
      break;
    }
    throw malformed(name, raw, "a list is ('a', 'b', ...)");
  }
  ws();
  if (i !== v.length) throw malformed(name, raw, 'unexpected text after the value');
  return items;
}

/**
 * More values than a parameter may take (config xds.registry.maxQueryValues). ITI TF-3 4.2.4.1 has no
 * code for a parameter too long: XDSStoredQueryParamNumber is for a single-valued parameter given
 * several values, XDSTooManyResults for results; a parameter the registry cannot take is
 * XDSRegistryError, as a malformed value is, located at the parameter.
 */
function tooMany(name: string, max: number): XdsError {
  return new XdsError('XDSRegistryError', `parameter ${name} has more than ${max} values, the most this registry takes in one parameter`, name);
}

/** The parameters' values, at most `maxValues` per parameter name (all its slots together). */
export function parseParams(slots: Slot[], maxValues = Number.MAX_SAFE_INTEGER): ParsedParams {
  const out: ParsedParams = new Map();
  const counts = new Map<string, number>();
  for (const s of slots) {
    const before = counts.get(s.name) ?? 0;
    const values: string[] = [];
    for (const v of s.values) {
      for (const item of parseValue(s.name, v, maxValues - before - values.length)) values.push(item);
    }
    counts.set(s.name, before + values.length);
    const groups = out.get(s.name) ?? [];
    groups.push(values);
    out.set(s.name, groups);
  }
  return out;
}

export class Params {
  readonly used = new Set<string>();
  constructor(readonly raw: ParsedParams) {}

  has(name: string): boolean {
    return this.raw.has(name);
  }

  /** A single-valued parameter (XDSStoredQueryParamNumber when repeated). */
  single(name: string, required = false): string | undefined {
    this.used.add(name);
    const v = this.raw.get(name);
    if (!v) {
      if (required) throw new XdsError('XDSStoredQueryMissingParam', `required parameter ${name} is missing`, name);
      return undefined;
    }
    const flat = v.flat();
    if (flat.length !== 1) throw new XdsError('XDSStoredQueryParamNumber', `parameter ${name} takes one value, not ${flat.length}`, name);
    return flat[0];
  }

  /** A multi-valued parameter, all slots OR-ed together. */
  multi(name: string, required = false): string[] | undefined {
    this.used.add(name);
    const v = this.raw.get(name);
    if (!v) {
      if (required) throw new XdsError('XDSStoredQueryMissingParam', `required parameter ${name} is missing`, name);
      return undefined;
    }
    return v.flat();
  }

  /**
   * A required status parameter: values not understood are ignored, and a parameter left without
   * any value is missing (ITI TF-2a 3.18.4.1.2.3.6).
   */
  statuses(name: string): string[] {
    const known = (this.multi(name, true) ?? []).filter((v) => STATUS_VALUES.includes(v));
    if (known.length === 0) throw new XdsError('XDSStoredQueryMissingParam', `parameter ${name} holds no status value this registry understands (Approved, Deprecated)`, name);
    return known;
  }

  /** A code parameter: each slot one OR-group; the groups AND (for the AND-able parameters). */
  codes(name: string, andAcrossSlots: boolean): string[][] | undefined {
    this.used.add(name);
    const v = this.raw.get(name);
    if (!v) return undefined;
    const groups = andAcrossSlots ? v : [v.flat()];
    for (const g of groups) {
      for (const c of g) {
        // code^^scheme (CE with components 1 and 3, ITI TF-2a 3.18.4.1.2.3.4)
        if (!/^[^^]+\^\^[^^]+$/.test(c)) throw malformed(name, c, 'a code must be code^^codingScheme');
      }
    }
    return groups;
  }

  /** Exactly one of two alternative parameters (e.g. entryUUID or uniqueId). */
  oneOf(a: string, b: string): { name: string; values: string[] } {
    const hasA = this.has(a);
    const hasB = this.has(b);
    if (hasA && hasB) throw new XdsError('XDSStoredQueryParamNumber', `give ${a} or ${b}, not both`, a);
    if (!hasA && !hasB) throw new XdsError('XDSStoredQueryMissingParam', `one of ${a} or ${b} is required`, a);
    const name = hasA ? a : b;
    return { name, values: this.multi(name)! };
  }

  /** A time bound: DTM digits, quoted or not (ITI TF-2a 3.18.4.1.2.3.6). */
  time(name: string): string | undefined {
    const v = this.single(name);
    if (v !== undefined && !/^\d{4}(\d{2}){0,5}$/.test(v)) throw malformed(name, v, 'a time is YYYY[MM[DD[hh[mm[ss]]]]]');
    return v;
  }
}
