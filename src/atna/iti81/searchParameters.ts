/**
 * The search parameters of ITI-81 Retrieve ATNA Audit Event (IHE RESTful ATNA; FHIR R4 AuditEvent
 * search parameters): date (prefixes eq, ge, gt, le, lt), address, agent-name, patient.identifier,
 * entity-type, entity-role, outcome, type, subtype, source, and action, agent and entity; with _count,
 * _sort (date, -date) and the paging cursor of this server. Repeated parameters all apply; values
 * separated by commas are alternatives. Token parameters match the code (a system, when given, is
 * accepted but not compared); string parameters match exactly.
 */
import type { AuditPatientKey, AuditSearch } from '../../store/types.ts';
import { FhirError } from '../../fhir/outcome.ts';
import { dateRange } from '../../fhir/dateRange.ts';
import { formatOfParameter } from '../../fhir/format.ts';
import type { IndividualNumberDomain } from '../../identity/individualNumber/domain.ts';
import { looksLikeIndividualNumber } from '../../identity/individualNumber/freeText.ts';
import { numbersNamedIn } from '../../identity/individualNumber/textScreen.ts';

export interface Iti81Query {
  search: AuditSearch;
  /** Patients the query names (for its own audit message). */
  patients: AuditPatientKey[];
  total: boolean;
}

const PAGE = '_page';
function dateCriteria(raw: string): NonNullable<AuditSearch['time']> {
  if (raw.includes(',')) throw new FhirError(400, 'not-supported', 'date: alternatives (comma) are not supported; repeat the parameter', ['date']);
  const m = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(.*)$/.exec(raw)!;
  const prefix = m[1] ?? 'eq';
  const [lower, upper] = dateRange(m[2]);
  switch (prefix) {
    case 'eq':
      return [
        { op: 'ge', instant: lower },
        { op: 'lt', instant: upper },
      ];
    case 'ge':
      return [{ op: 'ge', instant: lower }];
    case 'gt':
      return [{ op: 'ge', instant: upper }];
    case 'le':
      return [{ op: 'lt', instant: upper }];
    case 'lt':
      return [{ op: 'lt', instant: lower }];
    default:
      throw new FhirError(400, 'not-supported', `date: the prefix ${prefix} is not supported (eq, ge, gt, le, lt are)`, ['date']);
  }
}

/** A token's code: `code`, `|code` or `system|code`. */
const tokenCode = (v: string) => (v.includes('|') ? v.slice(v.indexOf('|') + 1) : v);

function patientKey(v: string): AuditPatientKey {
  if (!v.includes('|')) return { value: v };
  const system = v.slice(0, v.indexOf('|'));
  const value = v.slice(v.indexOf('|') + 1);
  if (!value) throw new FhirError(400, 'invalid', 'patient.identifier: a value is required', ['patient.identifier']);
  if (!system) return { value };
  if (system.startsWith('urn:oid:')) return { value, oid: system.slice(8) };
  return { value, namespace: system };
}

/**
 * An identifier of the individual-number domain is never searched for: the query is refused, so
 * that the number is neither looked up nor echoed (and the query's own audit record masks it).
 */
function refuseIndividualNumber(key: AuditPatientKey, system: string | undefined, domain: IndividualNumberDomain | undefined): void {
  if (!domain) return;
  if (domain.isAuthority(system) || (!system && domain.freeTextScreening && looksLikeIndividualNumber(key.value))) {
    throw new FhirError(400, 'invalid', 'patient.identifier: an identifier in the individual-number domain is not accepted', ['patient.identifier']);
  }
}

function smallCode(name: string, v: string, max: number): number {
  const code = tokenCode(v);
  if (!/^\d{1,2}$/.test(code) || Number(code) > max) throw new FhirError(400, 'invalid', `${name}: '${v}' is not a code of this parameter`, [name]);
  return Number(code);
}

const CONTROL = new Set(['_count', '_sort', '_total', '_format', PAGE]);

export function parseIti81(
  params: URLSearchParams,
  o: { pageSize: number; maxPageSize: number; lenient: boolean; individualNumber?: IndividualNumberDomain },
): Iti81Query {
  const search: AuditSearch = { sort: '-date', limit: o.pageSize };
  const patients: AuditPatientKey[] = [];
  let total = true;
  const add = <K extends keyof AuditSearch>(key: K, list: NonNullable<AuditSearch[K]> extends (infer T)[] ? T : never) => {
    ((search[key] ??= [] as never) as unknown[]).push(list);
  };
  for (const [rawName, raw] of params) {
    const name = rawName.replace(/:exact$/, '');
    const values = raw.split(',').filter((v) => v !== '');
    if (o.individualNumber && numbersNamedIn(raw, o.individualNumber).length) {
      throw new FhirError(400, 'invalid', `${name}: an identifier in the individual-number domain is not accepted`, [name]);
    }
    if (values.length === 0 && !CONTROL.has(name)) throw new FhirError(400, 'invalid', `${name}: a value is required`, [name]);
    switch (name) {
      case 'date':
        (search.time ??= []).push(...dateCriteria(raw));
        break;
      case 'address':
        add('address', values);
        break;
      case 'agent-name':
      case 'agent':
        add('agent', values.map((v) => (name === 'agent' ? v.replace(/^[A-Za-z]+\//, '') : v)));
        break;
      case 'patient.identifier': {
        const keys = values.map(patientKey);
        values.forEach((v, n) => refuseIndividualNumber(keys[n], v.includes('|') ? v.slice(0, v.indexOf('|')) : undefined, o.individualNumber));
        patients.push(...keys);
        add('patient', keys);
        break;
      }
      case 'entity':
        add('objectId', values);
        break;
      case 'entity-type':
        add('objectType', values.map((v) => smallCode(name, v, 4)));
        break;
      case 'entity-role':
        add('objectRole', values.map((v) => smallCode(name, v, 26)));
        break;
      case 'outcome':
        add('outcome', values.map((v) => smallCode(name, v, 12)));
        break;
      case 'type':
        add('eventId', values.map(tokenCode));
        break;
      case 'subtype':
        add('eventTypeCode', values.map(tokenCode));
        break;
      case 'action':
        add('action', values.map(tokenCode));
        break;
      case 'source':
        add('sourceId', values.map((v) => v.replace(/^Device\//, '')));
        break;
      case '_count': {
        const n = Number(raw);
        if (!Number.isInteger(n) || n < 1) throw new FhirError(400, 'invalid', '_count must be a positive integer', ['_count']);
        search.limit = Math.min(n, o.maxPageSize);
        break;
      }
      case '_sort':
        if (raw !== 'date' && raw !== '-date') throw new FhirError(400, 'not-supported', '_sort: only date and -date are supported', ['_sort']);
        search.sort = raw;
        break;
      case '_total':
        if (raw !== 'none' && raw !== 'accurate' && raw !== 'estimate') throw new FhirError(400, 'invalid', '_total must be none, estimate or accurate', ['_total']);
        total = raw !== 'none';
        break;
      case '_format':
        if (!formatOfParameter(raw)) throw new FhirError(406, 'not-supported', `_format ${raw}: FHIR JSON and FHIR XML are served`, ['_format']);
        break;
      case PAGE:
        search.after = readCursor(raw);
        break;
      default:
        if (!o.lenient) throw new FhirError(400, 'not-supported', `search parameter ${rawName} is not supported`, [rawName]);
    }
  }
  return { search, patients, total };
}

/** The paging cursor: the last event of a page, in sort order. */
export function writeCursor(last: { eventTime: string; id: number }): string {
  return Buffer.from(JSON.stringify([last.eventTime, last.id])).toString('base64url');
}

function readCursor(v: string): { eventTime: string; id: number } {
  try {
    const [eventTime, id] = JSON.parse(Buffer.from(v, 'base64url').toString('utf8')) as [string, number];
    if (typeof eventTime === 'string' && Number.isInteger(id)) return { eventTime, id };
  } catch {
    // fall through
  }
  throw new FhirError(400, 'invalid', `${PAGE}: not a page of this server`, [PAGE]);
}

export const PAGE_PARAMETER = PAGE;
