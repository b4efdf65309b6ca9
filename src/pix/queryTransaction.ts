/**
 * What ITI-9 and ITI-21 share as HL7 v2 query transactions: only a node with the role consumer or
 * gateway may query (refused at the endpoint otherwise), a QPD is required, the answer is audited as a
 * Query at the responder naming the requester (outcome 0 for AA, 4 for AE), and a refused request is
 * audited without its query text.
 */
import type { CodedValue, EventOutcome } from '../audit/auditMessage.ts';
import { hl7QueryAudit } from '../audit/hl7v2Audit.ts';
import type { AuditService } from '../audit/auditService.ts';
import type { ResponseSpec } from '../hl7v2/ack.ts';
import { Hl7ProcessingError } from '../hl7v2/errors.ts';
import type { Segment } from '../hl7v2/message.ts';
import type { Hl7Request, Hl7Transaction } from '../hl7v2/transaction.ts';
import { requestParties } from './requestParties.ts';
import { QUERY_ROLES } from '../consent/feedAuthorization.ts';

export interface QueryAnswer {
  spec: ResponseSpec;
  /** CX strings of the patients the answer names (audit). */
  patients: string[];
}

export interface QueryTransactionSpec {
  name: string;
  messageType: { code: string; events: string[] };
  eventType: CodedValue;
  audit: AuditService;
  answer(req: Hl7Request, qpd: Segment): Promise<QueryAnswer>;
}

export function hl7QueryTransaction(q: QueryTransactionSpec): Hl7Transaction {
  const auditQuery = (req: Hl7Request, outcome: EventOutcome, patients: string[], description?: string, keepQuery = true) =>
    hl7QueryAudit(q.audit, {
      eventType: q.eventType,
      outcome,
      outcomeDescription: description,
      ...requestParties(req, q.audit),
      patients,
      queryTag: req.message.first('QPD')?.get(2) ?? '',
      queryText: keepQuery ? req.message.segmentText(['MSH', 'QPD']) : undefined,
      controlId: req.message.header.controlId,
    });
  return {
    name: q.name,
    accepts: [q.messageType],
    roles: QUERY_ROLES,
    profile: [q.name, 'IHE'],
    async handle(req) {
      const qpd = req.message.first('QPD');
      if (!qpd) {
        await q.audit.record(auditQuery(req, 8, [], 'QPD segment missing'));
        throw Hl7ProcessingError.error(100, 'Required segment QPD is missing', { segment: 'QPD' });
      }
      const { spec, patients } = await q.answer(req, qpd);
      await q.audit.record(auditQuery(req, spec.ack === 'AA' ? 0 : 4, patients, spec.errors?.map((e) => e.text).join('; ')));
      return spec;
    },
    auditRefusal(req, err) {
      return auditQuery(req, 8, [], err.message, false);
    },
  };
}
