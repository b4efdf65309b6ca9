/**
 * FHIR errors: one typed error carrying its HTTP status and OperationOutcome issue code, and the one
 * place that writes an OperationOutcome (FHIR R4 3.1.0.4.1 / OperationOutcome).
 */
import type { Response } from 'express';
import type { OperationOutcome } from 'fhir/r4.js';
import { InsufficientStorage } from '../kernel/freeSpace.ts';
import { FHIR_JSON, FHIR_XML, formatOf } from './format.ts';
import { fhirXml } from './xml/serialize.ts';
import { StoreUnavailableError } from '../kernel/storeUnavailable.ts';

export type IssueCode =
  | 'invalid'
  | 'structure'
  | 'required'
  | 'value'
  | 'not-supported'
  | 'not-found'
  | 'processing'
  | 'exception'
  | 'too-costly'
  | 'forbidden'
  | 'transient'
  | 'throttled'
  | 'code-invalid'
  | 'security'
  | 'login'
  | 'expired';

export class FhirError extends Error {
  constructor(
    readonly status: number,
    readonly code: IssueCode,
    message: string,
    readonly expression?: string[],
    /** Header fields the answer carries (Allow of a 405, WWW-Authenticate of a 401). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'FhirError';
  }
}

export function operationOutcome(issues: { severity?: 'fatal' | 'error' | 'warning' | 'information'; code: IssueCode; diagnostics: string; expression?: string[] }[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({ severity: i.severity ?? 'error', code: i.code, diagnostics: i.diagnostics, ...(i.expression ? { expression: i.expression } : {}) })),
  };
}

export { FHIR_JSON } from './format.ts';

/** Writes a resource in the format negotiated for this response (format.ts): FHIR JSON or FHIR XML. */
export function sendResource(res: Response, status: number, resource: object): void {
  if (formatOf(res) === 'json') {
    res.status(status).type(FHIR_JSON).send(JSON.stringify(resource));
    return;
  }
  // Written before anything is sent: a resource that is not valid FHIR throws to the caller, whose
  // error path answers 500 (and logs it), never half an answer.
  const xml = fhirXml(resource);
  res.status(status).type(FHIR_XML).send(xml);
}

/**
 * Writes any error as an OperationOutcome: a FhirError with its status; writes refused for want of
 * space as 507 Insufficient Storage (RFC 4918 11.5), issue code transient; anything else as 500
 * without detail.
 */
export function sendError(res: Response, err: unknown): void {
  if (err instanceof InsufficientStorage) {
    sendResource(res, 507, operationOutcome([{ code: 'transient', diagnostics: 'insufficient storage: the server refuses new data until space is freed; nothing was stored' }]));
    return;
  }
  // The database went away under the request: 503, issue code transient (FHIR R4 3.1.0.4, IssueType).
  if (err instanceof StoreUnavailableError) {
    sendResource(res, 503, operationOutcome([{ code: 'transient', diagnostics: 'the database is unavailable: the request was not processed; send it again later' }]));
    return;
  }
  if (err instanceof FhirError) {
    for (const [k, v] of Object.entries(err.headers ?? {})) res.setHeader(k, v);
    sendResource(res, err.status, operationOutcome([{ code: err.code, diagnostics: err.message, expression: err.expression }]));
    return;
  }
  sendResource(res, 500, operationOutcome([{ severity: 'fatal', code: 'exception', diagnostics: 'internal error' }]));
}
