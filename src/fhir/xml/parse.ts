/**
 * FHIR XML (R4 xml.html) read into the JSON form every handler takes, driven by the R4 schema
 * (schemaModel.ts): the root and any wrapped resource named by its type; elements in the
 * definition's order (out of order or repeated where they may not: refused); a primitive's `value`
 * attribute typed as the schema says (booleans and numbers as JSON booleans and numbers, their
 * lexical form checked), its id and extensions into the `_element` sibling (arrays kept parallel,
 * null where one side is absent); `id` and an Extension's `url` from attributes; the narrative's div
 * kept as XHTML text. Anything else (an unknown element or attribute, text where FHIR has none, a
 * foreign namespace) is refused with the place it was found.
 */
import { RESOURCE_LIST, XHTML_TYPE, resourceModel, typeModel, type ElementModel, type TypeModel } from './schemaModel.ts';
import { FHIR_NS } from './serialize.ts';
import { FhirXmlError, readXmlTree, type XmlNode } from './tree.ts';
import { checkDiv, xhtmlText } from './xhtml.ts';

type Json = Record<string, unknown>;

/** A FHIR XML document as the JSON resource it is; `maxDepth` bounds element nesting. */
export function parseFhirXml(text: string, maxDepth: number): Json {
  return readResource(readXmlTree(text, maxDepth), '');
}

function readResource(node: XmlNode, path: string): Json {
  const where = path ? `${path}: ` : '';
  if (node.uri !== FHIR_NS) throw new FhirXmlError(`${where}the resource element is ${node.local} in ${node.uri ? `namespace ${node.uri}` : 'no namespace'}, not in ${FHIR_NS}`);
  const model = resourceModel(node.local);
  if (!model) throw new FhirXmlError(`${where}${node.local} is not an R4 resource`);
  attributesOf(node, [], path || node.local);
  return { resourceType: node.local, ...readChildren(node, model, node.local) };
}

function readChildren(node: XmlNode, model: TypeModel, path: string): Json {
  const obj: Json = {};
  let last = -1;
  let lastName = '';
  for (const child of node.children) {
    if (typeof child === 'string') {
      if (child.trim()) throw new FhirXmlError(`${path} holds text; FHIR elements carry values in attributes`);
      continue;
    }
    const at = `${path}.${child.local}`;
    const el = model.byName.get(child.local);
    // The narrative's div is XHTML's (checked by readXhtml); every other element is FHIR's.
    if (child.uri !== FHIR_NS && el?.type !== XHTML_TYPE) throw new FhirXmlError(`${at} is in ${child.uri ? `namespace ${child.uri}` : 'no namespace'}, not in ${FHIR_NS}`);
    if (!el || isAttribute(model, el.name)) throw new FhirXmlError(`${at} is not an element of ${model.name}`);
    const position = model.order.get(el.name)!;
    if (position < last) throw new FhirXmlError(`${at} is out of order: FHIR XML elements follow the definition's order (xml.html), and ${el.name} comes before ${lastName}`);
    if (position === last && !el.repeats) throw new FhirXmlError(`${at} appears more than once and does not repeat`);
    last = position;
    lastName = el.name;
    if (el.type === XHTML_TYPE) {
      obj[el.name] = readXhtml(child, at);
    } else if (el.primitive) {
      readPrimitive(obj, el, child, at);
    } else {
      const value = el.type === RESOURCE_LIST ? readWrapped(child, at) : readComplex(child, el, at);
      if (el.repeats) ((obj[el.name] ??= []) as unknown[]).push(value);
      else obj[el.name] = value;
    }
  }
  // A repeating primitive's values and extensions stay parallel; a side all null is left out (json.html).
  for (const el of model.elements) {
    if (!el.primitive || !el.repeats) continue;
    for (const key of [el.name, `_${el.name}`]) if (Array.isArray(obj[key]) && (obj[key] as unknown[]).every((v) => v === null)) delete obj[key];
  }
  return obj;
}

/** Attributes in FHIR XML: `id` of a datatype or backbone element, an Extension's `url`. */
function isAttribute(model: TypeModel, name: string): boolean {
  return (name === 'id' && !model.resource) || (name === 'url' && model.name === 'Extension');
}

/** The attributes of an element: those it may have, anything unknown refused (other namespaces ignored). */
function attributesOf(node: XmlNode, allowed: string[], path: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const a of node.attributes) {
    if (a.uri) continue;
    if (!allowed.includes(a.local)) throw new FhirXmlError(`${path} has an attribute ${a.local} FHIR XML does not define here`);
    found.set(a.local, a.value);
  }
  return found;
}

function readComplex(node: XmlNode, el: ElementModel, path: string): Json {
  const model = typeModel(el.type);
  if (!model) throw new FhirXmlError(`${path}: no definition of ${el.type}`);
  const allowed = model.name === 'Extension' ? ['id', 'url'] : ['id'];
  const attrs = attributesOf(node, allowed, path);
  const obj: Json = {};
  if (attrs.has('id')) obj.id = attrs.get('id');
  if (attrs.has('url')) obj.url = attrs.get('url');
  const children = readChildren(node, model, path);
  const out = { ...obj, ...children };
  // JSON order: the definition's, id and url in their places.
  const ordered: Json = {};
  for (const e of model.elements) {
    if (out[e.name] !== undefined) ordered[e.name] = out[e.name];
    if (out[`_${e.name}`] !== undefined) ordered[`_${e.name}`] = out[`_${e.name}`];
  }
  return ordered;
}

/** A resource inside an element (contained, entry.resource, parameter.resource): exactly one. */
function readWrapped(node: XmlNode, path: string): Json {
  attributesOf(node, [], path);
  const inner = node.children.filter((c): c is XmlNode => typeof c !== 'string');
  if (node.children.some((c) => typeof c === 'string' && c.trim())) throw new FhirXmlError(`${path} holds text; it holds one resource`);
  if (inner.length !== 1) throw new FhirXmlError(`${path} holds exactly one resource, not ${inner.length}`);
  return readResource(inner[0], path);
}

function readXhtml(node: XmlNode, path: string): string {
  try {
    checkDiv(node);
  } catch (e) {
    throw new FhirXmlError(`${path}: ${(e as Error).message}`);
  }
  return xhtmlText(node);
}

function readPrimitive(obj: Json, el: ElementModel, node: XmlNode, path: string): void {
  const attrs = attributesOf(node, ['id', 'value'], path);
  const extension: Json[] = [];
  const extensionModel = typeModel('Element')!.byName.get('extension')!;
  for (const child of node.children) {
    if (typeof child === 'string') {
      if (child.trim()) throw new FhirXmlError(`${path} holds text; its value is the value attribute`);
      continue;
    }
    if (child.uri !== FHIR_NS || child.local !== 'extension') throw new FhirXmlError(`${path}.${child.local}: a primitive element holds extensions only`);
    extension.push(readComplex(child, extensionModel, `${path}.extension`));
  }
  const raw = attrs.get('value');
  if (raw === undefined && !attrs.has('id') && extension.length === 0) throw new FhirXmlError(`${path} has neither a value nor an id or extensions`);
  const value = raw === undefined ? null : typed(el, raw, path);
  const ext = attrs.has('id') || extension.length ? { ...(attrs.has('id') ? { id: attrs.get('id') } : {}), ...(extension.length ? { extension } : {}) } : null;
  if (!el.repeats) {
    if (value !== null) obj[el.name] = value;
    if (ext) obj[`_${el.name}`] = ext;
    return;
  }
  const values = (obj[el.name] ??= []) as unknown[];
  const exts = (obj[`_${el.name}`] ??= []) as unknown[];
  values.push(value);
  exts.push(ext);
}

/** A value attribute as the JSON type the schema gives: booleans and numbers typed, their lexical form checked. */
function typed(el: ElementModel, raw: string, path: string): string | number | boolean {
  if (el.json === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw new FhirXmlError(`${path}: the value is not a boolean (true or false)`);
    return raw === 'true';
  }
  if (el.json === 'number') {
    const n = Number(raw);
    if (!(el.pattern ?? /^-?\d/).test(raw) || !Number.isFinite(n) || raw.trim() !== raw || raw === '') throw new FhirXmlError(`${path}: the value is not a valid ${el.type}`); // never repeated: it may be an individual number
    return n;
  }
  return raw;
}
