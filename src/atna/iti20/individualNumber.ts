/**
 * The individual number (My Number) is never stored: a received audit message (ITI-20, syslog or
 * FHIR) that names an individual number is stored with it masked, wherever and however it is written
 * (identity/individualNumber/mask.ts). An audit message is evidence, and syslog has no answer to
 * refuse with, so the message is kept, masked, with a note in its error, rather than dropped.
 *
 * A number is recognised by what the message says of it, read on decoded values (character
 * references resolved): a participant object whose CX-4 or CX-5 is the domain's, an identifier of
 * the domain anywhere in the text or in a base64 query or detail, and, when the text names the
 * domain at all, every 12-digit run. The syslog header and structured data never carry patient
 * identifiers, so any 12 digits with a valid check digit there are masked. With free-text screening
 * on, participants' user names are screened the same way. A message that cannot be read is kept raw
 * with every 12-digit run masked when it names the domain, and every 12 digits with a valid check
 * digit masked in any case.
 */
import type { AuditEvent } from 'fhir/r4.js';
import type { IndividualNumberDomain } from '../../identity/individualNumber/domain.ts';
import { checkDigitNumbers } from '../../identity/individualNumber/freeText.ts';
import { maskBytes, maskText, type MaskRequest } from '../../identity/individualNumber/mask.ts';
import { maskRequestFor, numbersNamedIn } from '../../identity/individualNumber/textScreen.ts';
import { readCx } from '../../store/auditPatientKey.ts';
import type { ReadAuditMessage } from '../dicom/model.ts';

export interface IndividualNumberHolder {
  readonly individualNumber: IndividualNumberDomain;
}

export const MASKED_NOTE = 'individual numbers masked';

const fromBase64 = (v: string) => Buffer.from(v, 'base64').toString('utf8');

/** What to mask in a read DICOM audit message (its text given), or undefined when nothing is to be. */
export function dicomMaskRequest(m: ReadAuditMessage, text: string, domain: IndividualNumberDomain): MaskRequest | undefined {
  const numbers = new Set<string>();
  for (const o of m.objects) {
    const cx = readCx(o.id);
    if (cx.value && domain.isIndividualNumber(cx, cx.typeCode)) numbers.add(cx.value);
  }
  if (domain.freeTextScreening) {
    for (const p of m.participants) for (const r of checkDigitNumbers(`${p.userName} ${p.userId} ${p.altUserId}`)) numbers.add(r.digits);
  }
  // What base64 values say (queries, details), decoded, is read as well as the text.
  const decoded: string[] = [];
  for (const o of m.objects) {
    if (o.query) decoded.push(fromBase64(o.query));
    for (const d of o.details) if (d.value.length >= 4) decoded.push(fromBase64(d.value));
  }
  if (numbers.size === 0 && !domain.mayNameIn(text) && !decoded.some((v) => domain.mayNameIn(v))) return undefined;
  return maskRequestFor([text, ...decoded].join('\n'), domain, [...numbers]);
}

/** What to mask in a FHIR AuditEvent: identifiers of the domain anywhere in it, and what its text names. */
export function fhirMaskRequest(e: AuditEvent, domain: IndividualNumberDomain): MaskRequest | undefined {
  const numbers = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    const o = v as { system?: unknown; value?: unknown; type?: { coding?: { code?: string }[] } };
    if (typeof o.value === 'string' && o.value) {
      const system = typeof o.system === 'string' ? o.system : undefined;
      if (domain.isAuthority(system) || o.type?.coding?.some((c) => domain.isTypeCode(c.code))) numbers.add(o.value);
    }
    Object.values(v).forEach(walk);
  };
  walk(e);
  if (domain.freeTextScreening) {
    for (const a of e.agent ?? []) for (const r of checkDigitNumbers(`${a.name ?? ''} ${a.who?.display ?? ''} ${a.altId ?? ''}`)) numbers.add(r.digits);
  }
  const encoded = (e.entity ?? []).flatMap((en) => [en.query ?? '', ...(en.detail ?? []).map((d) => d.valueBase64Binary ?? d.valueString ?? '')]);
  return maskRequestFor([JSON.stringify(e), ...encoded.filter(Boolean).map(fromBase64)].join('\n'), domain, [...numbers]);
}

/** Header fields and structured data of a syslog message: 12 digits with a valid check digit masked. */
export function maskEnvelope(envelope: string, req: MaskRequest | undefined): string {
  return maskText(envelope, { ...req, checkDigitRuns: true });
}

/** Bytes kept raw because they could not be read: what the domain names, and every check-digit run. */
export function maskUnreadable(bytes: Buffer, domain: IndividualNumberDomain): { bytes: Buffer; masked: boolean; req: MaskRequest } {
  const text = bytes.toString('latin1');
  const mentioned = domain.mentionedIn(text);
  const named = mentioned || domain.typeCodeMentionedIn(text) ? numbersNamedIn(text, domain) : [];
  const req: MaskRequest = { numbers: named, allTwelveDigitRuns: mentioned, checkDigitRuns: true };
  const out = maskBytes(bytes, req);
  return { bytes: out, masked: out !== bytes, req };
}
