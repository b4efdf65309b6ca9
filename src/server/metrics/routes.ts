/**
 * GET /metrics, the Prometheus text exposition format, on the HTTP listener. Only an operator's node
 * may read it: one with the `admin` or `auditor` role (the default local identity on loopback has
 * both). The metrics name no patient, but they show which transactions each part of the network runs
 * and how much, which is the operator's business and the auditor's, not a clinic's. Others get 403,
 * audited as a Security Alert as every refusal is.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Registry } from 'prom-client';
import type { AuditService } from '../../audit/auditService.ts';
import { authorizationFailure } from '../../audit/securityAlert.ts';
import { httpContext } from '../../kernel/httpContext.ts';
import type { Logger } from '../../kernel/logger.ts';
import { hasRole } from '../../kernel/requestContext.ts';

export function metricsRouter(deps: { registry: Registry; audit: AuditService; log: Logger }): Router {
  const router = express.Router();
  router.get('/', async (req: Request, res: Response) => {
    const ctx = httpContext(req);
    if (!hasRole(ctx, 'admin') && !hasRole(ctx, 'auditor')) {
      const reason = ctx.node ? `node ${ctx.node.name} has neither the admin nor the auditor role` : 'the peer is not a configured node';
      try {
        await deps.audit.record(authorizationFailure(deps.audit, ctx, { transaction: 'metrics', endpoint: req.originalUrl, reason }));
      } catch (e) {
        deps.log.error('metrics.audit-failed', { error: e instanceof Error ? e.message : String(e) });
      }
      res.status(403).type('text/plain').send(`forbidden: ${reason}\n`);
      return;
    }
    try {
      const text = await deps.registry.metrics();
      res.status(200).setHeader('Content-Type', deps.registry.contentType).send(text);
    } catch (e) {
      deps.log.error('metrics.failed', { error: e instanceof Error ? e.message : String(e) });
      res.status(500).type('text/plain').send('metrics unavailable\n');
    }
  });
  return router;
}
