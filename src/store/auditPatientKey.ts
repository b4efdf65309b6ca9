/**
 * The patient an audit message names, as a search key: ParticipantObjectID of a patient object is an
 * HL7 CX (ITI TF-2 3.20.7, "the patient ID in HL7 CX format"): CX-1 the id, CX-4 the assigning
 * authority as namespace&OID&type. Senders spell the authority differently (namespace only, OID
 * only, both), so the key keeps both parts and a lookup matches either.
 */
import type { AuditPatientKey } from './types.ts';

/** The parts of a CX that audit records are searched and masked by ('' when absent), read without splitting it. */
export interface CxParts extends AuditPatientKey {
  namespace: string;
  oid: string;
  /** CX-5, the identifier type code. */
  typeCode: string;
}

/** The text of component `from` (after the `from`-th separator) up to the next separator, '' when absent. */
function component(s: string, separator: string, from: number): string {
  let start = 0;
  for (let k = 0; k < from; k++) {
    const at = s.indexOf(separator, start);
    if (at < 0) return '';
    start = at + 1;
  }
  const end = s.indexOf(separator, start);
  return s.slice(start, end < 0 ? s.length : end);
}

export function readCx(cx: string): CxParts {
  const authority = component(cx, '^', 3);
  return { value: component(cx, '^', 0), namespace: component(authority, '&', 0), oid: component(authority, '&', 1), typeCode: component(cx, '^', 4) };
}

export function patientKeyOfCx(cx: string): AuditPatientKey {
  const { value, namespace, oid } = readCx(cx);
  return { value, namespace, oid };
}
