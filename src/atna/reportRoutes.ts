/**
 * The patient access report over HTTP, under /atna:
 *   GET /patients/{id}/access-report       JSON
 *   GET /patients/{id}/access-report.html  the printable page
 * {id} names the patient as patientReference.ts says (URL-encoded). Who asked is the TLS client
 * certificate's subject when there is one, else the client address; the reading is audited.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from '../kernel/logger.ts';
import type { AccessReporter } from './report/accessReport.ts';
import { accessReportHtml } from './report/html.ts';
import { UnknownPatient } from './report/patientReference.ts';

export function atnaReportRouter(deps: { reporter: AccessReporter; log: Logger }): Router {
  const router = express.Router();
  const handle = (html: boolean) => async (req: Request, res: Response) => {
    const socket = req.socket as Request['socket'] & { getPeerCertificate?: () => { subject?: { CN?: string } } };
    const address = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const cn = socket.getPeerCertificate?.()?.subject?.CN;
    try {
      const report = await deps.reporter.report(String(req.params.id), {
        userId: cn ? String(cn) : address || 'unknown',
        address,
        via: `${req.protocol}://${req.get('host')}${req.originalUrl}`,
      });
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
  router.get('/patients/:id/access-report.html', handle(true));
  router.get('/patients/:id/access-report', handle(false));
  return router;
}
