/**
 * Individual numbers named in free-form text that is about to be kept (a query as received, a
 * message kept raw): identifiers whose authority is the individual-number domain, as HL7 v2 CX
 * (`id^^^&oid&ISO`, `id^^^NS`, `id^^^^MN`), PDQ query parameters (`@PID.3.1^id~@PID.3.4.2^oid`),
 * FHIR tokens (`system|id`), read after decoding the spellings digitSpellings.ts knows. What the text
 * names is to be masked; when the text names the domain at all, every 12-digit run is masked too.
 */
import { decodeSpellings } from './digitSpellings.ts';
import type { IndividualNumberDomain } from './domain.ts';
import type { MaskRequest } from './mask.ts';

const CX = /([^\s|^~\\&'"<>(),=]+)\^[^|^~'"<>\s]*\^[^|^~'"<>\s]*\^([^|^~'"<>]*)(?:\^([^|^~'"<>\s]*))?/g;
const TOKEN = /([^\s|&?=,'"<>]+)\|([^\s&,|'"<>]+)/g;
const PDQ_AUTHORITY = /@PID\.3\.4(?:\.\d)?\^([^~|^]*)/g;
const PDQ_TYPE = /@PID\.3\.5\^([^~|^]*)/g;
/** What an identifier needs in its text: a separator, an escape, or a character NFKC may turn into one. */
const MAY_NAME = /[^\x00-\x7F]|[\^|@&\\%]/;
const PDQ_ID = /@PID\.3(?:\.1)?\^([^~|^]*)/g;

/** The identifier values of the individual-number domain the text names. */
export function numbersNamedIn(text: string, domain: IndividualNumberDomain): string[] {
  // ASCII text with no separator (^ | @) and nothing decodeSpellings would decode (& \ %) names no
  // identifier: most metadata values, read without the decoding and its NFKC normalization.
  if (!MAY_NAME.test(text)) return [];
  const t = decodeSpellings(text);
  const out = new Set<string>();
  for (const m of t.matchAll(CX)) {
    if (m[2].split('&').some((a) => domain.isAuthority(a)) || domain.isTypeCode(m[3])) out.add(m[1]);
  }
  for (const m of t.matchAll(TOKEN)) if (domain.isAuthority(m[1])) out.add(m[2]);
  const pdq = [...t.matchAll(PDQ_AUTHORITY)].some((m) => domain.isAuthority(m[1])) || [...t.matchAll(PDQ_TYPE)].some((m) => domain.isTypeCode(m[1]));
  if (pdq) for (const m of t.matchAll(PDQ_ID)) if (m[1]) out.add(m[1]);
  return [...out];
}

/** What to mask in the text, or undefined when it names no individual number and not the domain. */
export function maskRequestFor(text: string, domain: IndividualNumberDomain, known: readonly string[] = []): MaskRequest | undefined {
  const mentioned = domain.mentionedIn(text);
  const named = mentioned || domain.typeCodeMentionedIn(text) ? numbersNamedIn(text, domain) : [];
  const numbers = [...new Set([...known, ...named])];
  if (!mentioned && numbers.length === 0) return undefined;
  return { numbers, allTwelveDigitRuns: mentioned };
}
