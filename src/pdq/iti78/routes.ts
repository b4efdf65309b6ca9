/**
 * The PDQm face under the FHIR base (ITI-78): `GET /Patient?...`, `POST /Patient/_search` (a form)
 * and `GET /Patient/{id}`, for nodes with the role consumer or gateway; paged by next links that
 * carry the search and its continuation (FHIR R4 3.1.1.4.6 paging); every request audited as ITI
 * TF-2 3.78.5 says (Query, ITI-78, the patients answered, the query).
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Bundle, BundleEntry, CapabilityStatementRestResource } from 'fhir/r4.js';
import { ihe } from '../../audit/codes.ts';
import { searchFormBody, searchParameters } from '../../fhir/body.ts';
import { FhirError, operationOutcome, sendError, sendResource } from '../../fhir/outcome.ts';
import { IndividualNumberRefused } from '../../fhir/individualNumber.ts';
import { fhirBaseUrl } from '../../fhir/request.ts';
import { isLenient } from '../../fhir/searchHandling.ts';
import { httpContext } from '../../kernel/httpContext.ts';
import { auditFhirQuery, type FhirQueryAudit } from '../../fhir/edge/queryAudit.ts';
import { roleGate } from '../../fhir/edge/roleGate.ts';
import { QUERY_ROLES } from '../../consent/feedAuthorization.ts';
import type { AssigningAuthority } from '../../identity/types.ts';
import { PDQM_PATIENT_PROFILE } from './patientResource.ts';
import type { PdqmPage, PdqmQuery } from './query.ts';
import { PAGE_PARAMETER, parseSearch, pageSize, checkFormat } from './searchParameters.ts';

export const ITI78 = ihe('ITI-78', 'Mobile Patient Demographics Query');

/** What the PDQm face serves, for the CapabilityStatement. */
export function pdqmCapabilityResources(): CapabilityStatementRestResource[] {
  const string = (name: string, documentation: string) => ({ name, type: 'string' as const, documentation });
  return [
    {
      type: 'Patient',
      supportedProfile: [PDQM_PATIENT_PROFILE],
      documentation: 'PDQm ITI-78: search and read. Names as JP Core writes them (kanji IDE and kana SYL), searched by either.',
      interaction: [{ code: 'read' }, { code: 'search-type' }],
      searchParam: [
        { name: '_id', type: 'token', documentation: 'the Patient id (a list is OR)' },
        { name: 'active', type: 'token', documentation: 'every patient served is active' },
        string('family', 'starts-with; :exact for the whole string; a list is OR'),
        string('given', 'starts-with; :exact for the whole string; a list is OR'),
        string('address', 'any part, starts-with; :exact; a list is OR'),
        string('address-city', 'starts-with; :exact'),
        string('address-state', 'starts-with; :exact'),
        string('address-postalcode', 'starts-with; :exact'),
        string('address-country', 'starts-with; :exact'),
        { name: 'birthdate', type: 'date', documentation: 'eq, ne, gt, lt, ge, le, sa, eb, to the precision given' },
        { name: 'gender', type: 'token' },
        { name: 'telecom', type: 'token', documentation: 'phone numbers, by their digits' },
        { name: 'identifier', type: 'token', documentation: 'system|value, or value in any system; repeated is AND, a list OR; system| names the domains answered' },
      ],
    },
  ];
}

export interface PdqmDeps extends FhirQueryAudit {
  query: PdqmQuery;
  regional: AssigningAuthority;
  /** Patients a page holds when _count is not given; never more than maxCount. */
  defaultCount: number;
  maxCount: number;
}

export function pdqmRouter(deps: PdqmDeps): Router {
  // Resource types and operation names are case-sensitive (FHIR R4 3.1.0.1.1).
  const router = express.Router({ caseSensitive: true });
  // Only a node with the role consumer or gateway may query (ITI TF-2 3.83.5 / 3.78.5: refused, audited).
  const guard = roleGate(deps, { id: ITI78.code, roles: QUERY_ROLES }, (req, reason) => auditFhirQuery(deps, req, { eventType: ITI78, outcome: 4, patients: [], description: `refused: ${reason}` }));

  const search = async (req: Request, res: Response) => {
    const params = searchParameters(req.originalUrl, req.method === 'POST' ? req.body : undefined);
    const query = params.toString();
    try {
      const pointer = params.get(PAGE_PARAMETER);
      params.delete(PAGE_PARAMETER);
      const lenient = isLenient(req.get('prefer'));
      const s = parseSearch(params, deps.regional, lenient);
      const count = pageSize(params, deps.defaultCount, deps.maxCount);
      const ctx = httpContext(req);
      const page = pointer ? await deps.query.continue(ctx, pointer, count) : await deps.query.start(ctx, s, count);
      if (page.unknownDomain) {
        // ITI TF-2 3.78.4.1.3 Case 4: the preferred answer, 404 with a warning "targetSystem not found".
        await auditFhirQuery(deps, req, { eventType: ITI78, outcome: 4, patients: [], description: 'targetSystem not found', query });
        sendResource(res, 404, operationOutcome([{ severity: 'warning', code: 'not-found', diagnostics: 'targetSystem not found', expression: ['identifier'] }]));
        return;
      }
      await auditFhirQuery(deps, req, { eventType: ITI78, outcome: 0, patients: page.audited, query });
      sendResource(res, 200, bundleOf(fhirBaseUrl(req), params, pointer, page));
    } catch (e) {
      await failed(req, res, e, query);
    }
  };

  const failed = async (req: Request, res: Response, e: unknown, query: string) => {
    const known = e instanceof FhirError && e.status < 500;
    const individualNumber = e instanceof IndividualNumberRefused;
    await auditFhirQuery(deps, req, { eventType: ITI78, outcome: known ? 4 : 8, patients: [], description: e instanceof FhirError ? e.message : 'internal error', query: individualNumber ? undefined : query });
    if (!(e instanceof FhirError)) deps.log.error('iti78.failed', { error: e instanceof Error ? e.message : String(e) });
    sendError(res, e);
  };

  router.get('/Patient', guard, search);
  router.post('/Patient/_search', guard, searchFormBody(), search);
  router.get('/Patient/:id', guard, async (req, res, next) => {
    const id = String(req.params.id);
    if (id.startsWith('$') || id === '_search') return next();
    const query = new URL(req.originalUrl, 'http://x').searchParams;
    try {
      checkFormat(query);
      const unknown = [...query.keys()].filter((k) => k !== '_format');
      if (unknown.length && !isLenient(req.get('prefer'))) throw new FhirError(400, 'not-supported', `a read takes no parameters but _format: ${unknown.join(', ')}`, unknown);
      const { patient, audited } = await deps.query.read(httpContext(req), id);
      await auditFhirQuery(deps, req, { eventType: ITI78, outcome: 0, patients: audited, query: `_id=${encodeURIComponent(id)}` });
      sendResource(res, 200, patient);
    } catch (e) {
      await failed(req, res, e, `_id=${encodeURIComponent(id)}`);
    }
  });
  return router;
}

/** The searchset Bundle of a page: self (the search as run), next (the same search and its continuation). */
function bundleOf(base: string, params: URLSearchParams, pointer: string | null, page: PdqmPage): Bundle {
  const link = (p: string | null) => {
    const q = new URLSearchParams(params);
    if (p) q.set(PAGE_PARAMETER, p);
    return `${base}/Patient?${q.toString()}`;
  };
  const entry: BundleEntry[] = page.patients.map((p) => ({ fullUrl: `${base}/Patient/${p.id}`, resource: p, search: { mode: 'match' } }));
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    // No total on any page: Bundle.total is optional (FHIR R4 bundle.html, Bundle.total 0..1; search.html
    // "_total": a server may leave it out), and this search is read page by page as the continuation
    // is followed, so the count is not known before the last page; a total on that page alone would
    // say different things of one search depending on where the client stops.
    link: [{ relation: 'self', url: link(pointer) }, ...(page.next ? [{ relation: 'next', url: link(page.next) }] : [])],
    ...(entry.length ? { entry } : {}),
  };
}
