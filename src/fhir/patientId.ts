/**
 * The logical id of a Patient resource (PDQm read, PIXm targetId): the person's regional ID, the
 * one identifier that names the person across facilities, as it is when it fits the FHIR id type
 * ([A-Za-z0-9\-.]{1,64}, FHIR R4 2.24.0.1), else `x-` and its UTF-8 bytes in hex. This server
 * makes regional IDs of the first kind (identity.regional.prefix and ten digits); one fed by a source
 * that fits neither (over 31 bytes and not of the id type) is named `h-` and a SHA-256 of it: unique,
 * but not read back by id (a read answers 404; searches still find the patient).
 */
import { createHash } from 'node:crypto';

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

export function patientResourceId(regionalId: string): string {
  if (FHIR_ID.test(regionalId) && !/^[xh]-/.test(regionalId)) return regionalId;
  const hex = Buffer.from(regionalId, 'utf8').toString('hex');
  return hex.length <= 62 ? `x-${hex}` : `h-${createHash('sha256').update(regionalId, 'utf8').digest('hex').slice(0, 62)}`;
}

/** The regional ID a Patient id names, or undefined when the id cannot be one. */
export function regionalIdOf(resourceId: string): string | undefined {
  if (!FHIR_ID.test(resourceId)) return undefined;
  if (resourceId.startsWith('h-')) return undefined;
  if (!resourceId.startsWith('x-')) return resourceId;
  const hex = resourceId.slice(2);
  return /^([0-9a-f]{2})+$/.test(hex) ? Buffer.from(hex, 'hex').toString('utf8') : undefined;
}
