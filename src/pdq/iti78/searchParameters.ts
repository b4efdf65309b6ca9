/**
 * The search parameters of PDQm ITI-78 (ITI TF-2 3.78.4.1.2) as a demographic query, the same
 * criteria ITI-21's QPD-3 gives (queryParameters.ts), searched by the same keys: family and given
 * (PID-5), address and its parts (PID-11), telecom (PID-13/14 digits), birthdate (PID-7), gender
 * (PID-8), identifier and _id. Names match kanji and kana alike: both are PID-5 repetitions, and
 * their keys fold width and kana forms (identity/normalize.ts).
 *
 * Strings match from the start, `:exact` the whole string, casing included (3.78.4.1.2.2). Repeated
 * parameters are AND, a comma list OR (3.78.4.1.2.1), both selected by the store's keys. What the
 * keys cannot select by (a date range or list, a gender list, `:exact`'s casing) is a refinement each
 * found record must also meet; a search needs at least one criterion the store can select by. `identifier=system|` names the
 * domains whose identifiers are answered (3.78.4.1.2.3); an identifier without a system is looked
 * up in every domain.
 */
import { FhirError } from '../../fhir/outcome.ts';
import { formatOfParameter } from '../../fhir/format.ts';
import { supportedParameters } from '../../fhir/searchHandling.ts';
import { hl7Date } from '../../hl7v2/datetime.ts';
import { addressComponentKey } from '../../identity/searchKeys.ts';
import { digitsKey, nameKey } from '../../identity/normalize.ts';
import type { AssigningAuthority, DemographicQuery, Demographics, SearchKeyKind } from '../../identity/types.ts';
import { authorityOfSystem, splitOr, splitToken } from '../../pix/codec/fhirIdentifier.ts';
import { regionalIdOf } from '../../fhir/patientId.ts';

const STRING = ['', 'exact'];
export const PDQM_PARAMETERS: ReadonlyMap<string, readonly string[]> = new Map([
  ['family', STRING],
  ['given', STRING],
  ['address', STRING],
  ['address-city', STRING],
  ['address-state', STRING],
  ['address-postalcode', STRING],
  ['address-country', STRING],
  ['birthdate', ['']],
  ['gender', ['']],
  ['telecom', ['']],
  ['identifier', ['']],
  ['_id', ['']],
  ['active', ['']],
  ['_count', ['']],
  ['_format', ['']],
]);

/** The continuation of a search: the next link's parameter beside the search itself. */
export const PAGE_PARAMETER = '_page';

/** An identifier asked for; no authority: any domain (an identifier given without a system). */
export interface AskedIdentifier {
  id: string;
  authority?: AssigningAuthority;
  /** From `_id`: the Patient's logical id (its regional ID). */
  logicalId?: true;
}

export interface PdqmSearch {
  /** What the store selects by (every key, the birth date and sex must match). */
  query: DemographicQuery;
  /** Identifier parameters: each a list any of which names the patient (OR); every list must (AND). */
  identifiers: AskedIdentifier[][];
  /** The domains whose identifiers the answer gives (`identifier=system|`); none: every domain. */
  whatDomains: AssigningAuthority[];
  /** Tests each found record must also meet. */
  refinements: ((d: Demographics) => boolean)[];
  /** `active=false`: nothing matches (every patient here is active). */
  none: boolean;
}

/** The string parameters: the search key kind and the PID fields (field, component) they read. */
const STRINGS: Record<string, { kind: SearchKeyKind; key: (v: string) => string; parts: [number, number[]] }> = {
  family: { kind: 'family', key: nameKey, parts: [5, [1]] },
  given: { kind: 'given', key: nameKey, parts: [5, [2, 3]] },
  address: { kind: 'address', key: (v) => addressComponentKey(/^[\d\s\-－‐〒]+$/.test(v) ? 5 : 1, v), parts: [11, [1, 2, 3, 4, 5, 6, 8]] },
  'address-city': { kind: 'addr.3', key: (v) => addressComponentKey(3, v), parts: [11, [3]] },
  'address-state': { kind: 'addr.4', key: (v) => addressComponentKey(4, v), parts: [11, [4]] },
  'address-postalcode': { kind: 'addr.5', key: (v) => addressComponentKey(5, v), parts: [11, [5]] },
  'address-country': { kind: 'addr.6', key: (v) => addressComponentKey(6, v), parts: [11, [6]] },
};

const GENDER: Record<string, string> = { male: 'M', female: 'F', other: 'O', unknown: 'U' };

/** The page size asked (_count), at most `max`. */
export function pageSize(params: URLSearchParams, fallback: number, max: number): number {
  const raw = params.get('_count');
  if (raw === null) return Math.min(fallback, max);
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1) throw new FhirError(400, 'invalid', '_count must be a positive integer', ['_count']);
  return Math.min(n, max);
}

export function checkFormat(params: URLSearchParams): void {
  const f = params.get('_format');
  if (f !== null && !formatOfParameter(f)) throw new FhirError(406, 'not-supported', `_format ${f}: FHIR JSON and FHIR XML are served`, ['_format']);
}

const unescape = (s: string) => s.replace(/\\([\\|,$])/g, '$1');

export function parseSearch(all: URLSearchParams, regional: AssigningAuthority, lenient: boolean): PdqmSearch {
  const params = supportedParameters(all, PDQM_PARAMETERS, lenient);
  checkFormat(params);
  const out: PdqmSearch = { query: { keys: [] }, identifiers: [], whatDomains: [], refinements: [], none: false };
  const values = (key: string, raw: string): string[] => {
    const vs = splitOr(raw).map((v) => unescape(v).trim());
    if (vs.some((v) => !v)) throw new FhirError(400, 'invalid', `${key} has an empty value`, [key]);
    return vs;
  };
  for (const [key, raw] of params) {
    const [name, modifier] = key.split(':', 2);
    const string = STRINGS[name];
    if (string) {
      const exact = modifier === 'exact';
      const vs = values(key, raw);
      const keys = vs.map(string.key);
      if (keys.some((k) => !k)) throw new FhirError(400, 'invalid', `${key}: a value has nothing to search by`, [key]);
      out.query.keys.push({ kind: string.kind, key: keys[0], prefix: !exact, ...(keys.length > 1 ? { or: keys.slice(1).map((key) => ({ key, prefix: !exact })) } : {}) });
      if (exact) {
        const [field, components] = string.parts;
        out.refinements.push((d) => vs.some((v) => (d.fields[field] ?? []).some((rep) => components.some((c) => (rep[c - 1]?.[0] ?? '').trim() === v))));
      }
      continue;
    }
    switch (name) {
      case 'birthdate': {
        const tests = values(key, raw).map((v) => dateTest(key, v));
        if (tests.length === 1 && tests[0].eq !== undefined && !out.query.birthDate) out.query.birthDate = tests[0].eq;
        else out.refinements.push((d) => tests.some((t) => t.test(hl7Date(d.fields[7]?.[0]?.[0]?.[0] ?? ''))));
        break;
      }
      case 'gender': {
        const sexes = values(key, raw).map((v) => {
          const sex = GENDER[v];
          if (!sex) throw new FhirError(400, 'code-invalid', 'gender must be male, female, other or unknown', [key]);
          return sex;
        });
        if (sexes.length === 1 && !out.query.sex) out.query.sex = sexes[0];
        else out.refinements.push((d) => sexes.includes((d.fields[8]?.[0]?.[0]?.[0] ?? '').toUpperCase()));
        break;
      }
      case 'telecom': {
        const phones = values(key, raw).map((v) => {
          const t = splitToken(v);
          if (t.system !== undefined && t.system !== '' && t.system !== 'phone') throw new FhirError(400, 'not-supported', 'telecom: only phone numbers are searched', [key]);
          const k = digitsKey(t.value);
          if (!k) throw new FhirError(400, 'invalid', 'telecom must hold a phone number', [key]);
          return k;
        });
        out.query.keys.push({ kind: 'phone', key: phones[0], prefix: false, ...(phones.length > 1 ? { or: phones.slice(1).map((key) => ({ key, prefix: false })) } : {}) });
        break;
      }
      case 'active': {
        const v = values(key, raw);
        if (v.some((x) => x !== 'true' && x !== 'false')) throw new FhirError(400, 'invalid', 'active is true or false', [key]);
        if (!v.includes('true')) out.none = true;
        break;
      }
      case '_id':
        out.identifiers.push(
          values(key, raw).map((v) => {
            const id = regionalIdOf(v);
            if (id === undefined) throw new FhirError(400, 'invalid', `_id ${JSON.stringify(v)} is not a Patient id`, [key]);
            return { id, authority: regional, logicalId: true as const };
          }),
        );
        break;
      case 'identifier': {
        const tokens = splitOr(raw).map(splitToken);
        const domains = tokens.filter((t) => t.system && !t.value);
        if (domains.length > 0) {
          if (domains.length !== tokens.length) throw new FhirError(400, 'not-supported', 'identifier: a list is either domains (system|) or identifiers, not both', [key]);
          out.whatDomains.push(...domains.map((t) => authorityOfSystem(t.system!)));
          break;
        }
        if (tokens.some((t) => !t.value)) throw new FhirError(400, 'invalid', 'identifier has an empty value', [key]);
        // `|value` asks for an identifier without a system: every identifier here has one.
        out.identifiers.push(tokens.filter((t) => t.system !== '').map((t) => (t.system ? { id: t.value, authority: authorityOfSystem(t.system) } : { id: t.value })));
        break;
      }
    }
  }
  return out;
}

/**
 * A birthdate value (FHIR R4 3.1.1.4.2 date search): a prefix (eq by default; ne, gt, lt, ge, le,
 * sa, eb) and a date of year, month or day precision, as the range it stands for; compared with the
 * range of the patient's birth date at its own precision. `eq` is also the store's date prefix.
 */
function dateTest(key: string, v: string): { eq?: string; test: (hl7: string) => boolean } {
  const m = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(\d{4}(?:-\d{2}(?:-\d{2})?)?)$/.exec(v);
  const digits = m?.[2].replace(/-/g, '') ?? '';
  if (!m || hl7Date(digits) !== digits) throw new FhirError(400, 'invalid', `${key} must be a date (YYYY, YYYY-MM or YYYY-MM-DD) with an optional prefix`, [key]);
  const prefix = m[1] ?? 'eq';
  if (prefix === 'ap') throw new FhirError(400, 'not-supported', `${key}: the ap prefix is not supported`, [key]);
  const [ps, pe] = range(digits);
  const within = (rs: string, re: string) => rs >= ps && re <= pe;
  const tests: Record<string, (rs: string, re: string) => boolean> = {
    eq: within,
    ne: (rs, re) => !within(rs, re),
    gt: (_rs, re) => re > pe,
    lt: (rs) => rs < ps,
    ge: (rs, re) => re > pe || within(rs, re),
    le: (rs, re) => rs < ps || within(rs, re),
    sa: (rs) => rs >= pe,
    eb: (_rs, re) => re <= ps,
  };
  const t = tests[prefix];
  return { ...(prefix === 'eq' ? { eq: digits } : {}), test: (hl7) => !!hl7 && t(...range(hl7)) };
}

/** The range [start, end) a date of year, month or day precision stands for, as comparable strings. */
function range(d: string): [string, string] {
  // Every bound is a day (YYYYMMDD): the first day of the period, and the first day after it.
  const y = Number(d.slice(0, 4));
  const day = (yy: number, mm: number, dd: number) => {
    const t = new Date(0);
    t.setUTCFullYear(yy, mm - 1, dd); // (Date.UTC would read years below 100 as 19xx)
    return `${String(t.getUTCFullYear()).padStart(4, '0')}${String(t.getUTCMonth() + 1).padStart(2, '0')}${String(t.getUTCDate()).padStart(2, '0')}`;
  };
  if (d.length === 4) return [day(y, 1, 1), day(y + 1, 1, 1)];
  const mo = Number(d.slice(4, 6));
  if (d.length === 6) return [day(y, mo, 1), day(y, mo + 1, 1)];
  const dd = Number(d.slice(6, 8));
  return [day(y, mo, dd), day(y, mo, dd + 1)];
}
