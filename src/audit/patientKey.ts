/**
 * The patient an audit message names, as a search key: ParticipantObjectID of a patient object is an
 * HL7 CX (ITI TF-2 3.20.7, "the patient ID in HL7 CX format"): CX-1 the id, CX-4 the assigning
 * authority as namespace&OID&type. Senders spell the authority differently (namespace only, OID
 * only, both), so the key keeps both parts and a lookup matches either.
 */
import type { AuditPatientKey } from '../store/types.ts';

export function patientKeyOfCx(cx: string): AuditPatientKey {
  const components = cx.split('^');
  const hd = (components[3] ?? '').split('&');
  return { value: components[0], namespace: hd[0] ?? '', oid: hd[1] ?? '' };
}
