/**
 * The one XML reader of the SOAP and ebXML edges: namespace-aware (saxes), into a small element
 * tree. It never expands entities: a DOCTYPE (and so any entity declaration, the XML bomb's tool) is
 * refused outright, as SOAP 1.2 Part 1 5 forbids a DTD in an envelope anyway. Depth and size are
 * bounded by the caller's limits.
 */
import { SaxesParser } from 'saxes';

export interface XmlElement {
  /** Namespace URI ('' for none). */
  ns: string;
  local: string;
  /** Attributes without a namespace by local name; namespaced ones as `{uri}local`. */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The text directly inside this element (CDATA included). */
  text: string;
}

export type XmlErrorKind = 'malformed' | 'doctype' | 'too-large' | 'too-deep';

export class XmlError extends Error {
  constructor(
    readonly kind: XmlErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'XmlError';
  }
}

export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 64 * 1024 * 1024, maxDepth: 64 };

export function parseXml(input: string | Buffer, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > limits.maxBytes) throw new XmlError('too-large', `XML of ${size} bytes exceeds the limit of ${limits.maxBytes}`);
  const text = typeof input === 'string' ? input : input.toString('utf8');
  // Without position tracking: a fifth faster, and errors need no line numbers to be refused.
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: XmlError | undefined;
  parser.on('doctype', () => {
    throw new XmlError('doctype', 'a DOCTYPE (DTD, entity declarations) is not accepted');
  });
  parser.on('opentag', (tag) => {
    if (stack.length >= limits.maxDepth) throw new XmlError('too-deep', `XML nested deeper than ${limits.maxDepth} elements`);
    const attrs: Record<string, string> = {};
    const all = tag.attributes;
    for (const name in all) {
      const a = all[name];
      if (a.prefix === 'xmlns' || name === 'xmlns') continue;
      attrs[a.uri ? `{${a.uri}}${a.local}` : a.local] = a.value;
    }
    const el: XmlElement = { ns: tag.uri ?? '', local: tag.local ?? tag.name, attrs, children: [], text: '' };
    if (stack.length > 0) stack[stack.length - 1].children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('text', (t) => {
    if (stack.length > 0) stack[stack.length - 1].text += t;
  });
  parser.on('cdata', (t) => {
    if (stack.length > 0) stack[stack.length - 1].text += t;
  });
  parser.on('error', (e) => {
    throw new XmlError('malformed', e.message);
  });
  try {
    parser.write(text.replace(/^\uFEFF/, '')).close();
  } catch (e) {
    failure = e instanceof XmlError ? e : new XmlError('malformed', e instanceof Error ? e.message : String(e));
  }
  if (failure) throw failure;
  if (!root) throw new XmlError('malformed', 'no root element');
  return root;
}

/** Direct children in namespace `ns` named `local`. */
export function childrenOf(el: XmlElement, ns: string, local: string): XmlElement[] {
  return el.children.filter((c) => c.local === local && c.ns === ns);
}

export function childOf(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  return el.children.find((c) => c.local === local && c.ns === ns);
}
