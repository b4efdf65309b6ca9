/**
 * ITI-21 Patient Demographics Query (QBP^Q22 -> RSP^K22) and its cancel (QCN^J01 -> ACK), ITI TF-2
 * 3.21: every parameter must match; what-domains (QPD-8) limit PID-3 and drop patients with no
 * identifier there; RCP-2 limits a response and the rest is continued under DSC-1.
 */
import type { AuditService } from '../../audit/auditService.ts';
import { ihe } from '../../audit/codes.ts';
import type { ResponseSpec } from '../../hl7v2/ack.ts';
import { segment } from '../../hl7v2/builder.ts';
import { Hl7ProcessingError, type Hl7ErrorDetail } from '../../hl7v2/errors.ts';
import type { Segment } from '../../hl7v2/message.ts';
import type { Hl7Request, Hl7Transaction } from '../../hl7v2/transaction.ts';
import { meetsQuery } from '../../identity/searchKeys.ts';
import type { DomainIdentifier, IdentityService } from '../../identity/service.ts';
import type { Domain, PatientRecord, RecordMatch } from '../../identity/types.ts';
import { cxComponents, cxString, readCx } from '../../pix/codec/cx.ts';
import { writePid } from '../../pix/codec/pid.ts';
import { hl7QueryTransaction, type QueryAnswer } from '../../pix/queryTransaction.ts';
import { QUERY_ROLES } from '../../consent/feedAuthorization.ts';
import type { Config } from '../../kernel/config.ts';
import type { ReadTx, Store } from '../../store/types.ts';
import { Continuations, type OpenQuery } from './continuations.ts';
import { parseQueryParameters } from './queryParameters.ts';

export const ITI21 = ihe('ITI-21', 'Patient Demographics Query');

const RSP_K22: [string, string, string] = ['RSP', 'K22', 'RSP_K21'];

export interface Iti21Deps {
  store: Store;
  identity: IdentityService;
  audit: AuditService;
  config: Config['pdq'];
}

type Page = QueryAnswer;

interface Eligible {
  match: RecordMatch;
  ids: DomainIdentifier[];
  record: PatientRecord;
}

export function iti21Transactions(deps: Iti21Deps): Hl7Transaction[] {
  const { store, identity, audit, config } = deps;
  const domains = identity.domains;
  const continuations = new Continuations(config.continuationTtlMs, config.maxOpenContinuations);
  const requesterOf = (req: Hl7Request) => `${req.message.header.rawSendingApplication}|${req.message.header.rawSendingFacility}`;

  const error = (qpd: Segment, errors: Hl7ErrorDetail[]): Page => ({
    spec: { type: RSP_K22, ack: 'AE', errors, body: [segment('QAK', [qpd.get(2), 'AE']), qpd.toString()] },
    patients: [],
  });

  /** The next patient of an open query not yet answered, with an identifier in the wanted domains. */
  async function nextPatient(tx: ReadTx, q: OpenQuery, batch: number): Promise<Eligible | undefined> {
    for (;;) {
      const m = q.pending.shift();
      if (!m) {
        if (!q.search) return undefined;
        const found = await tx.identity.searchRecords(q.search.query, batch, q.search.after);
        q.pending = found.matches;
        q.search = found.next ? { query: q.search.query, after: found.next } : undefined;
        continue;
      }
      if (q.seen.has(m.personId)) continue;
      q.seen.add(m.personId);
      const person = await tx.identity.person(m.personId);
      if (!person || person.mergedInto !== null) continue;
      const ids = (await identity.identifiersOf(tx, person)).filter(
        (i) => q.wantedDomainKeys.length === 0 || q.wantedDomainKeys.includes(i.domain.key),
      );
      if (ids.length === 0) continue;
      const record = await tx.identity.recordById(m.recordId);
      if (record) return { match: m, ids, record };
    }
  }

  /** One response's worth of patients, and a DSC when at least one more is there. */
  async function page(tx: ReadTx, qpd: Segment, q: OpenQuery, limit: number): Promise<Page> {
    // Read a few more rows than the page needs: several records of one person count once.
    const batch = Math.min(500, Math.max(20, limit * 2));
    const pids: string[] = [];
    const patients: string[] = [];
    while (pids.length < limit && q.returned < config.maxMatches) {
      const e = await nextPatient(tx, q, batch);
      if (!e) break;
      pids.push(writePid(pids.length + 1, { repeat: e.ids.map((i) => cxComponents(i)) }, e.record.demographics));
      patients.push(...e.ids.map(cxString));
      q.returned++;
    }
    const body = [segment('QAK', [q.queryTag, pids.length > 0 ? 'OK' : 'NF']), qpd.toString(), ...pids];
    if (q.returned < config.maxMatches) {
      const more = await nextPatient(tx, q, batch);
      if (more) {
        // Looked at, not answered: it opens the next page.
        q.seen.delete(more.match.personId);
        q.pending.unshift(more.match);
        body.push(segment('DSC', [continuations.put(q), 'I']));
      }
    }
    return { spec: { type: RSP_K22, ack: 'AA', body }, patients };
  }

  async function query(req: Hl7Request, qpd: Segment): Promise<Page> {
    const limit = quantityLimit(req);
    if (limit instanceof Hl7ProcessingError) return error(qpd, limit.details);
    const dsc = req.message.first('DSC');
    const pointer = dsc?.get(1) ?? '';
    return store.read(async (tx) => {
      if (pointer) {
        const open = continuations.take(pointer, qpd.get(2), requesterOf(req));
        if (!open) return error(qpd, [{ code: 204, text: 'Unknown or expired continuation pointer', location: { segment: 'DSC', field: 1 } }]);
        return page(tx, qpd, open, limit);
      }
      const params = parseQueryParameters(qpd.reps(3));
      const errors = [...params.errors];
      const wanted: Domain[] = [];
      const whatDomains = qpd.reps(8);
      for (let n = 0; n < whatDomains.length; n++) {
        const a = readCx(whatDomains[n]).authority;
        if (!a.namespace && !a.oid) continue;
        const d = await domains.find(tx, a);
        if (d) wanted.push(d);
        else errors.push({ code: 204, text: 'Unknown what-domain in QPD-8', location: { segment: 'QPD', field: 8, repetition: n + 1 } });
      }
      const byIdentifier: RecordMatch[] = [];
      for (const qi of params.identifiers) {
        const d = await domains.find(tx, qi.authority);
        if (!d && (qi.authority.namespace || qi.authority.oid)) {
          errors.push({ code: 204, text: 'Unknown assigning authority in @PID.3.4', location: { segment: 'QPD', field: 3, repetition: qi.authorityRepetition ?? qi.repetition } });
          continue;
        }
        if (!d) continue;
        const r = await identity.resolve(tx, d, qi.id);
        if (r.kind !== 'person') continue;
        for (const rec of await tx.identity.recordsOfPerson(r.person.id)) {
          // Demographic parameters beside identifiers narrow what the identifiers found.
          if (meetsQuery(rec.demographics, params.query)) byIdentifier.push({ recordId: rec.id, personId: r.person.id });
        }
      }
      if (errors.length > 0) return error(qpd, errors);
      const open: OpenQuery = {
        queryTag: qpd.get(2),
        requester: requesterOf(req),
        pending: byIdentifier,
        seen: new Set(),
        wantedDomainKeys: wanted.map((w) => w.key),
        returned: 0,
        expiresAt: 0,
      };
      if (params.identifiers.length === 0) {
        if (params.query.keys.length === 0 && !params.query.birthDate) {
          const text = params.query.sex
            ? 'Sex alone is not a query: add a name, birth date, address, phone or identifier'
            : 'QPD-3 holds no query parameter';
          return error(qpd, [{ code: 101, text, location: { segment: 'QPD', field: 3 } }]);
        }
        open.search = { query: params.query };
      }
      return page(tx, qpd, open, limit);
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
      continuations.cancel(qid.get(1), requesterOf(req));
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
