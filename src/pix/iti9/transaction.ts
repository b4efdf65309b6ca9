/**
 * ITI-9 PIX Query (QBP^Q23 -> RSP^K23), ITI TF-2 3.9.4.2.2.6: QPD-3 and QPD-4 decoded, the
 * cross-references asked with the requester's scoped reader, the answer written:
 *   known id with identifiers in the requested domains -> AA, QAK OK, one PID (the queried id left out);
 *   known id, nothing in those domains -> AA, NF, no PID;
 *   unknown id (or a patient the requester may not find) -> AE, ERR QPD^1^3^1^1 204;
 *   unknown QPD-3 domain -> AE, ERR QPD^1^3^1^4 204; unknown what-domain -> AE, ERR QPD^1^4^n 204.
 * PID-5 is an empty name followed by ^^^^^^S (3.9.4.2.2.5).
 */
import type { AuditService } from '../../audit/auditService.ts';
import { ihe } from '../../audit/codes.ts';
import type { AccessDecisions } from '../../consent/decision.ts';
import { readScoped } from '../../consent/scopedReader.ts';
import { raw, segment } from '../../hl7v2/builder.ts';
import type { Hl7ErrorDetail } from '../../hl7v2/errors.ts';
import type { Segment } from '../../hl7v2/message.ts';
import type { Hl7Request, Hl7Transaction } from '../../hl7v2/transaction.ts';
import { crossReferences, type CrossReferenceProblem } from '../../identity/crossReferences.ts';
import type { IdentityService } from '../../identity/service.ts';
import type { Store } from '../../store/types.ts';
import { cxComponents, cxString, readCx } from '../codec/cx.ts';
import { hl7QueryTransaction, type QueryAnswer } from '../queryTransaction.ts';

export const ITI9 = ihe('ITI-9', 'PIX Query');

const RSP_K23: [string, string, string] = ['RSP', 'K23', 'RSP_K23'];

export interface Iti9Deps {
  store: Store;
  identity: IdentityService;
  audit: AuditService;
  decisions: AccessDecisions;
}

/** A cross-reference problem as the HL7 error of the QPD field that caused it. */
function located(p: CrossReferenceProblem): Hl7ErrorDetail {
  switch (p.reason) {
    case 'no-identifier':
      return { code: 101, text: 'QPD-3 holds no patient identifier', location: { segment: 'QPD', field: 3, repetition: 1, component: 1 } };
    case 'unknown-domain':
      return { code: 204, text: 'Unknown assigning authority in QPD-3', location: { segment: 'QPD', field: 3, repetition: 1, component: 4 } };
    case 'unknown-what-domain':
      return { code: 204, text: 'Unknown what-domain in QPD-4', location: { segment: 'QPD', field: 4, repetition: p.index + 1 } };
    case 'unknown-identifier':
      return { code: 204, text: 'Unknown patient identifier', location: { segment: 'QPD', field: 3, repetition: 1, component: 1 } };
  }
}

export function iti9Transaction(deps: Iti9Deps): Hl7Transaction {
  async function answer(req: Hl7Request, qpd: Segment): Promise<QueryAnswer> {
    const tag = qpd.get(2);
    const key = qpd.reps(3)[0];
    const cx = key ? readCx(key) : undefined;
    const request = { id: cx?.id ?? '', authority: cx?.authority ?? { namespace: '', oid: '', type: '' }, whatDomains: qpd.reps(4).map((r) => readCx(r).authority) };
    const outcome = await readScoped(deps, req.context, 'ITI-9', (reader) => crossReferences(reader, request));
    if (outcome.kind === 'invalid') {
      return {
        spec: { type: RSP_K23, ack: 'AE', errors: outcome.problems.map(located), body: [segment('QAK', [tag, 'AE']), qpd.toString()] },
        patients: [],
      };
    }
    const { identifiers: ids } = outcome;
    const patients = [cxString(outcome.key), ...ids.map(cxString)];
    if (ids.length === 0) return { spec: { type: RSP_K23, ack: 'AA', body: [segment('QAK', [tag, 'NF']), qpd.toString()] }, patients };
    const pid = segment('PID', [undefined, undefined, { repeat: ids.map((i) => cxComponents(i)) }, undefined, raw('~^^^^^^S')]);
    return { spec: { type: RSP_K23, ack: 'AA', body: [segment('QAK', [tag, 'OK']), qpd.toString(), pid] }, patients };
  }

  return hl7QueryTransaction({ name: 'ITI-9', messageType: { code: 'QBP', events: ['Q23'] }, eventType: ITI9, audit: deps.audit, answer });
}
