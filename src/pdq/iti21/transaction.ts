/**
 * ITI-21 Patient Demographics Query (QBP^Q22 -> RSP^K22) and its cancel (QCN^J01 -> ACK), ITI TF-2
 * 3.21: QPD-3 parameters and QPD-8 what-domains decoded, the demographic search run with the
 * requester's scoped reader, its page written as PIDs with a DSC when more is there; RCP-2 limits a
 * response. The search's problems become ERR segments here, located in the request.
 */
import type { AuditService } from '../../audit/auditService.ts';
import { ihe } from '../../audit/codes.ts';
import { readScoped } from '../../consent/scopedReader.ts';
import type { AccessDecisions } from '../../consent/decision.ts';
import { segment } from '../../hl7v2/builder.ts';
import { Hl7ProcessingError, type Hl7ErrorDetail } from '../../hl7v2/errors.ts';
import type { Segment } from '../../hl7v2/message.ts';
import type { Hl7Request, Hl7Transaction } from '../../hl7v2/transaction.ts';
import { DemographicSearch, type SearchOutcome, type SearchProblem } from '../../identity/demographicSearch.ts';
import type { IdentityService } from '../../identity/service.ts';
import { cxComponents, cxString, readCx } from '../../pix/codec/cx.ts';
import { writePid } from '../../pix/codec/pid.ts';
import { hl7QueryTransaction, type QueryAnswer } from '../../pix/queryTransaction.ts';
import { QUERY_ROLES } from '../../consent/feedAuthorization.ts';
import type { Config } from '../../kernel/config.ts';
import type { Store } from '../../store/types.ts';
import { parseQueryParameters, type PdqParameters } from './queryParameters.ts';

export const ITI21 = ihe('ITI-21', 'Patient Demographics Query');

const RSP_K22: [string, string, string] = ['RSP', 'K22', 'RSP_K21'];

export interface Iti21Deps {
  store: Store;
  identity: IdentityService;
  audit: AuditService;
  decisions: AccessDecisions;
  config: Config['pdq'];
}

export function iti21Transactions(deps: Iti21Deps): Hl7Transaction[] {
  const { audit } = deps;
  // On a database several processes share, a page opened on one is continued on any (store.continuations).
  const search = new DemographicSearch(deps.config, deps.store.continuations);

  const error = (qpd: Segment, errors: Hl7ErrorDetail[]): QueryAnswer => ({
    spec: { type: RSP_K22, ack: 'AE', errors, body: [segment('QAK', [qpd.get(2), 'AE']), qpd.toString()] },
    patients: [],
  });

  /** A search problem as the HL7 error of the QPD (or DSC) field that caused it. */
  const located = (p: SearchProblem, params: PdqParameters): Hl7ErrorDetail => {
    switch (p.reason) {
      case 'unknown-what-domain':
        return { code: 204, text: 'Unknown what-domain in QPD-8', location: { segment: 'QPD', field: 8, repetition: p.index + 1 } };
      case 'unknown-identifier-domain': {
        const qi = params.identifiers[p.index];
        return { code: 204, text: 'Unknown assigning authority in @PID.3.4', location: { segment: 'QPD', field: 3, repetition: qi.authorityRepetition ?? qi.repetition } };
      }
      case 'no-criteria': {
        const text = p.sexOnly ? 'Sex alone is not a query: add a name, birth date, address, phone or identifier' : 'QPD-3 holds no query parameter';
        return { code: 101, text, location: { segment: 'QPD', field: 3 } };
      }
      case 'unknown-continuation':
        return { code: 204, text: 'Unknown or expired continuation pointer', location: { segment: 'DSC', field: 1 } };
    }
  };

  const answer = (qpd: Segment, params: PdqParameters, outcome: SearchOutcome): QueryAnswer => {
    if (outcome.kind === 'invalid') return error(qpd, outcome.problems.map((p) => located(p, params)));
    const { patients, continuation } = outcome.page;
    const pids = patients.map((p, i) => writePid(i + 1, { repeat: p.identifiers.map((x) => cxComponents(x)) }, p.record.demographics));
    const body = [segment('QAK', [qpd.get(2), pids.length > 0 ? 'OK' : 'NF']), qpd.toString(), ...pids];
    if (continuation) body.push(segment('DSC', [continuation, 'I']));
    return { spec: { type: RSP_K22, ack: 'AA', body }, patients: patients.flatMap((p) => p.identifiers.map(cxString)) };
  };

  async function query(req: Hl7Request, qpd: Segment): Promise<QueryAnswer> {
    const limit = quantityLimit(req);
    if (limit instanceof Hl7ProcessingError) return error(qpd, limit.details);
    const pointer = req.message.first('DSC')?.get(1) ?? '';
    const queryTag = qpd.get(2);
    const params = parseQueryParameters(qpd.reps(3));
    const request = {
      queryTag,
      query: params.query,
      identifiers: params.identifiers,
      whatDomains: qpd.reps(8).map((r) => readCx(r).authority),
      limit,
    };
    return readScoped(deps, req.context, 'ITI-21', async (reader) => {
      if (pointer) return answer(qpd, params, await search.continue(reader, { pointer, queryTag, limit }));
      if (params.errors.length > 0) {
        const more = (await search.check(reader, request)).map((p) => located(p, params));
        return error(qpd, [...params.errors, ...more]);
      }
      return answer(qpd, params, await search.start(reader, request));
    });
  }

  const queryTransaction = hl7QueryTransaction({ name: 'ITI-21', messageType: { code: 'QBP', events: ['Q22'] }, eventType: ITI21, audit, answer: query });

  const cancelTransaction: Hl7Transaction = {
    name: 'ITI-21 cancel',
    accepts: [{ code: 'QCN', events: ['J01'] }],
    roles: QUERY_ROLES,
    async handle(req) {
      const qid = req.message.first('QID');
      if (!qid || !qid.get(1)) throw Hl7ProcessingError.error(101, 'QID-1 query tag is required', { segment: 'QID', field: 1 });
      await search.cancel(req.context, qid.get(1));
      return { type: ['ACK', 'J01', 'ACK'], ack: 'AA' };
    },
  };

  return [queryTransaction, cancelTransaction];
}

/** RCP-2 quantity limited request: n^RD (records); empty means everything, up to the configured maximum. */
function quantityLimit(req: Hl7Request): number | Hl7ProcessingError {
  const rcp = req.message.first('RCP');
  const qty = rcp?.get(2, 1) ?? '';
  const unit = rcp?.get(2, 2) ?? '';
  if (!qty) return Number.MAX_SAFE_INTEGER;
  const n = Number(qty);
  if (!Number.isInteger(n) || n <= 0 || (unit && unit !== 'RD')) {
    return Hl7ProcessingError.error(102, 'RCP-2 must be a positive number of records (n^RD)', { segment: 'RCP', field: 2 });
  }
  return n;
}
