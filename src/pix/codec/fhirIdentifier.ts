/**
 * Patient identifier domains as FHIR Identifier.system values (PIXm, PDQm): an OID as
 * `urn:oid:<oid>` (FHIR R4 2.24.0.1 identifier systems); a domain known only by its namespace by
 * that namespace when it is already a URI, else as `urn:hie:domain:<namespace>`.
 */
import type { AssigningAuthority, Domain } from '../../identity/types.ts';

const NAMESPACE_URN = 'urn:hie:domain:';

export function systemOf(d: Pick<Domain, 'namespace' | 'oid'>): string {
  if (d.oid) return `urn:oid:${d.oid}`;
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(d.namespace) ? d.namespace : NAMESPACE_URN + encodeURIComponent(d.namespace);
}

/** The assigning authority a system names (its domain may still be unknown). */
export function authorityOfSystem(system: string): AssigningAuthority {
  const oid = /^urn:oid:([0-2](?:\.(?:0|[1-9][0-9]*))+)$/.exec(system)?.[1];
  if (oid) return { namespace: '', oid, type: 'ISO' };
  if (system.startsWith(NAMESPACE_URN)) return { namespace: safeDecode(system.slice(NAMESPACE_URN.length)), oid: '', type: '' };
  return { namespace: system, oid: '', type: '' };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A token search value or PIXm sourceIdentifier: `system|value`, `|value` (no system), or `value`
 * (any system: `system` undefined). FHIR R4 3.1.1.4.6 escapes `|` in values as `\|`.
 */
export function splitToken(text: string): { system?: string; value: string } {
  const i = findUnescaped(text, '|');
  if (i < 0) return { value: unescape(text) };
  return { system: unescape(text.slice(0, i)), value: unescape(text.slice(i + 1)) };
}

function findUnescaped(s: string, ch: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === ch) return i;
  }
  return -1;
}

const unescape = (s: string) => s.replace(/\\([\\|,$])/g, '$1');

/** Splits a search value on unescaped commas (FHIR R4 3.1.1.4: OR). */
export function splitOr(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === ',') {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}
