/**
 * A patient's consent in the console (viewers read it, operators change it), through the service
 * `hie consent` and the admin API use (consent/administration.ts), which records and audits each
 * change naming the console user:
 *   GET  /console/patients/{regionalId}/consent
 *   POST /console/patients/{regionalId}/consent/withhold       kind=classCodes|facilities, value
 *   POST /console/patients/{regionalId}/consent/release        share a withheld item again
 *   POST /console/patients/{regionalId}/consent/participation  opted-in | opted-out
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { AuditService } from '../../audit/auditService.ts';
import type { ConsentAdministration, Requester } from '../../consent/administration.ts';
import { ConsentInputError } from '../../consent/input.ts';
import { ConsentChangeError } from '../../consent/service.ts';
import { readScoped, type ScopedReadDeps } from '../../consent/scopedReader.ts';
import { UnknownPatient } from '../../identity/patientReference.ts';
import type { Config } from '../../kernel/config.ts';
import { consoleAudit } from '../audited.ts';
import { atLeast } from '../auth/context.ts';
import { html, type Html } from '../html.ts';
import { notice, page } from '../layout.ts';
import { documentsOf } from '../documents/routes.ts';
import { personByRegionalId } from '../patients/routes.ts';
import { ctxOf, sendPage, text, viewOf } from '../web.ts';
import { consentView, termsBody, type WithheldChoice } from './view.ts';

export interface ConsentDeps extends ScopedReadDeps {
  admin: ConsentAdministration;
  audit: AuditService;
  config: Pick<Config, 'identity'>;
}

const KINDS: readonly WithheldChoice[] = ['classCodes', 'facilities', 'typeCodes', 'documents'];

export function consentRouter(deps: ConsentDeps): Router {
  const router = express.Router();

  const show = async (req: Request, res: Response, status?: Html, code = 200) => {
    const v = viewOf(req, res);
    const ctx = ctxOf(req, res);
    const rid = String(req.params.regionalId);
    // The patient must be one this user may find; the classes offered are those of the patient's documents.
    const classes = await readScoped(deps, ctx, 'console consent', async (reader) => {
      const person = await personByRegionalId(reader, rid);
      if (!person) return undefined;
      const seen = new Map<string, { code: string; scheme: string; name: string }>();
      for (const d of await documentsOf(reader, person.id, deps.config)) if (d.classCode.code) seen.set(`${d.classCode.code}^^${d.classCode.scheme}`, d.classCode);
      return [...seen.values()];
    });
    if (!classes) return sendPage(res, page(v, v.t.notFound, html``, { status: notice(v.t.notFound, 'error') }), 404);
    const [shown, history] = await Promise.all([deps.admin.show(rid), deps.admin.history(rid)]);
    await deps.audit.record(consoleAudit(deps.audit, ctx, { action: 'R', what: 'consent-view', patients: shown.patient.identifiers }));
    const action = atLeast(v.user!.role, 'operator') ? `/console/patients/${encodeURIComponent(rid)}/consent` : undefined;
    const body = html`<p><a href="/console/patients/${encodeURIComponent(rid)}">${v.t.patient}: ${rid}</a></p>${consentView(v, deps.config, shown, history.history, { action, classes, releasable: KINDS })}`;
    sendPage(res, page(v, v.t.consent, body, { status }), code);
  };
  router.get('/:regionalId/consent', (req, res) => show(req, res));

  const change = (fn: (rid: string, req: Request, by: Requester) => Promise<unknown>) => async (req: Request, res: Response, next: NextFunction) => {
    const v = viewOf(req, res);
    if (!atLeast(v.user!.role, 'operator')) return sendPage(res, page(v, v.t.forbidden, html``, { status: notice(v.t.forbidden, 'error') }), 403);
    const rid = String(req.params.regionalId);
    const by: Requester = { ctx: ctxOf(req, res), source: 'admin', operator: `${v.user!.name} (console)` };
    try {
      await fn(rid, req, by);
      return show(req, res, notice(v.t.changed));
    } catch (e) {
      if (e instanceof ConsentInputError || e instanceof ConsentChangeError) return show(req, res, notice(e.message, 'error'), 400);
      if (e instanceof UnknownPatient) return show(req, res, notice(v.t.notFound, 'error'), 404);
      next(e);
    }
  };
  router.post(
    '/:regionalId/consent/withhold',
    change((rid, req, by) => {
      const kind = text(req.body?.kind) as WithheldChoice;
      if (!KINDS.includes(kind)) throw new ConsentInputError('kind must be classCodes, typeCodes, facilities or documents');
      return deps.admin.withhold(rid, { [kind]: [text(req.body?.value, 300)] }, by);
    }),
  );
  router.post(
    '/:regionalId/consent/release',
    change(async (rid, req, by) => {
      const kind = text(req.body?.kind) as WithheldChoice;
      if (!KINDS.includes(kind)) throw new ConsentInputError('kind must be classCodes, typeCodes, facilities or documents');
      const value = text(req.body?.value, 300);
      return deps.admin.update(rid, (current) => termsBody(current, { release: { kind, value } }), by);
    }),
  );
  router.post(
    '/:regionalId/consent/participation',
    change(async (rid, req, by) => {
      const participation = text(req.body?.participation);
      if (participation !== 'opted-in' && participation !== 'opted-out') throw new ConsentInputError('participation must be opted-in or opted-out');
      return deps.admin.update(rid, (current) => termsBody(current, { participation }), by);
    }),
  );
  return router;
}
