/**
 * The instants a FHIR date, dateTime or instant value covers at its precision (FHIR R4 search.html#date:
 * "the range of the search value fully contains the range of the target value"): shared by the
 * searches with date parameters (ITI-81, ITI-66, ITI-67).
 */
import { FhirError } from './outcome.ts';

const DATE = /^(\d{4})(?:-(\d\d)(?:-(\d\d)(?:T(\d\d):(\d\d)(?::(\d\d)(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)?)?)?)?$/;

/** The instants [lower, upper) a FHIR date value covers, at its precision; no zone means UTC. */
export function dateRange(value: string): [string, string] {
  const m = DATE.exec(value);
  if (!m) throw new FhirError(400, 'invalid', `date: '${value}' is not a FHIR date, dateTime or instant`, ['date']);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const tz = zone ?? 'Z';
  const iso = (yy: number, mm: number, dd: number, hh: number, mn: number, ss: number, ms: number) => {
    const t = Date.UTC(yy, mm - 1, dd, hh, mn, ss, ms);
    const offset = tz === 'Z' ? 0 : (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) * 60_000;
    return new Date(t - offset).toISOString();
  };
  const Y = Number(y);
  if (mo === undefined) return [iso(Y, 1, 1, 0, 0, 0, 0), iso(Y + 1, 1, 1, 0, 0, 0, 0)];
  const M = Number(mo);
  if (M < 1 || M > 12) throw new FhirError(400, 'invalid', `date: '${value}' has no such month`, ['date']);
  if (d === undefined) return [iso(Y, M, 1, 0, 0, 0, 0), iso(Y, M + 1, 1, 0, 0, 0, 0)];
  const D = Number(d);
  if (h === undefined) return [iso(Y, M, D, 0, 0, 0, 0), iso(Y, M, D + 1, 0, 0, 0, 0)];
  const H = Number(h);
  const Mi = Number(mi);
  if (s === undefined) return [iso(Y, M, D, H, Mi, 0, 0), iso(Y, M, D, H, Mi + 1, 0, 0)];
  const S = Number(s);
  if (frac === undefined) return [iso(Y, M, D, H, Mi, S, 0), iso(Y, M, D, H, Mi, S + 1, 0)];
  const ms = Number(frac.slice(1, 4).padEnd(3, '0'));
  return [iso(Y, M, D, H, Mi, S, ms), iso(Y, M, D, H, Mi, S, ms + 1)];
}
