/**
 * ITI-9 PIX Query (QBP^Q23 -> RSP^K23), ITI TF-2 3.9.4.2.2.6:
 *   known id with identifiers in the requested domains -> AA, QAK OK, one PID (the queried id left out);
 *   known id, nothing in those domains -> AA, NF, no PID;
 *   unknown id -> AE, ERR QPD^1^3^1^1 204; unknown QPD-3 domain -> AE, ERR QPD^1^3^1^4 204;
 *   unknown what-domain -> AE, ERR QPD^1^4^n 204.
 * PID-5 is an empty name followed by ^^^^^^S (3.9.4.2.2.5).
 */
import type { AuditService } from '../../audit/auditService.ts';
import { ihe } from '../../audit/codes.ts';
import { raw, segment } from '../../hl7v2/builder.ts';
import type { Hl7ErrorDetail } from '../../hl7v2/errors.ts';
import type { Segment } from '../../hl7v2/message.ts';
import type { Hl7Request, Hl7Transaction } from '../../hl7v2/transaction.ts';
import { hl7QueryTransaction, type QueryAnswer } from '../queryTransaction.ts';
import type { DomainIdentifier, IdentityService } from '../../identity/service.ts';
import type { Domain } from '../../identity/types.ts';
import type { Store } from '../../store/types.ts';
import { cxComponents, cxString, readCx } from '../codec/cx.ts';

export const ITI9 = ihe('ITI-9', 'PIX Query');

const RSP_K23: [string, string, string] = ['RSP', 'K23', 'RSP_K23'];

export function iti9Transaction(deps: { store: Store; identity: IdentityService; audit: AuditService }): Hl7Transaction {
  const { store, identity, audit } = deps;
  const domains = identity.domains;

  async function answer(_req: Hl7Request, qpd: Segment): Promise<QueryAnswer> {
    const tag = qpd.get(2);
    const echo = [segment('QAK', [tag, 'OK']), qpd.toString()];
    const fail = (errors: Hl7ErrorDetail[]) => ({
      spec: { type: RSP_K23, ack: 'AE' as const, errors, body: [segment('QAK', [tag, 'AE']), qpd.toString()] },
      patients: [],
    });
    const key = qpd.reps(3)[0];
    const cx = key ? readCx(key) : undefined;
    return store.read(async (tx) => {
      const errors: Hl7ErrorDetail[] = [];
      let keyDomain: Domain | undefined;
      if (!cx || !cx.id) {
        errors.push({ code: 101, text: 'QPD-3 holds no patient identifier', location: { segment: 'QPD', field: 3, repetition: 1, component: 1 } });
      } else {
        keyDomain = await domains.find(tx, cx.authority);
        if (!keyDomain) {
          errors.push({ code: 204, text: 'Unknown assigning authority in QPD-3', location: { segment: 'QPD', field: 3, repetition: 1, component: 4 } });
        }
      }
      const wanted: Domain[] = [];
      const whatDomains = qpd.reps(4);
      for (let n = 0; n < whatDomains.length; n++) {
        const a = readCx(whatDomains[n]).authority;
        if (!a.namespace && !a.oid) continue;
        const d = await domains.find(tx, a);
        if (d) wanted.push(d);
        else errors.push({ code: 204, text: 'Unknown what-domain in QPD-4', location: { segment: 'QPD', field: 4, repetition: n + 1 } });
      }
      if (errors.length > 0) return fail(errors);

      const resolved = await identity.resolve(tx, keyDomain!, cx!.id);
      if (resolved.kind !== 'person') {
        return fail([{ code: 204, text: 'Unknown patient identifier', location: { segment: 'QPD', field: 3, repetition: 1, component: 1 } }]);
      }
      const isKey = (i: DomainIdentifier) => i.domain.key === keyDomain!.key && i.id === cx!.id;
      const ids = (await identity.identifiersOf(tx, resolved.person)).filter(
        (i) => !isKey(i) && (wanted.length === 0 || wanted.some((w) => w.key === i.domain.key)),
      );
      const patients = [cxString({ id: cx!.id, domain: keyDomain! }), ...ids.map(cxString)];
      if (ids.length === 0) {
        return { spec: { type: RSP_K23, ack: 'AA' as const, body: [segment('QAK', [tag, 'NF']), qpd.toString()] }, patients };
      }
      const pid = segment('PID', [undefined, undefined, { repeat: ids.map((i) => cxComponents(i)) }, undefined, raw('~^^^^^^S')]);
      return { spec: { type: RSP_K23, ack: 'AA' as const, body: [...echo, pid] }, patients };
    });
  }

  return hl7QueryTransaction({ name: 'ITI-9', messageType: { code: 'QBP', events: ['Q23'] }, eventType: ITI9, audit, answer });
}
