/**
 * The narrative's `div` (FHIR R4 narrative.html, xml.html, json.html#xhtml): XHTML markup in the XML
 * format, the same markup as one escaped string in JSON, its root a `div` in the XHTML namespace
 * that declares that namespace. Written back with each namespace declared where it changes.
 */
import { escapeAttr, escapeText } from '../../xml/write.ts';
import { FhirXmlError, readXmlTree, type XmlNode } from './tree.ts';

export const XHTML_NS = 'http://www.w3.org/1999/xhtml';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** An XHTML subtree as text, the default namespace declared on the root (and wherever it changes). */
export function xhtmlText(node: XmlNode, parentUri = ''): string {
  let attrs = node.uri !== parentUri ? ` xmlns="${escapeAttr(node.uri)}"` : '';
  let n = 0;
  for (const a of node.attributes) {
    if (!a.uri) attrs += ` ${a.local}="${escapeAttr(a.value)}"`;
    else if (a.uri === XML_NS) attrs += ` xml:${a.local}="${escapeAttr(a.value)}"`;
    else attrs += ` xmlns:a${n}="${escapeAttr(a.uri)}" a${n++}:${a.local}="${escapeAttr(a.value)}"`;
  }
  if (node.children.length === 0) return `<${node.local}${attrs}/>`;
  const inner = node.children.map((c) => (typeof c === 'string' ? escapeText(c) : xhtmlText(c, node.uri))).join('');
  return `<${node.local}${attrs}>${inner}</${node.local}>`;
}

/** The `div` a JSON narrative holds, read as markup; refused unless it is one XHTML div. */
export function xhtmlOfJson(div: string, maxDepth: number): XmlNode {
  const node = readXmlTree(div, maxDepth);
  checkDiv(node);
  return node;
}

export function checkDiv(node: XmlNode): void {
  if (node.uri !== XHTML_NS || node.local !== 'div') throw new FhirXmlError(`a narrative is one div in the XHTML namespace (${XHTML_NS}), not ${node.uri ? `{${node.uri}}` : ''}${node.local}`);
}
