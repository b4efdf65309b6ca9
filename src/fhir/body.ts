/**
 * Body readers of the FHIR faces that take a resource (PIXm's Parameters) or a search form: FHIR
 * JSON refused before parsing when it nests deeper than any resource (jsonDepth.ts), both limited
 * in size. Their errors carry a FhirError, which the base writes as an OperationOutcome.
 */
import express, { type RequestHandler } from 'express';
import { MAX_FHIR_JSON_DEPTH, nestsDeeperThan } from './jsonDepth.ts';
import { FhirError } from './outcome.ts';
import { FHIR_JSON_TYPES, FORM_TYPE } from './contentType.ts';

export function fhirJsonBody(limit = '1mb'): RequestHandler {
  return express.json({
    type: FHIR_JSON_TYPES,
    limit,
    strict: true,
    verify: (_req, _res, buf) => {
      if (nestsDeeperThan(buf, MAX_FHIR_JSON_DEPTH)) throw new FhirError(400, 'structure', `the body is JSON nested deeper than ${MAX_FHIR_JSON_DEPTH} levels`);
    },
  });
}

export function searchFormBody(limit = '64kb'): RequestHandler {
  return express.urlencoded({ type: FORM_TYPE, limit, extended: false, parameterLimit: 200 });
}

/**
 * The parameters of a search: the URL's, and for a POST `_search` the form's too (FHIR R4 3.1.0.8:
 * both count).
 */
export function searchParameters(originalUrl: string, form?: unknown): URLSearchParams {
  const params = new URL(originalUrl, 'http://x').searchParams;
  if (form && typeof form === 'object') {
    for (const [k, v] of Object.entries(form as Record<string, string | string[]>)) for (const one of [v].flat()) params.append(k, one);
  }
  return params;
}
