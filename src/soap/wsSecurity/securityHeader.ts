/**
 * Finding the WS-Security header of a request and keeping the text a signature is checked on. The
 * envelope's element tree (xml/parse.ts) keeps neither prefixes nor the exact text, which XML
 * Signature needs, so when a wsse:Security header carries a SAML assertion the envelope's own text up
 * to the end of its Header is kept, closed as a document of its own: the Body, however large, is not
 * read again. A request without an assertion costs nothing more.
 */
import { SaxesParser } from 'saxes';
import type { XmlElement } from '../../xml/parse.ts';
import { NS } from '../namespaces.ts';

const ULTIMATE_RECEIVER = 'http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver';
const NEXT = 'http://www.w3.org/2003/05/soap-envelope/role/next';

/** Whether a header block's env:role addresses this server, the ultimate receiver (SOAP 1.2 Part 1 2.2). */
export function addressedHere(role: string | null | undefined): boolean {
  return !role || role === ULTIMATE_RECEIVER || role === NEXT;
}

/** The wsse:Security header blocks this server acts on. */
export function securityHeaders(header: XmlElement | undefined): XmlElement[] {
  return (header?.children ?? []).filter((h) => h.ns === NS.wsse && h.local === 'Security' && addressedHere(h.attrs[`{${NS.soap12}}role`]));
}

/** True when a Security header block carries a SAML assertion (SAML 2.0 or 1.x) as a token. */
export function carriesAssertion(header: XmlElement | undefined): boolean {
  return securityHeaders(header).some((s) => s.children.some((c) => c.local === 'Assertion' && (c.ns === NS.saml2 || c.ns === NS.saml1)));
}

class HeaderEnd extends Error {
  constructor(readonly end: number) {
    super('header end');
  }
}

/**
 * The envelope's text up to the end of its soap:Header, with the Envelope closed after it: the same
 * bytes, prefixes and namespace declarations the signer saw, as a document of its own. The text was
 * already parsed (and accepted) as the envelope; this second pass stops at the Header's end.
 */
export function headerDocument(envelopeText: string): string {
  const text = envelopeText.replace(/^\uFEFF/, '');
  const parser = new SaxesParser({ xmlns: true, position: true });
  let depth = 0;
  let envelopeName = '';
  parser.on('opentag', (t) => {
    if (depth === 0) envelopeName = t.name;
    depth++;
  });
  parser.on('closetag', (t) => {
    depth--;
    if (depth === 1 && t.local === 'Header' && t.uri === NS.soap12) throw new HeaderEnd(parser.position);
  });
  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof HeaderEnd) return `${text.slice(0, e.end)}</${envelopeName}>`;
    throw e;
  }
  throw new Error('the envelope has no Header');
}
