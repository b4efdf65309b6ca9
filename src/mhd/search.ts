/**
 * What Find Document Lists [ITI-66] and Find Document References [ITI-67] share in turning a FHIR
 * search (FHIR R4 search.html; ITI TF-2x Appendix Z.2) into Registry Stored Query parameters (ITI
 * TF-2a 3.18.4.1.2.3): tokens `system|code` as `code^^codingScheme`, date prefixes as the From
 * (inclusive) and To (exclusive) bounds in DTM, author names as authorPerson patterns, the patient,
 * the status, and the control parameters (_count, _format, and this server's paging cursor).
 * Parameters not supported are refused (400) unless the client asks for lenient handling
 * (`Prefer: handling=lenient`, FHIR R4 search.html#errors).
 */
import type { Slot } from '../ebxml/rim.ts';
import { FhirError } from '../fhir/outcome.ts';
import { IndividualNumberRefused } from '../fhir/individualNumber.ts';
import type { IndividualNumberDomain } from '../identity/individualNumber/domain.ts';
import { numbersNamedIn } from '../identity/individualNumber/textScreen.ts';
import { dateRange } from '../fhir/dateRange.ts';
import { formatOfParameter } from '../fhir/format.ts';
import { componentsOf } from './mapping/values.ts';
import { schemeOfSystem } from './mapping/values.ts';
import type { PatientReferences } from './mapping/patientReference.ts';

export const PAGE = '_page';
const CONTROL = new Set(['_count', '_format', PAGE]);

const bad = (name: string, message: string) => new FhirError(400, 'invalid', `${name}: ${message}`, [name]);
const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** A stored query slot of one value or a list of values. */
export const slot = (name: string, values: string[], list = true): Slot => ({ name, values: [list ? `(${values.map(quote).join(',')})` : quote(values[0])] });

/** The values of a parameter: each occurrence's comma-separated alternatives (an escaped comma `\,` is one). */
export function occurrences(params: URLSearchParams, name: string): string[][] {
  return params.getAll(name).map((v) => v.split(/(?<!\\),/).map((x) => x.replace(/\\,/g, ',')).filter((x) => x !== ''));
}

/** `system|code` as XDS `code^^codingScheme` (ITI TF-2 3.66.4.1.3.1 "Translation of Token Parameter"); a system is required. */
export function codeOfToken(name: string, v: string): string {
  const bar = v.indexOf('|');
  const system = bar < 0 ? '' : v.slice(0, bar);
  const code = bar < 0 ? v : v.slice(bar + 1);
  if (!system || !code) throw bad(name, `'${v}' must be system|code: an XDS code is matched with its coding scheme`);
  return `${code}^^${schemeOfSystem(system)}`;
}

/**
 * The codes of a token parameter: each occurrence an OR-group. An attribute of many values
 * (eventCodeList, confidentialityCode) takes the groups as AND-ed slots; a one-valued attribute has
 * a code in every group only when the groups share it, so they are intersected.
 */
export function codeSlots(params: URLSearchParams, name: string, queryParam: string, andable: boolean): Slot[] {
  const groups = occurrences(params, name).map((g) => g.map((v) => codeOfToken(name, v)));
  if (groups.length === 0) return [];
  if (andable) return groups.map((g) => slot(queryParam, g));
  const shared = groups.reduce((a, b) => a.filter((x) => b.includes(x)));
  // No code satisfies every occurrence: a code no entry can have keeps the answer empty.
  return [slot(queryParam, shared.length ? shared : ['\u0000^^\u0000'])];
}

/** DTM (UTC, to the second) of an ISO instant. */
const dtm = (iso: string) => iso.replace(/[-:T]/g, '').slice(0, 14);

/**
 * A date parameter (eq, ge, gt, le, lt; FHIR R4 search.html#date) as bounds on the instants it
 * covers: from inclusive, to exclusive. Repeated, the bounds narrow.
 */
export function dateBounds(params: URLSearchParams, name: string): { from?: string; to?: string } {
  let from: string | undefined;
  let to: string | undefined;
  for (const raw of params.getAll(name)) {
    if (raw.includes(',')) throw new FhirError(400, 'not-supported', `${name}: alternatives (comma) are not supported; repeat the parameter`, [name]);
    const m = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.*)$/.exec(raw)!;
    const prefix = m[1] ?? 'eq';
    let lower: string;
    let upper: string;
    try {
      [lower, upper] = dateRange(m[2]);
    } catch {
      throw bad(name, `'${m[2]}' is not a FHIR date, dateTime or instant`);
    }
    const f = { eq: lower, ge: lower, gt: upper }[prefix as 'eq'];
    const t = { eq: upper, le: upper, lt: lower }[prefix as 'eq'];
    if (f === undefined && t === undefined) throw new FhirError(400, 'not-supported', `${name}: the prefix ${prefix} is not supported (eq, ge, gt, le, lt are)`, [name]);
    if (f !== undefined && (!from || dtm(f) > from)) from = dtm(f);
    if (t !== undefined && (!to || dtm(t) < to)) to = dtm(t);
  }
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/**
 * Refuses a search any of whose parameters names an identifier of the individual-number domain
 * (`patient.identifier=urn:oid:{domain}|...` in any spelling the detector reads), before the value
 * reaches the stored-query service or an audit message.
 */
export function refuseIndividualNumbers(params: URLSearchParams, domain: IndividualNumberDomain): void {
  for (const [name, value] of params) {
    const bar = value.indexOf('|');
    if ((bar > 0 && domain.isAuthority(value.slice(0, bar))) || numbersNamedIn(value, domain).length > 0) throw new IndividualNumberRefused(name);
  }
}

/** The patientId a search names (`patient` or `patient.identifier`, exactly one is required: ITI TF-2 3.66.4.1.2.1, 3.67.4.1.2.1). */
export function patientOfSearch(params: URLSearchParams, patients: PatientReferences): string {
  const refs = params.getAll('patient');
  const ids = params.getAll('patient.identifier');
  if (refs.length + ids.length === 0) throw new FhirError(400, 'required', 'patient or patient.identifier is required', ['patient']);
  if (refs.length + ids.length > 1 || [...refs, ...ids].some((v) => v.includes(','))) throw bad('patient', 'give one patient (patient or patient.identifier, once)');
  const cx = refs.length ? patients.cxOfPatientUrl(refs[0]) : patients.cxOfToken(ids[0]);
  if (!cx && refs.length && /(?:^|\/)Patient\/h-[0-9a-f]+$/.test(refs[0])) throw bad('patient', `'${refs[0]}' names a patient by a hash of its ID, which cannot be searched by: give patient.identifier`);
  if (!cx) throw bad(refs.length ? 'patient' : 'patient.identifier', refs.length ? `'${refs[0]}' is not a Patient reference (Patient/{id})` : `'${ids[0]}' is not an identifier of an urn:oid: system`);
  return cx;
}

/** The registry statuses of `status` (required; no system: ITI TF-2 Table 2:3.67.4.1.3.1-2). */
export function statusesOf(params: URLSearchParams, map: Record<string, string>): string[] {
  const groups = occurrences(params, 'status');
  if (groups.length === 0) throw new FhirError(400, 'required', 'status is required', ['status']);
  const sets = groups.map((g) =>
    g.map((v) => {
      const s = map[v.replace(/^\|/, '')];
      if (!s) throw bad('status', `'${v}' is not one of ${Object.keys(map).join(', ')}`);
      return s;
    }),
  );
  return sets.reduce((a, b) => a.filter((x) => b.includes(x)));
}

/**
 * authorPerson patterns (ITI TF-2a 3.18.4.1.2.3.5: % and _ wildcards) of `.given` and `.family`
 * (XCN components 3 and 2, ITI TF-2 3.66.4.1.3.1 "Translation of Name Components"); the query
 * finds candidates, namePartsMatch decides.
 */
export function authorPatterns(params: URLSearchParams, prefix: string): { patterns?: string[]; given: string[][]; family: string[][] } {
  const given = occurrences(params, `${prefix}.given`);
  const family = occurrences(params, `${prefix}.family`);
  if (given.length === 0 && family.length === 0) return { given, family };
  const g = given[0] ?? ['%'];
  const f = family[0] ?? ['%'];
  const patterns = f.flatMap((fa) => g.map((gi) => `%^${fa}%^${gi}%`));
  return { patterns, given, family };
}

/**
 * FHIR string matching (R4 search.html#string: starts with, case-insensitive) of the family and
 * given name of one of the XCNs: every occurrence matches, any of its alternatives.
 */
export function namePartsMatch(xcns: string[], given: string[][], family: string[][]): boolean {
  const starts = (v: string | undefined, p: string) => !!v && v.toLowerCase().startsWith(p.toLowerCase());
  return xcns.some((x) => {
    const c = componentsOf(x);
    return family.every((alts) => alts.some((a) => starts(c[1], a))) && given.every((alts) => alts.some((a) => starts(c[2], a) || starts(c[3], a)));
  });
}

export interface Paging {
  count?: number;
  offset: number;
  /** Parameters ignored under lenient handling: answered as a warning (ITI TF-2 3.67.4.2.2). */
  ignored: string[];
}

/**
 * The control parameters, and the refusal of any parameter this search does not support (unless
 * lenient): `_format` JSON or XML (format.ts negotiates it), `_count` 1..max, `_page` an offset this server wrote.
 */
export function controlOf(params: URLSearchParams, supported: ReadonlySet<string>, o: { lenient: boolean; maxCount: number }): Paging {
  const ignored: string[] = [];
  for (const name of new Set(params.keys())) {
    if (CONTROL.has(name) || supported.has(name)) continue;
    if (!o.lenient) throw new FhirError(400, 'not-supported', `the search parameter ${name} is not supported here`, [name]);
    params.delete(name);
    ignored.push(name);
  }
  const format = params.get('_format');
  if (format !== null && !formatOfParameter(format)) throw new FhirError(406, 'not-supported', `_format ${format}: this server answers FHIR JSON and FHIR XML`, ['_format']);
  const count = params.get('_count');
  if (count !== null && (!/^\d{1,6}$/.test(count) || Number(count) < 1)) throw bad('_count', 'a positive integer is required');
  const page = params.get(PAGE);
  if (page !== null && !/^\d{1,9}$/.test(page)) throw bad(PAGE, 'not a page of this server');
  return { ...(count !== null ? { count: Math.min(Number(count), o.maxCount) } : {}), offset: page === null ? 0 : Number(page), ignored };
}
