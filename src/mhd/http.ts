/**
 * What the MHD routes share of HTTP: who asked (for the XDS-shaped audit messages). The answer's format
 * (FHIR JSON or XML, 406 for any other) is the FHIR base's (fhir/format.ts).
 */
import type { Request } from 'express';
import { endpointOf } from '../fhir/request.ts';
import { httpContext } from '../kernel/httpContext.ts';
import type { Requester } from '../xds/iti41/provideAndRegister.ts';

/** Who asked, as the XDS audit builders name the requester (the client's address as Source). */
export function requesterOf(req: Request): Requester {
  const context = httpContext(req);
  const address = context.address.replace(/^::ffff:/, '');
  return { replyTo: address || undefined, peer: { address, endpoint: endpointOf(req) }, context };
}
