/**
 * What the MHD routes share of HTTP: the FHIR base URL of a request, the parameters of a search (the
 * query string and, for POST _search, the form body: FHIR R4 http.html#search), lenient handling
 * (Prefer: handling=lenient), who asked (for the XDS-shaped audit messages). The answer's format
 * (FHIR JSON or XML, 406 for any other) is the FHIR base's (fhir/format.ts).
 */
import type { Request } from 'express';
import { httpContext } from '../kernel/httpContext.ts';
import type { Requester } from '../xds/iti41/provideAndRegister.ts';

export const baseUrl = (req: Request) => `${req.protocol}://${req.get('host')}${req.baseUrl}`;

/** The search's parameters: the query string, then a form body's. */
export function searchParamsOf(req: Request): URLSearchParams {
  const params = new URL(req.originalUrl, 'http://x').searchParams;
  if (req.method === 'POST' && typeof req.body === 'string') for (const [k, v] of new URLSearchParams(req.body)) params.append(k, v);
  return params;
}

export const lenient = (req: Request) => /handling\s*=\s*lenient/.test(req.get('prefer') ?? '');

/** Who asked, as the XDS audit builders name the requester (the client's address as Source). */
export function requesterOf(req: Request): Requester {
  const context = httpContext(req);
  const address = context.address.replace(/^::ffff:/, '');
  return { replyTo: address || undefined, peer: { address, endpoint: `${baseUrl(req)}${req.path}` }, context };
}
