/**
 * The last check before this server keeps one of its own audit messages: an individual number the
 * message names (a patient participant object of the individual-number domain, or an identifier of
 * that domain in a query or detail it carries as base64, or any 12-digit run when it names the
 * domain at all) is masked in every field. The transactions refuse such requests at their edges;
 * this makes sure that the audit record of a refusal, which describes the request, does not keep
 * what was refused.
 */
import type { IndividualNumberDomain } from '../identity/individualNumber/domain.ts';
import { maskStrings } from '../identity/individualNumber/mask.ts';
import { maskRequestFor } from '../identity/individualNumber/textScreen.ts';
import { readCx } from '../store/auditPatientKey.ts';
import type { AuditMessage } from './auditMessage.ts';

export function individualNumberScreen(domain: IndividualNumberDomain): (m: AuditMessage) => AuditMessage {
  return (m) => {
    const numbers: string[] = [];
    const encoded: string[] = [];
    for (const o of m.objects) {
      const cx = readCx(o.id);
      if (cx.value && domain.isIndividualNumber(cx, cx.typeCode)) numbers.push(cx.value);
      if (o.query) encoded.push(o.query);
      for (const d of o.details ?? []) encoded.push(d.value);
    }
    const text = [JSON.stringify(m), ...encoded.map((v) => Buffer.from(v, 'base64').toString('utf8'))].join('\n');
    const req = maskRequestFor(text, domain, numbers);
    return req ? maskStrings(m, req) : m;
  };
}
