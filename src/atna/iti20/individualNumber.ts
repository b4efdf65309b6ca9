/**
 * The individual number (My Number) is never stored: a received audit message that names a patient by
 * an identifier in the individual-number domain (CX-4 authority, or CX-5 type code) is stored with that
 * number masked, wherever it appears in the message, base64 values (queries, details) included. When a
 * message cannot be read, any run of 12 digits is masked if the message mentions the domain at all.
 */
import { readCx } from '../../store/auditPatientKey.ts';
import type { IndividualNumberPolicy } from '../../hl7v2/individualNumberGuard.ts';
import type { ReadAuditMessage } from '../dicom/model.ts';

const mask = (n: string) => 'X'.repeat(n.length);

/** The individual numbers a message names as patient (person) identifiers. */
export function individualNumbersIn(m: ReadAuditMessage, policy: IndividualNumberPolicy): string[] {
  let out: string[] | undefined;
  for (const o of m.objects) {
    const cx = readCx(o.id);
    if (cx.value && policy.isIndividualNumber(cx, cx.typeCode) && !out?.includes(cx.value)) (out ??= []).push(cx.value);
  }
  return out ?? [];
}

/** The text with every occurrence of the numbers masked, in plain text and inside base64 values. */
export function maskNumbers(text: string, numbers: string[]): string {
  if (numbers.length === 0) return text;
  let out = text;
  for (const n of numbers) out = out.split(n).join(mask(n));
  // Base64 in element content (ParticipantObjectQuery) and attribute values (ParticipantObjectDetail),
  // or in the FHIR form's query and valueBase64Binary.
  return out.replace(/(>|value="|"(?:query|valueBase64Binary)"\s*:\s*")([A-Za-z0-9+/=\s]{8,})(<|")/g, (whole, open: string, b64: string, close: string) => {
    const decoded = Buffer.from(b64.replace(/\s+/g, ''), 'base64').toString('latin1');
    if (!numbers.some((n) => decoded.includes(n))) return whole;
    let masked = decoded;
    for (const n of numbers) masked = masked.split(n).join(mask(n));
    return open + Buffer.from(masked, 'latin1').toString('base64') + close;
  });
}

/** For bytes that could not be read as an audit message: mask 12-digit runs when the domain is named. */
export function maskUnreadable(bytes: Buffer, policy: IndividualNumberPolicy): { bytes: Buffer; masked: boolean } {
  const text = bytes.toString('latin1');
  if (![...policy.individualNumberAuthorities()].some((a) => a && text.includes(a))) return { bytes, masked: false };
  const masked = text.replace(/(?<!\d)\d{12}(?!\d)/g, (n) => mask(n));
  return { bytes: Buffer.from(masked, 'latin1'), masked: masked !== text };
}
