/**
 * The consent admin API, JSON over HTTP under /admin, for nodes with the `admin` role only (others
 * get 403 and a Security Alert):
 *   GET  /patients/{patient}/consent           the recorded consent and whether the patient is shared
 *   PUT  /patients/{patient}/consent           set the whole consent
 *   POST /patients/{patient}/consent/withhold  withhold more (codes, facilities, documents)
 *   POST /patients/{patient}/consent/revoke    the patient withdraws consent
 *   GET  /patients/{patient}/consent/history   every change: who, when, source, what changed
 *   POST /disasters                            declare a disaster (area, window, description)
 *   GET  /disasters                            list them
 *   POST /disasters/{id}/end                   end one
 * {patient} names the patient as the access report does (identity/patientReference.ts), URL-encoded.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { AuditService } from '../audit/auditService.ts';
import { authorizationFailure } from '../audit/securityAlert.ts';
import { UnknownPatient } from '../identity/patientReference.ts';
import { httpContext } from '../kernel/httpContext.ts';
import type { Logger } from '../kernel/logger.ts';
import { hasRole } from '../kernel/requestContext.ts';
import type { ConsentAdministration, Requester } from './administration.ts';
import { ConsentInputError } from './input.ts';
import { ConsentChangeError } from './service.ts';

const STATUS: Record<ConsentChangeError['reason'], number> = { 'no-consent': 409, 'already-revoked': 409, 'unknown-disaster': 404, invalid: 400 };

export function consentAdminRouter(deps: { admin: ConsentAdministration; audit: AuditService; log: Logger }): Router {
  const router = express.Router();

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const ctx = httpContext(req);
    if (hasRole(ctx, 'admin')) return next();
    const reason = ctx.node ? `node ${ctx.node.name} lacks the admin role` : 'the peer is not a configured node';
    try {
      await deps.audit.record(authorizationFailure(deps.audit, ctx, { transaction: `admin API ${req.method} ${req.path}`, endpoint: req.originalUrl, reason }));
    } catch (e) {
      deps.log.error('admin.audit-failed', { error: e instanceof Error ? e.message : String(e) });
    }
    res.status(403).json({ error: `forbidden: ${reason}` });
  });
  router.use(express.json({ limit: '64kb' }));

  const by = (req: Request): Requester => ({ ctx: httpContext(req), source: 'admin' });
  const patient = (req: Request) => String(req.params.patient);
  const handle = (status: number, fn: (req: Request) => Promise<unknown>) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      res.status(status).json(await fn(req));
    } catch (e) {
      next(e);
    }
  };

  router.get('/patients/:patient/consent', handle(200, (req) => deps.admin.show(patient(req))));
  router.put('/patients/:patient/consent', handle(200, (req) => deps.admin.set(patient(req), req.body, by(req))));
  router.post('/patients/:patient/consent/withhold', handle(200, (req) => deps.admin.withhold(patient(req), req.body, by(req))));
  router.post('/patients/:patient/consent/revoke', handle(200, (req) => deps.admin.revoke(patient(req), by(req))));
  router.get('/patients/:patient/consent/history', handle(200, (req) => deps.admin.history(patient(req))));
  router.get('/disasters', handle(200, () => deps.admin.disasters()));
  router.post('/disasters', handle(201, (req) => deps.admin.declareDisaster(req.body, by(req))));
  router.post(
    '/disasters/:id/end',
    handle(200, (req) => {
      const id = Number(req.params.id);
      if (!Number.isSafeInteger(id) || id <= 0) throw new ConsentInputError(`disaster id must be a positive integer, not ${req.params.id}`);
      return deps.admin.endDisaster(id, by(req));
    }),
  );

  // The one edge where this API's typed errors become HTTP answers; nothing else escapes but a 500 without detail.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof ConsentInputError) return res.status(400).json({ error: err.message });
    if (err instanceof UnknownPatient) return res.status(404).json({ error: err.message });
    if (err instanceof ConsentChangeError) return res.status(STATUS[err.reason]).json({ error: err.message });
    const e = err as { type?: string; status?: number };
    if (e.type === 'entity.parse.failed') return res.status(400).json({ error: 'the body is not valid JSON' });
    if (e.type === 'entity.too.large') return res.status(413).json({ error: 'the body is too large' });
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return res.status(e.status).json({ error: 'bad request' });
    next(err);
  });
  return router;
}
