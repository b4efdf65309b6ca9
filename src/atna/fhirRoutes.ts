/**
 * The FHIR routes of the Audit Record Repository, under the FHIR base (/fhir):
 *   GET  /AuditEvent?...   ITI-81 Retrieve ATNA Audit Event (search)
 *   GET  /AuditEvent/{id}  ITI-81 read
 *   POST /AuditEvent       ITI-20 Send Audit Resource
 *   POST /                 ITI-20 Send Audit Bundle (batch or transaction of AuditEvents)
 * Every error is an OperationOutcome. Every ITI-81 request is itself audited (Query, ITI-81). ITI-81
 * is for nodes with the role `auditor` only: any other requester gets 403 with an OperationOutcome
 * (issue code `forbidden`), audited as a Security Alert and as a failed ITI-81 query. ITI-20 is open
 * to every node; what it sends is kept with the node it came from (iti20/sender.ts).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { AuditService } from '../audit/auditService.ts';
import { ihe } from '../audit/codes.ts';
import { restQueryAudit } from '../audit/restQueryAudit.ts';
import { authorizationFailure } from '../audit/securityAlert.ts';
import type { AccessDecisions } from '../consent/decision.ts';
import { httpContext } from '../kernel/httpContext.ts';
import { MAX_FHIR_JSON_DEPTH, nestsDeeperThan } from '../fhir/jsonDepth.ts';
import { mayCall, settleTransaction } from '../fhir/base.ts';
import { bodyWithin } from '../fhir/body.ts';
import { FhirError, sendError, sendResource } from '../fhir/outcome.ts';
import { fhirBaseUrl as baseUrl } from '../fhir/request.ts';
import { isLenient } from '../fhir/searchHandling.ts';
import { UnreadableFhirXml, fhirXmlBody } from '../fhir/body.ts';
import { FHIR_XML_TYPES } from '../fhir/format.ts';
import type { AtnaConfig } from '../kernel/config.ts';
import type { Logger } from '../kernel/logger.ts';
import type { AuditPatientKey } from '../store/types.ts';
import type { FhirAuditFeed } from './iti20/fhirFeed.ts';
import type { SourceQuota } from './iti20/sourceQuota.ts';
import type { Peer } from './iti20/receivedAudit.ts';
import { senderOf } from './iti20/sender.ts';
import type { AuditEventRetriever } from './iti81/retrieve.ts';
import { parseIti81 } from './iti81/searchParameters.ts';
import type { IndividualNumberDomain } from '../identity/individualNumber/domain.ts';

export const ITI81 = ihe('ITI-81', 'Retrieve ATNA Audit Event');

const JSON_TYPES = ['application/fhir+json', 'application/json', 'application/json+fhir'];
/** The largest body of ITI-20 (an AuditEvent, or a Bundle of them). */
const MAX_BODY = 10 * 1024 * 1024;

/** The error type this router gives a body nested too deep (body-parser keeps a verify error's type). */
const TOO_DEEP = 'entity.too.deep';

/** The sender of an ITI-20 request: its address, certificate and node (from the request context). */
function peerOf(req: Request): Peer {
  const s = req.socket as Request['socket'] & { getPeerCertificate?: () => { subject?: { CN?: string } } };
  const cn = s.getPeerCertificate?.()?.subject?.CN;
  return { address: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''), port: req.socket.remotePort ?? 0, certificateSubject: cn ? String(cn) : undefined, sender: senderOf(httpContext(req)) };
}

const cxOfKey = (k: AuditPatientKey) => (k.oid || k.namespace ? `${k.value}^^^${k.namespace ?? ''}${k.oid ? `&${k.oid}&ISO` : ''}` : k.value);

export function atnaFhirRouter(deps: {
  retriever: AuditEventRetriever;
  feed: FhirAuditFeed;
  audit: AuditService;
  /** Who may read the audit trail: the one decision service (consent/decision.ts). */
  decisions: Pick<AccessDecisions, 'auditTrailRefusal'>;
  config: AtnaConfig;
  log: Logger;
  /** Per-source quotas of the audit intake (shared with syslog): a request over quota is answered 429. */
  intakeQuota?: SourceQuota;
  /** Searches naming an identifier of this domain are refused (searchParameters.ts). */
  individualNumber?: IndividualNumberDomain;
  /**
   * MHD's ITI-65 Provide Document Bundle (issue 18), which shares POST / with ITI-20. Before the body
   * is read, a requester ITI-65 admits (node role, and IUA scope through the base) may send up to
   * maxBytes, any other ITI-20's 10 MB; the parsed body goes to ITI-65 when it `claims` it.
   */
  provideBundle?: { transaction: string; maxBytes: number; admits(req: Request): boolean; claims(body: unknown): boolean; handle(req: Request, res: Response): Promise<void> };
}): Router {
  const { retriever, feed, audit, decisions, config, log } = deps;
  /** ITI-20 over quota: 429 Too Many Requests (RFC 6585 4), issue code throttled; nothing stored. */
  const overQuota = (req: Request): FhirError | undefined => {
    const peer = peerOf(req);
    if (!deps.intakeQuota || deps.intakeQuota.admit(peer.address, raw(req).length)) return undefined;
    return new FhirError(429, 'throttled', `this source sent more audit messages than its quota (atna.intakeQuota) allows in ${config.intakeQuota.windowMs} ms: not stored`);
  };
  const router = express.Router();

  const auditQuery = async (req: Request, outcome: 0 | 4 | 8, patients: string[], description?: string) => {
    await audit.record(
      restQueryAudit(audit, {
        eventType: ITI81,
        outcome,
        outcomeDescription: description,
        context: httpContext(req),
        serverUrl: `${baseUrl(req)}${req.path}`,
        query: req.originalUrl,
        patients,
      }),
    );
  };

  // ITI-81 only for auditors: refused before anything is read.
  const auditorOnly = async (req: Request, res: Response, next: NextFunction) => {
    const ctx = httpContext(req);
    const reason = decisions.auditTrailRefusal(ctx);
    if (reason === undefined) return next();
    try {
      await audit.record(authorizationFailure(audit, ctx, { transaction: 'ITI-81', endpoint: `${baseUrl(req)}${req.path}`, reason }));
      await auditQuery(req, 4, [], `refused: ${reason}`);
    } catch (e) {
      log.error('iti81.audit-failed', { error: e instanceof Error ? e.message : String(e) });
    }
    sendError(res, new FhirError(403, 'forbidden', `ITI-81 is for audit record consumers with the role auditor: ${reason}`));
  };

  router.get('/AuditEvent', auditorOnly, async (req, res) => {
    const params = new URL(req.originalUrl, 'http://x').searchParams;
    let patients: string[] = [];
    try {
      const q = parseIti81(params, {
        pageSize: config.pageSize,
        maxPageSize: config.maxPageSize,
        lenient: isLenient(req.get('prefer')),
        individualNumber: deps.individualNumber,
      });
      patients = q.patients.map(cxOfKey);
      const bundle = await retriever.search(q, { base: baseUrl(req), self: `${baseUrl(req)}${req.url}`, params });
      await auditQuery(req, 0, patients);
      sendResource(res, 200, bundle);
    } catch (e) {
      await auditQuery(req, e instanceof FhirError && e.status < 500 ? 4 : 8, patients, e instanceof Error ? e.message : String(e)).catch(() => undefined);
      if (!(e instanceof FhirError)) log.error('iti81.failed', { error: e instanceof Error ? e.message : String(e) });
      sendError(res, e);
    }
  });

  router.get('/AuditEvent/:id', auditorOnly, async (req, res) => {
    try {
      const event = await retriever.read(String(req.params.id));
      const patients = (event.entity ?? []).filter((e) => e.type?.code === '1' && e.role?.code === '1').map((e) => e.what?.display ?? e.what?.identifier?.value ?? '');
      await auditQuery(req, 0, patients.filter(Boolean));
      sendResource(res, 200, event);
    } catch (e) {
      await auditQuery(req, 4, [], e instanceof Error ? e.message : String(e)).catch(() => undefined);
      sendError(res, e);
    }
  });

  // ITI-20 in FHIR form. The raw body is kept, so that a message that fails can be stored as received.
  const jsonUpTo = (limit: number) => express.json({
    type: JSON_TYPES,
    limit,
    strict: false,
    verify: (req, _res, buf) => {
      // Kept as read (body-parser decodes it to a string without changing it): no copy of the body.
      (req as Request & { rawBody?: Buffer }).rawBody = buf;
      // Refused before parsing, and kept raw below like any other body that cannot be read.
      if (nestsDeeperThan(buf, MAX_FHIR_JSON_DEPTH)) throw Object.assign(new Error(`JSON nested deeper than ${MAX_FHIR_JSON_DEPTH} levels`), { type: TOO_DEEP });
    },
  });
  /** A FHIR XML body read into its resource (fhir/body.ts), else the JSON reader. */
  const xmlOr = (limit: number, jsonReader: (req: Request, res: Response, next: NextFunction) => void) => {
    const xml = fhirXmlBody(limit);
    return (req: Request, res: Response, next: NextFunction) => xml(req, res, (err?: unknown) => (err ? next(err) : jsonReader(req, res, next)));
  };
  const json = jsonUpTo(MAX_BODY);
  const provide = deps.provideBundle;
  const provideJson = provide ? jsonUpTo(Math.max(MAX_BODY, provide.maxBytes)) : json;
  /**
   * POST / is ITI-20's or ITI-65's, which only the body tells. Read up to ITI-65's limit for a
   * requester ITI-65 admits (node role, IUA scope), else up to ITI-20's, held to it while it is read
   * (fhir/body.ts).
   */
  const baseJson = (req: Request, res: Response, next: NextFunction) => {
    const mayProvide = !!provide && provide.admits(req) && mayCall(res, provide.transaction);
    const limit = mayProvide ? Math.max(MAX_BODY, provide.maxBytes) : MAX_BODY;
    bodyWithin(limit, xmlOr(limit, mayProvide ? provideJson : json))(req, res, next);
  };
  const requireJson = (req: Request, _res: Response, next: NextFunction) => {
    if (!req.is(JSON_TYPES) && !req.is(FHIR_XML_TYPES)) return next(new FhirError(415, 'not-supported', 'only FHIR JSON (application/fhir+json) and FHIR XML (application/fhir+xml) are accepted'));
    next();
  };
  const raw = (req: Request) => (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
  const keepRaw = (req: Request, why: string) =>
    feed.keepUnreadable(raw(req), peerOf(req), why).catch((x: unknown) => log.error('iti20.keep-failed', { error: x instanceof Error ? x.message : String(x) }));
  /** A failure that is no FhirError is this server's: logged, and the body kept raw with it. */
  const failed = async (req: Request, res: Response, e: unknown) => {
    if (!(e instanceof FhirError)) {
      log.error('iti20.fhir-failed', { path: req.path, error: e instanceof Error ? e.message : String(e) });
      await keepRaw(req, 'application internal error');
    }
    sendError(res, e);
  };

  router.post('/AuditEvent', requireJson, bodyWithin(MAX_BODY, xmlOr(MAX_BODY, json)), async (req, res) => {
    try {
      const limited = overQuota(req);
      if (limited) throw limited;
      const created = await feed.create(req.body, raw(req), peerOf(req));
      const location = `${baseUrl(req)}/AuditEvent/${created.id}`;
      res.setHeader('Location', `${location}/_history/1`);
      res.setHeader('ETag', 'W/"1"');
      sendResource(res, 201, { ...created.resource, id: String(created.id), meta: { versionId: '1', lastUpdated: new Date().toISOString() } });
    } catch (e) {
      await failed(req, res, e);
    }
  });

  router.post('/', requireJson, baseJson, async (req, res) => {
    if (provide?.claims(req.body)) {
      try {
        await settleTransaction(res, provide.transaction);
      } catch (e) {
        return sendError(res, e);
      }
      return provide.handle(req, res);
    }
    try {
      await settleTransaction(res, 'ITI-20');
      if (raw(req).length > MAX_BODY) throw new FhirError(413, 'too-costly', 'the body is larger than 10 MB');
      const limited = overQuota(req);
      if (limited) throw limited;
      sendResource(res, 200, await feed.bundle(req.body, raw(req), peerOf(req), baseUrl(req)));
    } catch (e) {
      await failed(req, res, e);
    }
  });

  // A body that is not JSON, or too large: kept raw with the error, answered with an OperationOutcome.
  router.use(async (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    // Already answered (a body refused while it was read, fhir/body.ts): the reader's later error has no one to tell.
    if (res.headersSent) return;
    if (err instanceof UnreadableFhirXml) {
      // Kept raw like unreadable JSON, as ITI-20's when the requester may send ITI-20.
      try {
        await settleTransaction(res, 'ITI-20');
      } catch (x) {
        return sendError(res, x);
      }
      await keepRaw(req, err.message);
    }
    if (err instanceof FhirError) return sendError(res, err);
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.parse.failed' || e.type === TOO_DEEP) {
      const why = e.type === TOO_DEEP ? String(e.message) : `not JSON: ${e.message}`;
      log.warn('iti20.fhir-unreadable', { path: req.path, peer: req.socket.remoteAddress, error: why });
      // A body nothing can read is ITI-20's to keep (POST / included), when the requester may send ITI-20.
      try {
        await settleTransaction(res, 'ITI-20');
      } catch (x) {
        return sendError(res, x);
      }
      await keepRaw(req, why);
      return sendError(res, new FhirError(400, 'structure', e.type === TOO_DEEP ? `the body is ${why}` : `the body is not JSON: ${e.message}`));
    }
    if (e.type === 'entity.too.large') return sendError(res, new FhirError(413, 'too-costly', 'the body is larger than 10 MB'));
    if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') return sendError(res, new FhirError(415, 'not-supported', String(e.message)));
    log.error('fhir.failed', { path: req.path, error: e.message });
    sendError(res, err);
  });

  return router;
}
