/**
 * The FHIR routes of MHD's Document Responder, under the FHIR base (/fhir), over this server's XDS
 * registry and repository:
 *   GET  /DocumentReference, POST /DocumentReference/_search, GET /DocumentReference/{id}   ITI-67
 *   GET  /List, POST /List/_search, GET /List/{id}                                          ITI-66
 *   GET  /Binary/{id}                        ITI-68 Retrieve Document
 * The Document Recipient's ITI-65 (POST /, shared with ITI-20) is iti65/route.ts. Every request is
 * admitted by node role before its body is read (fhir/edge/roleGate.ts), runs through the
 * requester's scoped reader (consent), and is audited; every error is an OperationOutcome. Other
 * methods are answered 405 with Allow by the FHIR base (fhir/base.ts), from the capability.
 */
import { randomUUID } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { FhirResource } from 'fhir/r4.js';
import { readScoped, type ScopedReader } from '../consent/scopedReader.ts';
import { searchset } from '../fhir/bundle.ts';
import { searchFormBody, searchParameters } from '../fhir/body.ts';
import { roleGate } from '../fhir/edge/roleGate.ts';
import { IndividualNumberRefused } from '../fhir/individualNumber.ts';
import { FhirError, sendResource } from '../fhir/outcome.ts';
import { endpointOf, fhirBaseUrl } from '../fhir/request.ts';
import { isLenient } from '../fhir/searchHandling.ts';
import { httpContext } from '../kernel/httpContext.ts';
import { AffinityDomainResolver } from '../xds/query/patientResolver.ts';
import { StoredQueryRunner } from '../xds/query/runner.ts';
import { asRegistryErrors } from '../xds/registry/errors.ts';
import { externalId } from '../xds/registry/metadata.ts';
import { DocumentEntrySchemes } from '../xds/registry/schemes.ts';
import { DocumentRetrieval } from '../xds/repository/retrieve.ts';
import { queryAudit } from './audit.ts';
import { findLists, iti66Query, readList } from './iti66/findLists.ts';
import { findDocumentReferences, iti67Query } from './iti67/findDocumentReferences.ts';
import { iti68Route } from './iti68/route.ts';
import { documentReferenceOf, fhirIdOf } from './mapping/documentEntry.ts';
import { PatientReferences } from './mapping/patientReference.ts';
import { MhdError, outcomeOfIssues, sendMhdError } from './outcome.ts';
import { isDocument, RegistryReads } from './registryReads.ts';
import { PAGE, refuseIndividualNumbers, type Paging } from './search.ts';
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
  const documentUrl = (req: Request) => (uuid: string) => `${fhirBaseUrl(req)}/Binary/${fhirIdOf(uuid)}`;
  const router = express.Router();

  /** A search's or read's failure: a registry error is the client's (400, or 422 for too many results), any other the server's. */
  const asFhirError = (e: unknown): unknown => {
    const x = asRegistryErrors(e);
    if (!x) return e;
    const tooMany = x.some((r) => r.errorCode === 'XDSTooManyResults');
    return new MhdError(tooMany ? 422 : 400, x.map((r) => ({ code: tooMany ? 'too-costly' : 'invalid', diagnostics: r.codeContext, xdsCode: r.errorCode })));
  };

  /** The audit of a search or read: the request as its query, unless it was refused for naming an individual number. */
  const queryText = (req: Request, params: URLSearchParams, e?: unknown) => (e instanceof IndividualNumberRefused ? '' : `${req.path}?${params.toString()}`);
  const record = (req: Request, tx: MhdTransactionDescriptor, i: { query: string; outcome: 0 | 4 | 8; description?: string; patientId?: string }) =>
    audit.record(queryAudit(audit, tx, { context: httpContext(req), serverUrl: endpointOf(req), ...i }));
  /** Node authorization, before a search form is read (fhir/edge/roleGate.ts), its failure audited as the query's. */
  const gate = (tx: MhdTransactionDescriptor) => roleGate(deps, tx, (req, reason) => record(req, tx, { query: '', outcome: 4, description: reason }));

  /** A search or read of the Document Responder: run, audited as a query; `patientId` for the audit. */
  const query = (tx: MhdTransactionDescriptor, run: (req: Request, params: URLSearchParams, note: (patientId: string) => void) => Promise<object>) => async (req: Request, res: Response) => {
    const params = searchParameters(req.originalUrl, req.method === 'POST' ? req.body : undefined);
    const asked = queryText(req, params);
    let patientId: string | undefined;
    try {
      // Refused before anything reads it, and audited without it (docs/individual-number.md).
      if (deps.individualNumber) refuseIndividualNumbers(params, deps.individualNumber);
      const answer = await run(req, params, (p) => (patientId = p));
      await record(req, tx, { query: asked, outcome: 0, patientId });
      sendResource(res, 200, answer);
    } catch (e) {
      const err = asFhirError(e);
      const status = err instanceof FhirError ? err.status : 500;
      if (status >= 500) log.error(`mhd.${tx.id.toLowerCase().replace('-', '')}.failed`, { error: e instanceof Error ? e.message : String(e) });
      await record(req, tx, { query: queryText(req, params, e), outcome: status >= 500 ? 8 : 4, description: e instanceof Error ? e.message : String(e), patientId }).catch(() => undefined);
      sendMhdError(res, err);
    }
  };

  const form = searchFormBody();
  /**
   * The searchset of a page; parameters ignored under lenient handling named in an OperationOutcome
   * entry of search mode `outcome` (ITI TF-2 3.66.4.2.2, 3.67.4.2.2: warnings are in the Bundle).
   */
  const page = (req: Request, resource: string, params: URLSearchParams, paging: Paging, found: { resources: { id?: string }[]; total: number }) => {
    const bundle = searchset({
      ...pageLinks(req, resource, params, paging.offset, paging.count, found.total),
      total: found.total,
      entries: found.resources.map((r) => ({ fullUrl: `${fhirBaseUrl(req)}/${resource}/${r.id}`, resource: r as FhirResource })),
    });
    if (paging.ignored.length) {
      const warning = outcomeOfIssues([{ severity: 'warning', code: 'not-supported', diagnostics: `search parameters not supported, ignored: ${paging.ignored.join(', ')}`, expression: paging.ignored }]);
      (bundle.entry ??= []).push({ fullUrl: `urn:uuid:${randomUUID()}`, resource: warning, search: { mode: 'outcome' } });
    }
    return bundle;
  };
  const pageLinks = (req: Request, resource: string, params: URLSearchParams, offset: number, count: number | undefined, total: number) => {
    const self = `${fhirBaseUrl(req)}/${resource}?${params.toString()}`;
    if (count === undefined || offset + count >= total) return { self };
    const p = new URLSearchParams(params);
    p.set(PAGE, String(offset + count));
    return { self, next: `${fhirBaseUrl(req)}/${resource}?${p.toString()}` };
  };

  // `[type]/_search` is searched by POST only: another method is left to the base's 405.
  const notSearch = (req: Request, _res: Response, next: (route?: 'route') => void) => next(req.params.id === '_search' ? 'route' : undefined);
  /** A resource searched (GET, and POST _search with a form) and read, each request gated before its body is read. */
  const serve = (type: string, tx: MhdTransactionDescriptor, search: RequestHandler, read: RequestHandler) => {
    const g = gate(tx);
    router.get(`/${type}`, g, search);
    router.post(`/${type}/_search`, g, form, search);
    router.get(`/${type}/:id`, notSearch, g, read);
  };

  /** A search: its parameters read (`parse`, throwing 400s), the patient it names noted, run through the scoped reader, answered as a page. */
  const searching = <Q extends { patientId: string; paging: Paging }>(
    tx: MhdTransactionDescriptor,
    type: string,
    parse: (params: URLSearchParams, o: { patients: PatientReferences; lenient: boolean; maxCount: number }) => Q,
    find: (reader: ScopedReader, q: Q, req: Request) => Promise<{ resources: { id?: string }[]; total: number }>,
  ) =>
    query(tx, async (req, params, note) => {
      const q = parse(params, { patients, lenient: isLenient(req.get('prefer')), maxCount: config.maxResults });
      note(q.patientId);
      const found = await readScoped(scoped, httpContext(req), tx.id, (reader) => find(reader, q, req));
      return page(req, type, params, q.paging, found);
    });

  // --- ITI-67 Find Document References, and the DocumentReference read ---
  serve(
    'DocumentReference',
    MHD['ITI-67'],
    searching(MHD['ITI-67'], 'DocumentReference', iti67Query, (reader, q, req) => findDocumentReferences(reader, reads, q, { patients, documentUrl: documentUrl(req) })),
    query(MHD['ITI-67'], async (req, _params, note) => {
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
  serve(
    'List',
    MHD['ITI-66'],
    searching(MHD['ITI-66'], 'List', iti66Query, (reader, q) => findLists(reader, reads, q, { patients })),
    query(MHD['ITI-66'], async (req, _params, note) => {
      const id = String(req.params.id);
      const list = UUID_ID.test(id) ? await readScoped(scoped, httpContext(req), 'ITI-66', (reader) => readList(reader, reads, id, { patients })) : undefined;
      if (!list) throw new FhirError(404, 'not-found', `List/${id} is not known`);
      const cx = list.subject?.identifier;
      if (cx?.value && cx.system?.startsWith('urn:oid:')) note(patients.cx(cx.value, cx.system.slice(8)));
      return list;
    }),
  );

  // --- ITI-68 Retrieve Document ---
  router.get('/Binary/:id', ...iti68Route(deps, reads, retrieval));

  return router;
}
