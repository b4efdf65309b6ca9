/**
 * Body readers of the FHIR faces that take a resource (PIXm's Parameters, ITI-20's AuditEvents,
 * ITI-65's Bundle) or a search form: FHIR JSON refused before parsing when it nests deeper than any
 * resource (jsonDepth.ts); FHIR XML read into the same JSON resource (xml/parse.ts) under the same
 * size and nesting limits; all limited in size. Their errors carry a FhirError, which the base writes
 * as an OperationOutcome.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { MAX_FHIR_JSON_DEPTH, nestsDeeperThan } from './jsonDepth.ts';
import { FhirError, sendError } from './outcome.ts';
import { FHIR_JSON_TYPES, FORM_TYPE } from './contentType.ts';
import { FHIR_XML_TYPES } from './format.ts';
import { parseFhirXml } from './xml/parse.ts';
import { FhirXmlError } from './xml/tree.ts';

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

/** A body that is not FHIR XML (its bytes are kept as `rawBody`): 400 structure. */
export class UnreadableFhirXml extends FhirError {
  constructor(reason: string) {
    super(400, 'structure', `the body is not FHIR XML: ${reason}`);
    this.name = 'UnreadableFhirXml';
  }
}

/** A FHIR JSON or FHIR XML body, as the JSON resource, up to `limit`. */
export function fhirJsonBody(limit = '1mb'): RequestHandler {
  const xml = fhirXmlBody(limit);
  const json = fhirJsonOnly(limit);
  return bodyWithin(bytesOf(limit), (req, res, next) => xml(req, res, (err?: unknown) => (err ? next(err) : json(req, res, next))));
}

/**
 * A FHIR XML body read into its JSON resource (req.body), its bytes kept as `rawBody` (ITI-20 keeps
 * what it received); any other body passed on untouched. FHIR XML is UTF-8 (xml.html): another
 * charset is 415; XML that is not well-formed, not FHIR, nested deeper than a JSON body may be, or
 * has a DOCTYPE (no DTD, no entity is ever read) is 400.
 */
export function fhirXmlBody(limit: string | number = '1mb'): RequestHandler {
  const raw = express.raw({ type: FHIR_XML_TYPES, limit });
  return (req: Request, res: Response, next: NextFunction) => {
    if (!req.is(FHIR_XML_TYPES)) return next();
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.get('content-type') ?? '')?.[1];
    if (charset && !/^utf-8$/i.test(charset)) return next(new FhirError(415, 'not-supported', `FHIR XML is UTF-8, not ${charset}`));
    raw(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (!Buffer.isBuffer(req.body)) return next();
      (req as Request & { rawBody?: Buffer }).rawBody = req.body;
      try {
        req.body = parseFhirXml(req.body.toString('utf8'), MAX_FHIR_JSON_DEPTH);
      } catch (e) {
        return next(e instanceof FhirXmlError ? new UnreadableFhirXml(e.message) : e);
      }
      next();
    });
  };
}

function fhirJsonOnly(limit: string): RequestHandler {
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
