/**
 * Body readers of the FHIR faces that take a resource (PIXm's Parameters) or a search form: FHIR
 * JSON refused before parsing when it nests deeper than any resource (jsonDepth.ts), both limited
 * in size. Their errors carry a FhirError, which the base writes as an OperationOutcome.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { MAX_FHIR_JSON_DEPTH, nestsDeeperThan } from './jsonDepth.ts';
import { FhirError, sendError } from './outcome.ts';
import { FHIR_JSON_TYPES, FORM_TYPE } from './contentType.ts';

/** How long a connection closed after a refused body still reads off what the client sends. */
const LINGER_MS = 2000;

/**
 * Closes the connection once the answer is written, in stages (RFC 9112 9.6): the write side at once,
 * the read side after what the client still sends has been read off for LINGER_MS at most, so that a
 * client still sending reads the answer instead of a reset.
 */
function closeAfterAnswer(req: Request, res: Response): void {
  res.setHeader('Connection', 'close');
  res.once('finish', () => {
    const socket = req.socket;
    // Node's server would destroy the socket once its end is written: it lingers instead.
    socket.removeListener('finish', socket.destroy);
    socket.resume();
    socket.once('end', () => socket.destroy());
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
}

/**
 * A body reader held to `limit` bytes while it reads: a declared Content-Length beyond it is refused
 * before a byte is read, a body sent in chunks as soon as it passes it. Either is answered 413 with an
 * OperationOutcome, and the connection closed after the answer rather than the rest read (RFC 9110
 * 15.5.14: the server may close the connection to keep the client from sending on).
 */
export function bodyWithin(limit: number, reader: RequestHandler): RequestHandler {
  const tooLarge = (what: string) => new FhirError(413, 'too-costly', `the body is ${what} than the ${limit} bytes this request takes`);
  return (req: Request, res: Response, next: NextFunction) => {
    const declared = req.get('content-length');
    if (declared !== undefined && Number(declared) > limit) {
      closeAfterAnswer(req, res);
      return next(tooLarge(`${declared} bytes: larger`));
    }
    if (declared === undefined && req.get('transfer-encoding') !== undefined) {
      let seen = 0;
      const count = (chunk: Buffer) => {
        seen += chunk.length;
        if (seen <= limit) return;
        req.off('data', count);
        if (res.headersSent) return;
        closeAfterAnswer(req, res);
        sendError(res, tooLarge('larger'));
      };
      req.on('data', count);
    }
    reader(req, res, next);
  };
}

const bytesOf = (limit: string) => {
  const m = /^(\d+)(kb|mb)$/.exec(limit)!;
  return Number(m[1]) * (m[2] === 'kb' ? 1024 : 1024 * 1024);
};

export function fhirJsonBody(limit = '1mb'): RequestHandler {
  return bodyWithin(bytesOf(limit), express.json({
    type: FHIR_JSON_TYPES,
    limit,
    strict: true,
    verify: (_req, _res, buf) => {
      if (nestsDeeperThan(buf, MAX_FHIR_JSON_DEPTH)) throw new FhirError(400, 'structure', `the body is JSON nested deeper than ${MAX_FHIR_JSON_DEPTH} levels`);
    },
  }));
}

export function searchFormBody(limit = '64kb'): RequestHandler {
  return bodyWithin(bytesOf(limit), express.urlencoded({ type: FORM_TYPE, limit, extended: false, parameterLimit: 200 }));
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
