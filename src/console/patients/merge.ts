/**
 * Merge, for operators: POST /console/patients/{regionalId}/merge (domain, survivor, prior, reason).
 * Another local ID of the same facility is merged into one of this patient's, as an ITI-8 A40 feed
 * does (ITI TF-2 3.8.4.1.3: the prior ID stops existing on its own; PIX Consumers are notified by
 * ITI-10), through the identity service's merge; the reason is recorded in the audit message with the
 * operator's name. The prior ID must be known (the console never creates an alias record).
 */
import express, { type Request, type Response, type Router } from 'express';
import type { AuditService } from '../../audit/auditService.ts';
import { IdentityError } from '../../identity/errors.ts';
import type { IdentityService } from '../../identity/service.ts';
import { looksLikeIndividualNumber } from '../../identity/individualNumber/freeText.ts';
import { cxString } from '../../pix/codec/cx.ts';
import type { Store, WriteTx } from '../../store/types.ts';
import { consoleAudit } from '../audited.ts';
import { html } from '../html.ts';
import { notice, page } from '../layout.ts';
import { ctxOf, sendPage, text, viewOf } from '../web.ts';
import { shownIdentifiers } from './routes.ts';

export interface MergeDeps {
  store: Store;
  identity: IdentityService;
  audit: AuditService;
  notifier: { enqueue(tx: WriteTx, personId: number): Promise<void> };
  kick(): void;
}

export function mergeRouter(deps: MergeDeps): Router {
  const router = express.Router();
  router.post('/:regionalId/merge', async (req: Request, res: Response) => {
    const v = viewOf(req, res);
    const ctx = ctxOf(req, res);
    const rid = String(req.params.regionalId);
    const [namespace = '', survivorId = ''] = text(req.body?.into, 200).split('|');
    const prior = text(req.body?.prior, 64);
    const reason = text(req.body?.reason, 500);
    const back = html`<p><a href="/console/patients/${encodeURIComponent(rid)}">${v.t.patient}: ${rid}</a></p>`;
    const refuse = (message: string, status: number) => sendPage(res, page(v, v.t.merge, back, { status: notice(message, 'error') }), status);
    if (!prior || !reason || !survivorId || looksLikeIndividualNumber(prior)) return refuse(v.t.mergeNeeds, 400);
    try {
      await deps.store.write(async (tx) => {
        const domain = await deps.identity.domains.find(tx, { namespace, oid: '' });
        const survivor = domain && (await tx.identity.record(domain.key, survivorId));
        const person = survivor && (await tx.identity.person(survivor.personId));
        if (!domain || !survivor || survivor.mergedInto !== null || person?.regionalId !== rid) throw new IdentityError('unknown-identifier', 'the surviving ID is not this patient\'s');
        const before = await tx.identity.record(domain.key, prior);
        if (!before || before.mergedInto !== null || before.id === survivor.id) throw new IdentityError('unknown-identifier', `no active patient ${prior} in ${namespace}`);
        const o = await deps.identity.mergeFeed(tx, { identifiers: [{ domain, id: survivorId }], demographics: survivor.demographics, priors: [{ domain, id: prior }] });
        await deps.notifier.enqueue(tx, o.personId);
        const ids = shownIdentifiers(await deps.identity.identifiersOf(tx, (await tx.identity.person(o.personId))!)).map(cxString);
        await deps.audit.recordIn(tx, consoleAudit(deps.audit, ctx, { action: 'U', what: 'merge', patients: [...ids, cxString({ id: prior, domain })], description: `${prior} merged into ${survivorId} (${namespace}): ${reason}` }));
      });
    } catch (e) {
      if (e instanceof IdentityError) return refuse(e.message, 409);
      throw e;
    }
    deps.kick();
    sendPage(res, page(v, v.t.merge, back, { status: notice(v.t.merged) }));
  });
  return router;
}
