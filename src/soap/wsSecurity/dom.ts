/**
 * The few DOM steps the WS-Security code takes on @xmldom/xmldom documents (the DOM xml-crypto checks
 * signatures on): parsing that refuses what is not well-formed, and finding child elements by
 * namespace and local name.
 */
import { DOMParser } from '@xmldom/xmldom';

const ELEMENT_NODE = 1;

export class DomError extends Error {}

/** Parses a document; any parser error or warning (not well-formed, undeclared prefix) throws DomError. */
export function parseDom(text: string): Document {
  const fail = (m: string) => {
    throw new DomError(m);
  };
  const doc = new DOMParser({ errorHandler: { warning: fail, error: fail, fatalError: fail } }).parseFromString(text, 'text/xml');
  if (!doc?.documentElement) throw new DomError('no document element');
  return doc;
}

export function childElements(el: Node, ns?: string, local?: string): Element[] {
  const out: Element[] = [];
  const nodes = el.childNodes;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n.nodeType !== ELEMENT_NODE) continue;
    const e = n as Element;
    if (ns !== undefined && e.namespaceURI !== ns) continue;
    if (local !== undefined && e.localName !== local) continue;
    out.push(e);
  }
  return out;
}

export function childElement(el: Node, ns: string, local: string): Element | undefined {
  return childElements(el, ns, local)[0];
}

/** An attribute without a namespace, undefined when absent. */
export function attr(el: Element, name: string): string | undefined {
  return el.hasAttribute(name) ? el.getAttribute(name) ?? undefined : undefined;
}

export function textOf(el: Element | undefined): string {
  return (el?.textContent ?? '').trim();
}
