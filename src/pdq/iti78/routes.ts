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
import { isLenient } from '../../fhir/searchHandling.ts';
import { httpContext } from '../../kernel/httpContext.ts';
import { auditFhirQuery, queryRolesOnly, type FhirQueryAudit } from '../../pix/fhirQuery.ts';
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
        { name: '_id', type: 'token', documentation: 'the Patient id (OR by comma)' },
        string('family', 'starts-with; :exact for the whole string'),
        string('given', 'starts-with; :exact for the whole string'),
        { name: 'birthdate', type: 'date', documentation: 'eq, to the precision given' },
        { name: 'gender', type: 'token' },
        string('address', 'starts-with, any part of the address'),
        { name: 'telecom', type: 'token', documentation: 'phone numbers, by their digits' },
        { name: 'identifier', type: 'token', documentation: 'system|value (OR by comma)' },
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

const baseOf = (req: Request) => `${req.protocol}://${req.get('host')}${req.baseUrl}`;

export function pdqmRouter(deps: PdqmDeps): Router {
  // Resource types and operation names are case-sensitive (FHIR R4 3.1.0.1.1).
  const router = express.Router({ caseSensitive: true });
  const guard = queryRolesOnly(deps, ITI78);

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
      const page = pointer ? await deps.query.continue(ctx, pointer, count, s) : await deps.query.start(ctx, s, count);
      await auditFhirQuery(deps, req, { eventType: ITI78, outcome: 0, patients: page.audited, query });
      sendResource(res, 200, bundleOf(baseOf(req), params, pointer, page));
    } catch (e) {
      await failed(req, res, e, query);
    }
  };

  const failed = async (req: Request, res: Response, e: unknown, query: string) => {
    const known = e instanceof FhirError && e.status < 500;
    const individualNumber = e instanceof FhirError && /individual-number/.test(e.message);
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
  if (page.warning) entry.push({ resource: operationOutcome([{ severity: 'warning', code: 'not-found', diagnostics: page.warning }]), search: { mode: 'outcome' } });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    link: [{ relation: 'self', url: link(pointer) }, ...(page.next ? [{ relation: 'next', url: link(page.next) }] : [])],
    ...(entry.length ? { entry } : {}),
  };
}
