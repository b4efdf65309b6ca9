/**
 * The XML reader of the FHIR XML format: namespace-aware (saxes) into a tree that keeps mixed content
 * in order (the XHTML of a narrative needs it). Hardened as the SOAP edge's reader is: a DOCTYPE is
 * refused outright, so no DTD is read and no entity but the five predefined ones and character
 * references is ever expanded (XXE, entity expansion); nesting is bounded. FHIR XML is UTF-8
 * (xml.html): a declaration naming another encoding is refused.
 */
import { SaxesParser } from 'saxes';

export interface XmlAttribute {
  uri: string;
  local: string;
  prefix: string;
  value: string;
}

export interface XmlNode {
  uri: string;
  local: string;
  attributes: XmlAttribute[];
  /** Elements and text, in document order. */
  children: (XmlNode | string)[];
}

export class FhirXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FhirXmlError';
  }
}

export function readXmlTree(text: string, maxDepth: number): XmlNode {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  parser.on('xmldecl', (decl) => {
    if (decl.encoding && !/^utf-8$/i.test(decl.encoding)) throw new FhirXmlError(`FHIR XML is UTF-8, not ${decl.encoding}`);
  });
  parser.on('doctype', () => {
    throw new FhirXmlError('a DOCTYPE (DTD, entity declarations) is not accepted');
  });
  parser.on('opentag', (tag) => {
    if (stack.length >= maxDepth) throw new FhirXmlError(`XML nested deeper than ${maxDepth} elements`);
    const attributes: XmlAttribute[] = [];
    for (const a of Object.values(tag.attributes)) {
      if (a.prefix === 'xmlns' || a.name === 'xmlns') continue;
      attributes.push({ uri: a.uri, local: a.local, prefix: a.prefix, value: a.value });
    }
    const node: XmlNode = { uri: tag.uri, local: tag.local, attributes, children: [] };
    if (stack.length > 0) stack[stack.length - 1].children.push(node);
    else root = node;
    stack.push(node);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const addText = (t: string) => {
    const top = stack[stack.length - 1];
    if (!top) return;
    const last = top.children[top.children.length - 1];
    if (typeof last === 'string') top.children[top.children.length - 1] = last + t;
    else top.children.push(t);
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('error', (e) => {
    throw new FhirXmlError(e.message);
  });
  try {
    parser.write(text.replace(/^\uFEFF/, '')).close();
  } catch (e) {
    throw e instanceof FhirXmlError ? e : new FhirXmlError(e instanceof Error ? e.message : String(e));
  }
  if (!root) throw new FhirXmlError('no root element');
  return root;
}
