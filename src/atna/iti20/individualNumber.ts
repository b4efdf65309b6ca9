/**
 * The individual number (My Number) is never stored: a received audit message that names a patient by
 * an identifier in the individual-number domain (CX-4 authority, or CX-5 type code) is stored with that
 * number masked, wherever it appears in the message, base64 values (queries, details) included. When a
 * message cannot be read, any run of 12 digits is masked if the message mentions the domain at all.
 */
import type { IndividualNumberPolicy } from '../../hl7v2/individualNumberGuard.ts';
import type { ReadAuditMessage } from '../dicom/model.ts';

const mask = (n: string) => 'X'.repeat(n.length);

/** The individual numbers a message names as patient (person) identifiers. */
export function individualNumbersIn(m: ReadAuditMessage, policy: IndividualNumberPolicy): string[] {
  let out: string[] | undefined;
  for (const o of m.objects) {
    // A CX: ID^check digit^scheme^authority (namespace&OID&type)^type code, read without splitting it.
    const id = o.id;
    const c1 = id.indexOf('^');
    const number = c1 < 0 ? id : id.slice(0, c1);
    if (!number) continue;
    const c2 = c1 < 0 ? -1 : id.indexOf('^', c1 + 1);
    const c3 = c2 < 0 ? -1 : id.indexOf('^', c2 + 1);
    const c4 = c3 < 0 ? -1 : id.indexOf('^', c3 + 1);
    const c5 = c4 < 0 ? -1 : id.indexOf('^', c4 + 1);
    const authority = c3 < 0 ? '' : id.slice(c3 + 1, c4 < 0 ? id.length : c4);
    const a1 = authority.indexOf('&');
    const a2 = a1 < 0 ? -1 : authority.indexOf('&', a1 + 1);
    const namespace = a1 < 0 ? authority : authority.slice(0, a1);
    const oid = a1 < 0 ? undefined : authority.slice(a1 + 1, a2 < 0 ? authority.length : a2);
    const typeCode = c4 < 0 ? undefined : id.slice(c4 + 1, c5 < 0 ? id.length : c5);
    if (policy.isIndividualNumber({ namespace, oid }, typeCode) && !out?.includes(number)) (out ??= []).push(number);
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
