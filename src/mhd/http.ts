/**
 * What the MHD routes share of HTTP: the FHIR base URL of a request, the parameters of a search (the
 * query string and, for POST _search, the form body: FHIR R4 http.html#search), lenient handling
 * (Prefer: handling=lenient), the Accept check (this server answers FHIR JSON), who asked (for the
 * XDS-shaped audit messages).
 */
import type { Request } from 'express';
import { FhirError } from '../fhir/outcome.ts';
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

/** Throws 406 when the client accepts no JSON (FHIR XML is not served). */
export function expectJsonAccepted(req: Request): void {
  const accept = req.get('accept');
  if (!accept) return;
  const types = accept.split(',').map((t) => t.split(';')[0].trim().toLowerCase());
  if (types.some((t) => t === '*/*' || t === 'application/*' || t.includes('json'))) return;
  throw new FhirError(406, 'not-supported', `Accept ${accept}: this server answers FHIR JSON (application/fhir+json) only`);
}

/** Who asked, as the XDS audit builders name the requester (the client's address as Source). */
export function requesterOf(req: Request): Requester {
  const context = httpContext(req);
  const address = context.address.replace(/^::ffff:/, '');
  return { replyTo: address || undefined, peer: { address, endpoint: `${baseUrl(req)}${req.path}` }, context };
}
