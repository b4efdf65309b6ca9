/** What every FHIR face reads of a request's URL: the FHIR base as the client reached it, and the endpoint it called. */
import type { Request } from 'express';

/** The FHIR base URL (FHIR R4 3.1.0.1.2 Service Base URL) of a request under the base router. */
export const fhirBaseUrl = (req: Request): string => `${req.protocol}://${req.get('host')}${req.baseUrl}`;

/** The endpoint a request called (the audit's Destination): the base and the path, without the query. */
export const endpointOf = (req: Request): string => `${fhirBaseUrl(req)}${req.path}`;
