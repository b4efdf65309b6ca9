/**
 * The PIXm face under the FHIR base: `GET|POST /Patient/$ihe-pix` (ITI-83), for nodes with the role
 * consumer or gateway; audited as ITI TF-2 3.83.5 says (Query, ITI-83, the patient, the query).
 */
import express, { type Request, type Response, type Router } from 'express';
import type { CapabilityStatementRestResource, Parameters } from 'fhir/r4.js';
import { ihe } from '../../audit/codes.ts';
import type { ScopedReadDeps } from '../../consent/scopedReader.ts';
import { fhirJsonBody } from '../../fhir/body.ts';
import { FhirError, sendError, sendResource } from '../../fhir/outcome.ts';
import { IndividualNumberRefused } from '../../fhir/individualNumber.ts';
import { formatOfParameter, useFormat } from '../../fhir/format.ts';
import type { FhirSchemaValidator } from '../../fhir/schemaValidator.ts';
import { isLenient } from '../../fhir/searchHandling.ts';
import { httpContext } from '../../kernel/httpContext.ts';
import { auditFhirQuery, type FhirQueryAudit } from '../../fhir/edge/queryAudit.ts';
import { roleGate } from '../../fhir/edge/roleGate.ts';
import { QUERY_ROLES } from '../../consent/feedAuthorization.ts';
import { fromParameters, fromSearchParams, type PixmQuery } from './parameters.ts';
import { pixmQuery } from './query.ts';

export const ITI83 = ihe('ITI-83', 'Mobile Patient Identifier Cross-reference Query');

export const PIXM_OPERATION = 'https://profiles.ihe.net/ITI/PIXm/OperationDefinition/IHE.PIXm.pix';

/** What the PIXm face serves, for the CapabilityStatement. */
export function pixmCapabilityResources(): CapabilityStatementRestResource[] {
  return [{ type: 'Patient', operation: [{ name: 'ihe-pix', definition: PIXM_OPERATION, documentation: 'ITI-83 Mobile Patient Identifier Cross-reference Query (GET or POST Parameters)' }] }];
}

export interface PixmDeps extends ScopedReadDeps, FhirQueryAudit {
  schema: FhirSchemaValidator;
}

/** The query string an ITI-83 audit names: the URL's, or the Parameters posted, written as one. */
function queryText(q: PixmQuery): string {
  const p = new URLSearchParams();
  p.append('sourceIdentifier', `${q.source.system}|${q.source.value}`);
  for (const t of q.targetSystems) p.append('targetSystem', t);
  return p.toString();
}

export function pixmRouter(deps: PixmDeps): Router {
  // Resource types and operation names are case-sensitive (FHIR R4 3.1.0.1.1).
  const router = express.Router({ caseSensitive: true });
  // Only a node with the role consumer or gateway may query (ITI TF-2 3.83.5 / 3.78.5: refused, audited).
  const guard = roleGate(deps, { id: ITI83.code, roles: QUERY_ROLES }, (req, reason) => auditFhirQuery(deps, req, { eventType: ITI83, outcome: 4, patients: [], description: `refused: ${reason}` }));

  const answer = async (req: Request, res: Response, read: () => PixmQuery) => {
    let query: PixmQuery | undefined;
    try {
      query = read();
      const { parameters, patients } = await pixmQuery(deps, httpContext(req), query);
      await auditFhirQuery(deps, req, { eventType: ITI83, outcome: 0, patients, query: queryText(query) });
      sendResource(res, 200, parameters);
    } catch (e) {
      const refused = e instanceof FhirError && e.status < 500;
      // The individual-number refusal keeps no query text (it would hold the number).
      const keep = query && !(e instanceof IndividualNumberRefused);
      await auditFhirQuery(deps, req, {
        eventType: ITI83,
        outcome: refused ? 4 : 8,
        patients: [],
        description: e instanceof FhirError ? e.message : 'internal error',
        query: keep ? queryText(query!) : undefined,
      });
      if (!(e instanceof FhirError)) deps.log.error('iti83.failed', { error: e instanceof Error ? e.message : String(e) });
      sendError(res, e);
    }
  };

  router.get('/Patient/\\$ihe-pix', guard, (req, res) => answer(req, res, () => fromSearchParams(new URL(req.originalUrl, 'http://x').searchParams, isLenient(req.get('prefer')))));

  router.post('/Patient/\\$ihe-pix', guard, fhirJsonBody(), (req, res) =>
    answer(req, res, () => {
      const body = req.body as Parameters;
      if (!body || typeof body !== 'object' || body.resourceType !== 'Parameters') throw new FhirError(400, 'invalid', 'the body of $ihe-pix is a Parameters resource');
      const problems = deps.schema.validate(body, 'Parameters');
      if (problems.length > 0) throw new FhirError(400, 'structure', `the Parameters resource is not valid FHIR R4: ${problems.join('; ')}`);
      // A posted `_format` parameter asks for the answer's format as the URL's would (the IHE example posts one).
      const format = formatOfParameter(body.parameter?.find((p) => p.name === '_format')?.valueString ?? '');
      if (format) useFormat(res, format);
      return fromParameters(body, isLenient(req.get('prefer')));
    }),
  );
  return router;
}
