/**
 * QPD-3 of a PDQ query (ITI TF-2 3.21.4.1.2.3): repetitions of @<segment>.<field>[.<component>
 * [.<subcomponent>]]^<value>. A trailing * asks for a prefix match. Supported: PID-3 (with its
 * assigning authority), PID-5, PID-7, PID-8, PID-11, PID-13/14 and PID-18.
 */
import type { ErrorLocation, Hl7ErrorDetail } from '../../hl7v2/errors.ts';
import type { Repetition } from '../../hl7v2/message.ts';
import { hl7Date } from '../../hl7v2/datetime.ts';
import { digitsKey, nameKey } from '../../identity/normalize.ts';
import { addressComponentKey } from '../../identity/searchKeys.ts';
import type { AssigningAuthority, DemographicQuery, SearchKeyKind } from '../../identity/types.ts';

export interface QueriedIdentifier {
  id: string;
  authority: AssigningAuthority;
  typeCode: string;
  /** QPD-3 repetition (1-based) of its @PID.3.1. */
  repetition: number;
  /** QPD-3 repetition of its first @PID.3.4 parameter, if any. */
  authorityRepetition?: number;
}

export interface PdqParameters {
  query: DemographicQuery;
  identifiers: QueriedIdentifier[];
  errors: Hl7ErrorDetail[];
}

const PATH = /^@(PID|PD1)\.(\d+)(?:\.(\d+))?(?:\.(\d+))?$/;

export function parseQueryParameters(reps: Repetition[]): PdqParameters {
  const out: PdqParameters = { query: { keys: [] }, identifiers: [], errors: [] };
  const at = (n: number): ErrorLocation => ({ segment: 'QPD', field: 3, repetition: n, component: 1 });
  reps.forEach((rep, i) => {
    const n = i + 1;
    const name = rep.get(1);
    let value = rep.get(2).trim();
    if (!name && !value) return;
    const m = PATH.exec(name);
    if (!m) {
      out.errors.push({ code: 102, text: `QPD-3 parameter ${n} is not of the form @PID.n[.n[.n]]`, location: at(n) });
      return;
    }
    if (!value) return;
    const prefix = value.endsWith('*');
    if (prefix) value = value.replace(/\*+$/, '');
    const [, seg, f, c, s] = m;
    const field = Number(f);
    const comp = c === undefined ? 1 : Number(c);
    const sub = s === undefined ? 1 : Number(s);
    const key = (kind: SearchKeyKind, k: string) => {
      if (k) out.query.keys.push({ kind, key: k, prefix });
    };
    const lastId = () => out.identifiers[out.identifiers.length - 1];
    const unsupported = () =>
      out.errors.push({ code: 102, text: `QPD-3 parameter ${name} is not supported`, location: at(n) });
    if (seg !== 'PID') return unsupported();
    switch (field) {
      case 3:
        if (comp === 1) out.identifiers.push({ id: value, authority: { namespace: '', oid: '', type: '' }, typeCode: '', repetition: n });
        else if (comp === 4 && lastId()) {
          lastId().authorityRepetition ??= n;
          const a = lastId().authority;
          if (sub === 1) a.namespace = value;
          else if (sub === 2) a.oid = value;
          else if (sub === 3) a.type = value;
        } else if (comp === 5 && lastId()) lastId().typeCode = value;
        else return unsupported();
        return;
      case 5:
        if (comp === 1 && sub === 1) return key('family', nameKey(value));
        if (comp === 2 && sub === 1) return key('given', nameKey(value));
        return unsupported();
      case 7:
        if (comp !== 1) return unsupported();
        out.query.birthDate = hl7Date(value);
        if (!out.query.birthDate) out.errors.push({ code: 102, text: '@PID.7 is not a date', location: { ...at(n), component: 2 } });
        return;
      case 8:
        if (comp !== 1) return unsupported();
        out.query.sex = value.toUpperCase();
        return;
      case 11:
        if (comp < 1 || comp > 9 || comp === 7) return unsupported();
        return key(`addr.${comp}`, addressComponentKey(comp, value));
      case 13:
      case 14:
        if (comp !== 1 && comp !== 12) return unsupported();
        return key('phone', digitsKey(value));
      case 18:
        if (comp === 1) return key('account', value);
        if (comp === 4) return; // the account number's authority narrows nothing here
        return unsupported();
      default:
        return unsupported();
    }
  });
  return out;
}
