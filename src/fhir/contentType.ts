/**
 * The bodies the FHIR base takes: FHIR JSON (application/fhir+json, and the plain JSON types
 * clients still send), FHIR XML (application/fhir+xml and the plain XML types, format.ts), and for a search by POST (`[type]/_search`, FHIR R4 3.1.0.8) a form.
 */
import type { Request } from 'express';
import { FHIR_XML_TYPES } from './format.ts';

export const FHIR_JSON_TYPES = ['application/fhir+json', 'application/json', 'application/json+fhir'];
export const FORM_TYPE = 'application/x-www-form-urlencoded';

export function isFhirBody(req: Request): boolean {
  if (req.is(FHIR_JSON_TYPES) || req.is(FHIR_XML_TYPES)) return true;
  return req.path.endsWith('/_search') && !!req.is(FORM_TYPE);
}
