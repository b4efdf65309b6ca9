/**
 * The patient access report over HTTP, under /atna:
 *   GET /patients/{id}/access-report       JSON
 *   GET /patients/{id}/access-report.html  the printable page
 *   GET /fonts/noto-sans-jp/...              the page's Japanese font (fontRoutes.ts), open to all
 * {id} names the patient as patientReference.ts says (URL-encoded). Only nodes with the role
 * `auditor` may read them: anyone else gets 403, audited (AccessReporter.refusal). Who asked is the
 * request context (its node, by certificate); the reading is audited.
 */
import express, { type Request, type Response, type Router } from 'express';
import { httpContext } from '../kernel/httpContext.ts';
import type { Logger } from '../kernel/logger.ts';
import type { AccessReporter } from './report/accessReport.ts';
import { accessReportHtml } from './report/html.ts';
import { fontRouter } from './report/fontRoutes.ts';
import { UnknownPatient } from '../identity/patientReference.ts';

export function atnaReportRouter(deps: { reporter: AccessReporter; log: Logger }): Router {
  const router = express.Router();
  const handle = (html: boolean) => async (req: Request, res: Response) => {
    const context = httpContext(req);
    const via = `${req.protocol}://${req.get('host')}${req.originalUrl}`;
    try {
      const refused = await deps.reporter.refusal(context, via);
      if (refused !== undefined) {
        const message = `access reports are for nodes with the role auditor: ${refused}`;
        if (html) res.status(403).type('text/html; charset=utf-8').send(`<!doctype html><meta charset="utf-8"><title>403</title><p>${message.replace(/[<&]/g, '')}</p>`);
        else res.status(403).json({ error: message });
        return;
      }
      const report = await deps.reporter.report(String(req.params.id), { context, via });
      if (html) res.type('text/html; charset=utf-8').send(accessReportHtml(report));
      else res.json(report);
    } catch (e) {
      const status = e instanceof UnknownPatient ? 404 : 500;
      const message = e instanceof UnknownPatient ? e.message : 'internal error';
      if (status === 500) deps.log.error('atna.report-failed', { error: e instanceof Error ? e.message : String(e) });
      if (html) res.status(status).type('text/html; charset=utf-8').send(`<!doctype html><meta charset="utf-8"><title>${status}</title><p>${message.replace(/[<&]/g, '')}</p>`);
      else res.status(status).json({ error: message });
    }
  };
  router.use('/fonts', fontRouter());
  router.get('/patients/:id/access-report.html', handle(true));
  router.get('/patients/:id/access-report', handle(false));
  return router;
}
