/**
 * Unmerge, for operators: POST /console/patients/{regionalId}/unmerge (domain, prior, reason). Undoes
 * a merge that took a local ID into one of this patient's (ITI-8 A40, or the console's merge) through
 * the identity service's unmerge, the one a PIX feed would use: exactly what the merge changed, in one
 * write with its audit message (Patient Record, action Update, the reason and the operator named) and
 * the ITI-10 notifications of both patients, or nothing.
 */
import express, { type Request, type Response, type Router } from 'express';
import { IdentityError } from '../../identity/errors.ts';
import { looksLikeIndividualNumber } from '../../identity/individualNumber/freeText.ts';
import { cxString } from '../../pix/codec/cx.ts';
import { consoleAudit } from '../audited.ts';
import { html } from '../html.ts';
import { notice, page } from '../layout.ts';
import { ctxOf, sendPage, text, viewOf } from '../web.ts';
import type { MergeDeps } from './merge.ts';
import { shownIdentifiers } from './routes.ts';

export function unmergeRouter(deps: MergeDeps): Router {
  const router = express.Router();
  router.post('/:regionalId/unmerge', async (req: Request, res: Response) => {
    const v = viewOf(req, res);
    const ctx = ctxOf(req, res);
    const rid = String(req.params.regionalId);
    const namespace = text(req.body?.domain, 200);
    const prior = text(req.body?.prior, 64);
    const reason = text(req.body?.reason, 500);
    const back = html`<p><a href="/console/patients/${encodeURIComponent(rid)}">${v.t.patient}: ${rid}</a></p>`;
    const refuse = (message: string, status: number) => sendPage(res, page(v, v.t.unmerge, back, { status: notice(message, 'error') }), status);
    if (!namespace || !prior || !reason || looksLikeIndividualNumber(prior)) return refuse(v.t.unmergeNeeds, 400);
    let priorRid = '';
    try {
      priorRid = await deps.store.write(async (tx) => {
        const domain = await deps.identity.domains.find(tx, { namespace, oid: '' });
        const rec = domain && domain.kind === 'local' ? await tx.identity.record(domain.key, prior) : undefined;
        // Only an ID merged into one of this patient's records is undone from this patient's page.
        const into = rec?.mergedInto ? await tx.identity.recordById(rec.mergedInto) : undefined;
        const person = into && (await deps.identity.followPerson(tx, (await tx.identity.person(into.personId))!));
        if (!domain || !rec || person?.regionalId !== rid) throw new IdentityError('not-merged', `no ID ${prior} of ${namespace} merged into this patient`);
        const o = await deps.identity.unmerge(tx, { domain, id: prior }, reason);
        const ids: string[] = [];
        const rids: string[] = [];
        for (const personId of [o.survivorPersonId, o.priorPersonId]) {
          await deps.notifier.enqueue(tx, personId);
          const p = (await tx.identity.person(personId))!;
          rids.push(p.regionalId);
          for (const i of shownIdentifiers(await deps.identity.identifiersOf(tx, p))) ids.push(cxString(i));
        }
        await deps.audit.recordIn(
          tx,
          consoleAudit(deps.audit, ctx, { action: 'U', what: 'unmerge', patients: [...new Set(ids)], description: `${prior} (${namespace}) unmerged from ${rid}: ${reason}` }),
        );
        return rids[1]!;
      });
    } catch (e) {
      if (e instanceof IdentityError) return refuse(e.message, 409);
      throw e;
    }
    deps.kick();
    const separate = priorRid !== rid ? html`<p><a href="/console/patients/${encodeURIComponent(priorRid)}">${v.t.patient}: ${priorRid}</a></p>` : html``;
    sendPage(res, page(v, v.t.unmerge, html`${back}${separate}`, { status: notice(v.t.unmerged) }));
  });
  return router;
}
