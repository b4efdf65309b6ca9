/**
 * The FHIR routes of MHD's Document Responder, under the FHIR base (/fhir), over this server's XDS
 * registry and repository:
 *   GET  /DocumentReference, POST /DocumentReference/_search, GET /DocumentReference/{id}   ITI-67
 *   GET  /List, POST /List/_search, GET /List/{id}                                          ITI-66
 *   GET  /Binary/{id}                        ITI-68 Retrieve Document
 * The Document Recipient's ITI-65 (POST /, shared with ITI-20) is iti65/route.ts. Every request is
 * admitted by node role (admission.ts), runs through the requester's scoped reader (consent), and is
 * audited; every error is an OperationOutcome.
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { FhirResource } from 'fhir/r4.js';
import { readScoped } from '../consent/scopedReader.ts';
import { searchset } from '../fhir/bundle.ts';
import { FhirError, sendResource } from '../fhir/outcome.ts';
import { httpContext } from '../kernel/httpContext.ts';
import { AffinityDomainResolver } from '../xds/query/patientResolver.ts';
import { StoredQueryRunner } from '../xds/query/runner.ts';
import { asRegistryErrors } from '../xds/registry/errors.ts';
import { externalId } from '../xds/registry/metadata.ts';
import { DocumentEntrySchemes } from '../xds/registry/schemes.ts';
import { DocumentRetrieval } from '../xds/repository/retrieve.ts';
import { admit } from './admission.ts';
import { queryAudit } from './audit.ts';
import { baseUrl, lenient, searchParamsOf } from './http.ts';
import { findLists, iti66Query, readList } from './iti66/findLists.ts';
import { findDocumentReferences, iti67Query } from './iti67/findDocumentReferences.ts';
import { iti68Route } from './iti68/route.ts';
import { documentReferenceOf, fhirIdOf } from './mapping/documentEntry.ts';
import { PatientReferences } from './mapping/patientReference.ts';
import { MhdError, outcomeOfIssues, sendMhdError } from './outcome.ts';
import { isDocument, RegistryReads } from './registryReads.ts';
import { PAGE, type Paging } from './search.ts';
import { MHD, type MhdTransactionDescriptor } from './transactions.ts';
import type { MhdDeps } from './deps.ts';

export type { MhdDeps } from './deps.ts';


const UUID_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export function mhdRouter(deps: MhdDeps): Router {
  const { audit, log, config } = deps;
  const patients = new PatientReferences(config.affinityDomainOid);
  const runner = new StoredQueryRunner(new AffinityDomainResolver(config.affinityDomainOid), config.maxResults, config.maxQueryValues, deps.identity.domains.individualNumber);
  const reads = new RegistryReads(runner, config.maxQueryValues);
  const retrieval = new DocumentRetrieval({ repositoryUniqueId: deps.repository.cfg.repositoryUniqueId, registryElsewhere: !!deps.remoteRegistry }, deps.repository.blobs);
  const scoped = { store: deps.store, identity: deps.identity, decisions: deps.decisions };
  const documentUrl = (req: Request) => (uuid: string) => `${baseUrl(req)}/Binary/${fhirIdOf(uuid)}`;
  const router = express.Router();

  /** A search's or read's failure: a registry error is the client's (400, or 422 for too many results), any other the server's. */
  const asFhirError = (e: unknown): unknown => {
    const x = asRegistryErrors(e);
    if (!x) return e;
    const tooMany = x.some((r) => r.errorCode === 'XDSTooManyResults');
    return new MhdError(tooMany ? 422 : 400, x.map((r) => ({ code: tooMany ? 'too-costly' : 'invalid', diagnostics: r.codeContext, xdsCode: r.errorCode })));
  };

  /** A search or read of the Document Responder: admitted, run, audited as a query; `patientId` for the audit. */
  const query = (tx: MhdTransactionDescriptor, run: (req: Request, note: (patientId: string) => void) => Promise<object>) => async (req: Request, res: Response) => {
    const ctx = httpContext(req);
    const serverUrl = `${baseUrl(req)}${req.path}`;
    const queryText = req.method === 'POST' && typeof req.body === 'string' ? `${req.originalUrl}${req.originalUrl.includes('?') ? '&' : '?'}${req.body}` : req.originalUrl;
    let patientId: string | undefined;
    const record = (outcome: 0 | 4 | 8, description?: string) => audit.record(queryAudit(audit, tx, { context: ctx, serverUrl, query: queryText, outcome, description, patientId }));
    try {
      await admit(deps, tx, ctx, serverUrl, (reason) => record(4, reason));
      const answer = await run(req, (p) => (patientId = p));
      await record(0);
      sendResource(res, 200, answer);
    } catch (e) {
      const err = asFhirError(e);
      if (!(err instanceof MhdError && err.status === 403)) {
        const status = err instanceof FhirError ? err.status : 500;
        if (status >= 500) log.error(`mhd.${tx.id.toLowerCase().replace('-', '')}.failed`, { error: e instanceof Error ? e.message : String(e) });
        await record(status >= 500 ? 8 : 4, e instanceof Error ? e.message : String(e)).catch(() => undefined);
      }
      sendMhdError(res, err);
    }
  };

  const form = express.text({ type: 'application/x-www-form-urlencoded', limit: '1mb' });
  /**
   * The searchset of a page; parameters ignored under lenient handling named in an OperationOutcome
   * entry of search mode `outcome` (ITI TF-2 3.66.4.2.2, 3.67.4.2.2: warnings are in the Bundle).
   */
  const page = (req: Request, resource: string, params: URLSearchParams, paging: Paging, found: { resources: { id?: string }[]; total: number }) => {
    const bundle = searchset({
      ...pageLinks(req, resource, params, paging.offset, paging.count, found.total),
      total: found.total,
      entries: found.resources.map((r) => ({ fullUrl: `${baseUrl(req)}/${resource}/${r.id}`, resource: r as FhirResource })),
    });
    if (paging.ignored.length) {
      const warning = outcomeOfIssues([{ severity: 'warning', code: 'not-supported', diagnostics: `search parameters not supported, ignored: ${paging.ignored.join(', ')}`, expression: paging.ignored }]);
      (bundle.entry ??= []).push({ fullUrl: `urn:uuid:${randomUUID()}`, resource: warning, search: { mode: 'outcome' } });
    }
    return bundle;
  };
  const pageLinks = (req: Request, resource: string, params: URLSearchParams, offset: number, count: number | undefined, total: number) => {
    const self = `${baseUrl(req)}/${resource}?${params.toString()}`;
    if (count === undefined || offset + count >= total) return { self };
    const p = new URLSearchParams(params);
    p.set(PAGE, String(offset + count));
    return { self, next: `${baseUrl(req)}/${resource}?${p.toString()}` };
  };

  // --- ITI-67 Find Document References, and the DocumentReference read ---
  const iti67 = query(MHD['ITI-67'], async (req, note) => {
    const params = searchParamsOf(req);
    const q = iti67Query(params, { patients, lenient: lenient(req), maxCount: config.maxResults });
    note(q.patientId);
    const found = await readScoped(scoped, httpContext(req), 'ITI-67', (reader) => findDocumentReferences(reader, reads, q, { patients, documentUrl: documentUrl(req) }));
    return page(req, 'DocumentReference', params, q.paging, found);
  });
  router.get('/DocumentReference', iti67);
  router.post('/DocumentReference/_search', form, iti67);
  router.get(
    '/DocumentReference/:id',
    query(MHD['ITI-67'], async (req, note) => {
      const id = String(req.params.id);
      const found = UUID_ID.test(id)
        ? await readScoped(scoped, httpContext(req), 'ITI-67', async (reader) => {
            const [doc] = (await reads.documents(reader, [`urn:uuid:${id.toLowerCase()}`])).filter(isDocument);
            if (!doc) return undefined;
            const relations = await reads.relationships(reader, [doc.id]);
            return { doc, resource: documentReferenceOf(doc, { patients, documentUrl: documentUrl(req), relatesTo: relations.get(doc.id) }) };
          })
        : undefined;
      if (!found) throw new FhirError(404, 'not-found', `DocumentReference/${id} is not known`);
      note(externalId(found.doc, DocumentEntrySchemes.patientId) ?? '');
      return found.resource;
    }),
  );

  // --- ITI-66 Find Document Lists, and the List read ---
  const iti66 = query(MHD['ITI-66'], async (req, note) => {
    const params = searchParamsOf(req);
    const q = iti66Query(params, { patients, lenient: lenient(req), maxCount: config.maxResults });
    note(q.patientId);
    const found = await readScoped(scoped, httpContext(req), 'ITI-66', (reader) => findLists(reader, reads, q, { patients }));
    return page(req, 'List', params, q.paging, found);
  });
  router.get('/List', iti66);
  router.post('/List/_search', form, iti66);
  router.get(
    '/List/:id',
    query(MHD['ITI-66'], async (req, note) => {
      const id = String(req.params.id);
      const list = UUID_ID.test(id) ? await readScoped(scoped, httpContext(req), 'ITI-66', (reader) => readList(reader, reads, id, { patients })) : undefined;
      if (!list) throw new FhirError(404, 'not-found', `List/${id} is not known`);
      const cx = list.subject?.identifier;
      if (cx?.value && cx.system?.startsWith('urn:oid:')) note(patients.cx(cx.value, cx.system.slice(8)));
      return list;
    }),
  );

  // --- ITI-68 Retrieve Document ---
  router.get('/Binary/:id', iti68Route(deps, reads, retrieval));

  // Other methods on these resources: 405 (FHIR R4 http.html: an interaction the server does not support).
  router.all(/^\/(DocumentReference|List|Binary)(\/.*)?$/, (req: Request, res: Response) => {
    sendMhdError(res, new FhirError(405, 'not-supported', `${req.method} ${req.path} is not supported: ${req.path.split('/')[1]} is ${req.path.startsWith('/Binary') ? 'read' : 'searched and read'} here, documents are provided by a transaction Bundle (ITI-65) at the base`));
  });

  // A search form that could not be read: an OperationOutcome.
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; message?: string };
    if (e.type === 'entity.too.large') return sendMhdError(res, new FhirError(413, 'too-costly', 'the search form is larger than 1 MB'));
    if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') return sendMhdError(res, new FhirError(415, 'not-supported', String(e.message)));
    if (!(err instanceof FhirError)) log.error('mhd.failed', { path: req.path, error: e.message });
    sendMhdError(res, err);
  });
  return router;
}
