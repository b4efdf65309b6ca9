/**
 * Body readers of the FHIR faces that take a resource (PIXm's Parameters) or a search form: FHIR
 * JSON refused before parsing when it nests deeper than any resource (jsonDepth.ts), both limited
 * in size. Their errors carry a FhirError, which the base writes as an OperationOutcome.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { MAX_FHIR_JSON_DEPTH, nestsDeeperThan } from './jsonDepth.ts';
import { FhirError } from './outcome.ts';
import { FHIR_JSON_TYPES, FORM_TYPE } from './contentType.ts';

/**
 * A body reader that refuses, before reading a byte, a body whose declared Content-Length is beyond
 * `limit`: 413 with an OperationOutcome, and the connection closed after the answer rather than the
 * body read off (RFC 9110 15.5.14: the server may close the connection to keep the client from
 * sending on). A body without a declared length is counted by the reader as it arrives.
 */
export function refuseDeclaredOver(limit: number, reader: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const declared = Number(req.get('content-length') ?? 0);
    if (declared > limit) return next(new FhirError(413, 'too-costly', `the body is ${declared} bytes: larger than the ${limit} this request takes`, undefined, { Connection: 'close' }));
    reader(req, res, next);
  };
}

const bytesOf = (limit: string) => {
  const m = /^(\d+)(kb|mb)$/.exec(limit)!;
  return Number(m[1]) * (m[2] === 'kb' ? 1024 : 1024 * 1024);
};

export function fhirJsonBody(limit = '1mb'): RequestHandler {
  return refuseDeclaredOver(bytesOf(limit), express.json({
    type: FHIR_JSON_TYPES,
    limit,
    strict: true,
    verify: (_req, _res, buf) => {
      if (nestsDeeperThan(buf, MAX_FHIR_JSON_DEPTH)) throw new FhirError(400, 'structure', `the body is JSON nested deeper than ${MAX_FHIR_JSON_DEPTH} levels`);
    },
  }));
}

export function searchFormBody(limit = '64kb'): RequestHandler {
  return refuseDeclaredOver(bytesOf(limit), express.urlencoded({ type: FORM_TYPE, limit, extended: false, parameterLimit: 200 }));
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
