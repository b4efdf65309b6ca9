/**
 * What the MHD routes share of HTTP: the Accept check (this server answers FHIR JSON), who asked (for
 * the XDS-shaped audit messages).
 */
import type { Request } from 'express';
import { FhirError } from '../fhir/outcome.ts';
import { endpointOf } from '../fhir/request.ts';
import { httpContext } from '../kernel/httpContext.ts';
import type { Requester } from '../xds/iti41/provideAndRegister.ts';

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
  return { replyTo: address || undefined, peer: { address, endpoint: endpointOf(req) }, context };
}
