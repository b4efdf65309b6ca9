/**
 * The FHIR base (/fhir): every face's router behind one gate, and what no face answers answered
 * here, always as an OperationOutcome (FHIR R4 3.1.0.4): the answer's format negotiated first, for
 * every answer (format.ts: FHIR JSON or XML, 406 for any other); GET /metadata the
 * CapabilityStatement made from the faces; a body that is not FHIR JSON or XML 415; a path no face
 * serves 404; a method a served path does not take 405 with Allow; errors that escape a face in the
 * face's own shape.
 *
 * Adding a face is one entry in `faces`: its router and the capability it declares.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { CapabilityStatementRestSecurity } from 'fhir/r4.js';
import { allowedMethods, capabilityStatement, type FaceCapability } from './capability.ts';
import { FhirError, sendError, sendResource } from './outcome.ts';
import { isFhirBody } from './contentType.ts';
import { fhirBaseUrl } from './request.ts';
import { negotiateRequest } from './format.ts';
import { httpContext } from '../kernel/httpContext.ts';
import { inRequest } from '../kernel/requestScope.ts';
import { StoreUnavailableError } from '../kernel/storeUnavailable.ts';
import { outcomeOfStatus, type TransactionObserver } from '../kernel/transactionObserver.ts';

export interface FhirFace extends FaceCapability {
  /** The profile, for logs (ATNA, PIXm, PDQm, MHD). */
  name: string;
  router: Router;
  /**
   * The transaction a request to this face is (ITI-78, ...): the base observes it for the metrics,
   * and tells the gate (`transactionOf(res)`), which may ask for the transaction's IUA scope.
   */
  transactionOf?(method: string, path: string): string | undefined;
}

export interface FhirBaseOptions {
  faces: FhirFace[];
  software: { name: string; version: string };
  /**
   * Who may call a face (IUA, ITI-72): runs before every face, not before /metadata. Absent: the
   * request context the listener made is all there is.
   */
  authorize?: RequestHandler;
  /** The IUA description the CapabilityStatement gives (rest.security). */
  security?: CapabilityStatementRestSecurity;
  /** Logs an error no face turned into an answer. */
  onError?(path: string, error: unknown): void;
  /** Told of every request a face with `transactionOf` answered (metrics, the transaction log). */
  observe?: TransactionObserver;
}

const TRANSACTION = 'fhirTransaction';
const CANDIDATES = 'fhirTransactionCandidates';
const GUARDS = 'fhirTransactionGuards';

/**
 * The IHE transaction a request to the base is, once known: at once when its method and path name
 * one; for POST / (ITI-65 Provide Document Bundle and ITI-20's Bundle of AuditEvents share it) when
 * the face that read the body settled it (`settleTransaction`).
 */
export function transactionOf(res: Response): string | undefined {
  const t: unknown = res.locals[TRANSACTION];
  return typeof t === 'string' ? t : undefined;
}

/** The transactions a request may be, by its method and path (one, or those sharing the path). */
export function candidateTransactions(res: Response): readonly string[] {
  const t: unknown = res.locals[CANDIDATES];
  return Array.isArray(t) ? (t as string[]) : [];
}

/**
 * A check a gate (IUA) leaves for a request whose transaction is not known before its body is read:
 * whether it admits a transaction, and the refusal (audited) when it does not.
 */
export interface TransactionGuard {
  admits(transaction: string): boolean;
  refusal(transaction: string): Promise<FhirError>;
}

export function guardTransactions(res: Response, guard: TransactionGuard): void {
  ((res.locals[GUARDS] as TransactionGuard[] | undefined) ?? (res.locals[GUARDS] = [])).push(guard);
}

/** Whether every gate admits the transaction (the body reader takes this transaction's size limit only then). */
export function mayCall(res: Response, transaction: string): boolean {
  return ((res.locals[GUARDS] as TransactionGuard[] | undefined) ?? []).every((g) => g.admits(transaction));
}

/** Names the transaction a request is, and throws the refusal of a gate that does not admit it. */
export async function settleTransaction(res: Response, transaction: string): Promise<void> {
  res.locals[TRANSACTION] = transaction;
  for (const g of (res.locals[GUARDS] as TransactionGuard[] | undefined) ?? []) if (!g.admits(transaction)) throw await g.refusal(transaction);
}

export function fhirBase(o: FhirBaseOptions): Router {
  const router = express.Router();
  // Made once: the faces serve what they serve from assembly on; only the base URL the client reached differs.
  const capability = capabilityStatement({ base: '', software: o.software, faces: o.faces, security: o.security, date: new Date().toISOString() });
  // What is served, as the statement says it: the methods a path takes (405 with Allow) are read from it.
  const served: FaceCapability[] = [{ resources: capability.rest![0].resource ?? [], systemInteractions: (capability.rest![0].interaction ?? []).map((i) => i.code) }];
  // The answer's format, for every answer below (errors and the CapabilityStatement too); it varies
  // with Accept (RFC 9110 12.5.5), so caches keep the formats apart.
  router.use((req: Request, res: Response, next: NextFunction) => {
    res.vary('Accept');
    const n = negotiateRequest(req, res);
    if ('refused' in n) return sendError(res, new FhirError(406, 'not-supported', n.refused, req.query._format !== undefined ? ['_format'] : undefined));
    next();
  });

  router.get('/metadata', (req, res) => {
    sendResource(res, 200, { ...capability, implementation: { ...capability.implementation, url: fhirBaseUrl(req) } });
  });

  router.use((req: Request, res: Response, next: NextFunction) => {
    const candidates = [...new Set(o.faces.map((f) => f.transactionOf?.(req.method, req.path)).filter((t) => t !== undefined))];
    if (candidates.length === 0) return next();
    res.locals[CANDIDATES] = candidates;
    if (candidates.length === 1) res.locals[TRANSACTION] = candidates[0];
    if (o.observe) {
      const observe = o.observe;
      const started = performance.now();
      // Named at the end: a shared path's transaction is settled once its body is read; one refused before that is counted under every candidate's name.
      res.once('finish', () => observe({ transaction: transactionOf(res) ?? candidates.join('|'), edge: 'fhir', outcome: outcomeOfStatus(res.statusCode), durationMs: performance.now() - started, node: httpContext(req).node?.name }));
    }
    // The face runs in the transaction's request scope (the store routes its reads by it; a path two
    // transactions share is named by both, which no replica routing lists).
    inRequest(candidates.join('|'), next);
  });

  // A body in any other form than FHIR JSON or XML is refused before any face reads it (FHIR R4 3.1.0.1.6).
  router.use((req: Request, _res: Response, next: NextFunction) => {
    if (!hasBody(req) || isFhirBody(req)) return next();
    next(new FhirError(415, 'not-supported', `the body is ${req.get('content-type') ? `of type ${req.get('content-type')}` : 'without a Content-Type'}: only FHIR JSON (application/fhir+json) and FHIR XML (application/fhir+xml) are accepted${req.path.endsWith('/_search') ? ', or a form (application/x-www-form-urlencoded) for a search' : ''}`));
  });

  if (o.authorize) router.use(o.authorize);
  for (const face of o.faces) router.use(face.router);

  router.use((req: Request, _res: Response, next: NextFunction) => {
    const allowed = allowedMethods(served, req.path);
    if (allowed && !allowed.includes(req.method)) {
      return next(new FhirError(405, 'not-supported', `${req.method} is not supported on ${req.path}: ${allowed.join(', ')} is`, undefined, { Allow: allowed.join(', ') }));
    }
    next(new FhirError(404, 'not-found', `no FHIR interaction is served at ${req.method} ${req.path}`));
  });

  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    const e = err as { type?: string; message?: string };
    if (err instanceof FhirError) return sendError(res, err);
    if (e.type === 'entity.parse.failed') return sendError(res, new FhirError(400, 'structure', `the body is not JSON: ${e.message}`));
    if (e.type === 'entity.too.large') return sendError(res, new FhirError(413, 'too-costly', 'the body is larger than this server takes'));
    if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') return sendError(res, new FhirError(415, 'not-supported', String(e.message)));
    // Any other body the parser refused (too many form parameters, a length that does not match, ...).
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return sendError(res, new FhirError(status, status === 413 ? 'too-costly' : 'invalid', `the request cannot be read: ${e.message}`));
    // The database gone is no internal error: 503 (outcome.ts), logged where the store lost it.
    if (!(err instanceof StoreUnavailableError)) o.onError?.(req.path, err);
    sendError(res, err);
  });
  return router;
}

function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return (length !== undefined && length !== '0') || req.get('transfer-encoding') !== undefined;
}
