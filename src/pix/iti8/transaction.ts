/**
 * ITI-8 Patient Identity Feed at the PIX Manager: only a node with the role source, for its own
 * facilities (authorization.ts); the feed, its ITI-10 notifications (written to the outbox) and its
 * audit record commit together, then the ACK goes out.
 */
import type { AuditService } from '../../audit/auditService.ts';
import { AccessDenied } from '../../consent/errors.ts';
import { FEED_ROLES, type FacilityDomain } from '../../consent/feedAuthorization.ts';
import { Hl7ProcessingError } from '../../hl7v2/errors.ts';
import { cxInIndividualNumberDomain } from '../../hl7v2/individualNumberGuard.ts';
import type { Hl7Request, Hl7Transaction } from '../../hl7v2/transaction.ts';
import type { IdentityService } from '../../identity/service.ts';
import type { Store } from '../../store/types.ts';
import { cxString } from '../codec/cx.ts';
import { locatedAt } from '../identityErrors.ts';
import type { PixNotifier } from '../iti10/notifier.ts';
import { resolveIdentifier, toPatientFeed, type FeedSource, type PositionedCx } from '../patientFeed.ts';
import { iti8AuditMessages } from './audit.ts';
import { authorizeIti8, locateIti8 } from './authorization.ts';
import { decodeIti8 } from './decode.ts';

export interface Iti8Deps {
  store: Store;
  identity: IdentityService;
  notifier: PixNotifier;
  audit: AuditService;
  /** The facilities MSH-4 may name (config identity.domains), for node authorization. */
  facilities: readonly FacilityDomain[];
  /** Repetitions of PID-3 (and MRG-1) accepted (config pix.maxIdentifiers). */
  maxIdentifiers: number;
}

const receivedCx = (cx: PositionedCx) =>
  cxString({ id: cx.id, domain: { namespace: cx.authority.namespace, oid: cx.authority.oid, type: cx.authority.type } });

export function iti8Transaction(deps: Iti8Deps): Hl7Transaction {
  const { store, identity, notifier, audit } = deps;
  const domains = identity.domains;

  async function handle(req: Hl7Request) {
    const h = req.message.header;
    const source: FeedSource = { application: h.sendingApplication, facility: h.sendingFacility };
    const request = decodeIti8(req.message, deps.maxIdentifiers);
    const priorSource = (cx: PositionedCx): PositionedCx =>
      cx.authority.namespace || cx.authority.oid || domains.defaultAuthorityFor(source.application, source.facility)
        ? cx
        : { ...cx, authority: request.ids[0].authority };
    await store.write(async (tx) => {
      // Node authorization first: a refused feed registers no domain and changes nothing.
      await authorizeIti8(tx, identity, deps.facilities, req, request, source);
      const feed = await locatedAt({ segment: 'PID', field: 3 }, () => toPatientFeed(tx, domains, request.ids, request.demographics, source));
      let outcome;
      if (request.event === 'A40') {
        const priors = await locatedAt({ segment: 'MRG', field: 1 }, () =>
          Promise.all(request.priors.map(async (p) => ({ ...(await resolveIdentifier(tx, domains, priorSource(p), source)), index: p.index }))),
        );
        outcome = await locatedAt({ segment: 'PID', field: 3 }, () => identity.mergeFeed(tx, { ...feed, priors }));
      } else {
        outcome = await locatedAt({ segment: 'PID', field: 3 }, () => identity.registerFeed(tx, feed));
      }
      if (outcome.crossReferenceChanged) await notifier.enqueue(tx, outcome.personId);
      for (const m of iti8AuditMessages(audit, {
        req,
        event: request.event,
        outcome: 0,
        patients: request.ids.map(receivedCx),
        priors: request.priors.map(receivedCx),
      })) {
        await audit.recordIn(tx, m);
      }
    });
    return { type: ['ACK', request.event, 'ACK'] as [string, string, string], ack: 'AA' as const };
  }

  return {
    name: 'ITI-8',
    accepts: [{ code: 'ADT', events: ['A01', 'A04', 'A05', 'A08', 'A40'] }],
    roles: FEED_ROLES,
    locate: locateIti8,
    async handle(req) {
      try {
        return await handle(req);
      } catch (e) {
        // Audited by the endpoint, with the Security Alert (auditRefusal below).
        if (e instanceof AccessDenied) throw e;
        const err = e instanceof Hl7ProcessingError ? e : undefined;
        for (const m of iti8AuditMessages(audit, {
          req,
          event: req.message.header.type.event,
          outcome: err ? 8 : 12,
          outcomeDescription: err ? err.message : 'Application internal error',
          // A refused feed of thousands of identifiers is not audited thousands of times over.
          patients: req.message.first('PID')?.reps(3).slice(0, deps.maxIdentifiers).map((r) => r.raw) ?? [],
        })) {
          await audit.record(m);
        }
        throw e;
      }
    },
    auditRefusal(req, err) {
      // The patient's other identifiers are named; the individual-number one never is.
      const patients = (req.message.first('PID')?.reps(3).slice(0, deps.maxIdentifiers) ?? [])
        .filter((r) => r.get(1) && !cxInIndividualNumberDomain(r, domains, req.message.delimiters))
        .map((r) => r.raw);
      return iti8AuditMessages(audit, { req, event: req.message.header.type.event, outcome: 8, outcomeDescription: err.message, patients })[0];
    },
  };
}
