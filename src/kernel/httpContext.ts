/**
 * The request context of an HTTP request, made once by the HTTP listener when the request arrives
 * and read by every route (SOAP, FHIR, the ATNA and admin APIs). A route cannot run without one.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestContext } from './requestContext.ts';

const contexts = new WeakMap<IncomingMessage, RequestContext>();

export function setHttpContext(req: IncomingMessage, ctx: RequestContext): void {
  contexts.set(req, ctx);
}

export function httpContext(req: IncomingMessage): RequestContext {
  const ctx = contexts.get(req);
  if (!ctx) throw new Error('HTTP request without a request context: the listener did not make one');
  return ctx;
}
