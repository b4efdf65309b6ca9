/**
 * The search parameters of PDQm ITI-78 (ITI TF-2 3.78.4.1.2) as a demographic query, the same
 * criteria ITI-21's QPD-3 gives (queryParameters.ts): family and given (PID-5, default starts-with
 * and :exact, FHIR R4 3.1.1.5.4), birthdate (PID-7, eq to its precision), gender (PID-8), address
 * (any PID-11 part, starts-with), telecom (PID-13/14 digits), identifier (system|value, OR by
 * comma) and _id (the Patient's logical id: the regional ID). Names match kanji and kana alike: both
 * are PID-5 repetitions, and their keys fold width and kana forms (identity/normalize.ts).
 * Unsupported parameters and modifiers are refused (searchHandling.ts).
 */
import { FhirError } from '../../fhir/outcome.ts';
import { supportedParameters } from '../../fhir/searchHandling.ts';
import { hl7Date } from '../../hl7v2/datetime.ts';
import { addressComponentKey } from '../../identity/searchKeys.ts';
import { digitsKey, nameKey } from '../../identity/normalize.ts';
import type { AssigningAuthority, DemographicQuery } from '../../identity/types.ts';
import { authorityOfSystem, splitOr, splitToken } from '../../pix/codec/fhirIdentifier.ts';
import { regionalIdOf } from '../../pix/codec/fhirPatientId.ts';

export const PDQM_PARAMETERS: ReadonlyMap<string, readonly string[]> = new Map([
  ['family', ['', 'exact']],
  ['given', ['', 'exact']],
  ['birthdate', ['']],
  ['gender', ['']],
  ['address', ['']],
  ['telecom', ['']],
  ['identifier', ['']],
  ['_id', ['']],
  ['_count', ['']],
  ['_format', ['']],
]);

/** The continuation of a search: the next link's only parameter beside _count. */
export const PAGE_PARAMETER = '_page';

export interface PdqmSearch {
  query: DemographicQuery;
  /** Identifiers asked for (identifier, _id), any of which finds the patient. */
  identifiers: { id: string; authority: AssigningAuthority }[];
  /** Whole-string matches asked by :exact (FHIR R4: casing and accents count), checked on each found record. */
  exact: { family: string[]; given: string[] };
}

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
  if (f !== null && !/json/i.test(f)) throw new FhirError(406, 'not-supported', 'only JSON is served (_format)', ['_format']);
}

export function parseSearch(all: URLSearchParams, regional: AssigningAuthority, lenient: boolean): PdqmSearch {
  const params = supportedParameters(all, PDQM_PARAMETERS, lenient);
  checkFormat(params);
  const out: PdqmSearch = { query: { keys: [] }, identifiers: [], exact: { family: [], given: [] } };
  const single = (key: string, value: string): string => {
    const values = splitOr(value);
    if (values.length > 1) throw new FhirError(400, 'not-supported', `${key}: a list of values (OR) is supported for identifier and _id only`, [key]);
    const v = values[0].replace(/\\([\\|,$])/g, '$1').trim();
    if (!v) throw new FhirError(400, 'invalid', `${key} has no value`, [key]);
    return v;
  };
  let identifierParams = 0;
  for (const [key, raw] of params) {
    const [name, modifier] = key.split(':', 2);
    switch (name) {
      case 'family':
      case 'given': {
        const v = single(key, raw);
        const k = nameKey(v);
        if (k) out.query.keys.push({ kind: name, key: k, prefix: modifier !== 'exact' });
        if (modifier === 'exact') out.exact[name].push(v);
        break;
      }
      case 'birthdate': {
        const v = single(key, raw).replace(/^eq(?=\d)/, '');
        if (/^[a-z]{2}\d/.test(v)) throw new FhirError(400, 'not-supported', 'birthdate: only eq (the default prefix) is supported', [key]);
        const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(v);
        const d = m ? hl7Date(m.slice(1).filter(Boolean).join('')) : '';
        if (!d) throw new FhirError(400, 'invalid', 'birthdate must be a date: YYYY, YYYY-MM or YYYY-MM-DD', [key]);
        if (out.query.birthDate && out.query.birthDate !== d) throw new FhirError(400, 'not-supported', 'birthdate is given once', [key]);
        out.query.birthDate = d;
        break;
      }
      case 'gender': {
        const v = single(key, raw);
        const sex = GENDER[v];
        if (!sex) throw new FhirError(400, 'code-invalid', 'gender must be male, female, other or unknown', [key]);
        out.query.sex = sex;
        break;
      }
      case 'address': {
        const v = single(key, raw);
        const k = addressComponentKey(/^[\d\s\-－‐〒]+$/.test(v) ? 5 : 1, v);
        if (k) out.query.keys.push({ kind: 'address', key: k, prefix: true });
        break;
      }
      case 'telecom': {
        const t = splitToken(single(key, raw));
        if (t.system !== undefined && t.system !== '' && t.system !== 'phone') throw new FhirError(400, 'not-supported', 'telecom: only phone numbers are searched', [key]);
        const k = digitsKey(t.value);
        if (!k) throw new FhirError(400, 'invalid', 'telecom must hold a phone number', [key]);
        out.query.keys.push({ kind: 'phone', key: k, prefix: false });
        break;
      }
      case 'identifier':
      case '_id': {
        if (++identifierParams > 1) throw new FhirError(400, 'not-supported', 'identifier and _id: one of them, once (a list of values is OR)', [key]);
        for (const one of splitOr(raw)) {
          if (name === '_id') {
            const id = regionalIdOf(one.trim());
            if (id === undefined) throw new FhirError(400, 'invalid', `_id ${JSON.stringify(one)} is not a Patient id`, [key]);
            out.identifiers.push({ id, authority: regional });
          } else {
            const t = splitToken(one);
            if (!t.system || !t.value) throw new FhirError(400, 'not-supported', 'identifier must be system|value', [key]);
            out.identifiers.push({ id: t.value, authority: authorityOfSystem(t.system) });
          }
        }
        break;
      }
    }
  }
  return out;
}
