/**
 * A FHIR resource in its JSON form written as FHIR XML (R4 xml.html), driven by the R4 schema
 * (schemaModel.ts): elements in the definition's order; primitives as a `value` attribute with their
 * `_element` sibling's id (attribute) and extensions (children) merged in; `id` of a datatype or
 * backbone element and `url` of an Extension as attributes; resources wrapped in an element named by
 * their type (contained, Bundle.entry.resource, Parameters.parameter.resource); the narrative's div as
 * XHTML markup. Numbers are written as the JSON model holds them (String(n): no rounding, no fixed
 * digits). A property the schema does not know is an error: the server never writes invalid FHIR.
 */
import { escapeAttr } from '../../xml/write.ts';
import { RESOURCE_LIST, XHTML_TYPE, resourceModel, typeModel, type ElementModel, type TypeModel } from './schemaModel.ts';
import { FhirXmlError } from './tree.ts';
import { xhtmlOfJson, xhtmlText } from './xhtml.ts';

export const FHIR_NS = 'http://hl7.org/fhir';

/** Deep enough for any narrative a resource carries (the JSON body's own limit is 100). */
const MAX_XHTML_DEPTH = 100;

type Json = Record<string, unknown>;

export function fhirXml(resource: object): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  writeResource(out, resource as Json, true, '');
  return out.join('');
}

function writeResource(out: string[], r: Json, root: boolean, path: string): void {
  const type = r.resourceType;
  if (typeof type !== 'string') throw new FhirXmlError(`${path || 'the resource'} has no resourceType`);
  const model = resourceModel(type);
  if (!model) throw new FhirXmlError(`${path || 'the resource'}: ${type} is not an R4 resource`);
  out.push(`<${type}${root ? ` xmlns="${FHIR_NS}"` : ''}>`);
  writeChildren(out, model, r, type);
  out.push(`</${type}>`);
}

/** Attributes of a complex element: `id` (any element but a resource) and an Extension's `url`. */
function isAttribute(model: TypeModel, name: string): boolean {
  return (name === 'id' && !model.resource) || (name === 'url' && model.name === 'Extension');
}

function writeChildren(out: string[], model: TypeModel, obj: Json, path: string): void {
  for (const key of Object.keys(obj)) {
    if (key === 'resourceType' && model.resource) continue;
    const base = key.startsWith('_') ? key.slice(1) : key;
    const el = model.byName.get(base);
    if (!el || (key !== base && !el.primitive)) throw new FhirXmlError(`${path}.${key} is not an element of ${model.name}`);
  }
  for (const el of model.elements) {
    if (isAttribute(model, el.name)) continue;
    const value = obj[el.name];
    const ext = obj[`_${el.name}`];
    if (value === undefined && ext === undefined) continue;
    const at = `${path}.${el.name}`;
    if (el.primitive) writePrimitives(out, el, value, ext, at);
    else for (const one of listOf(el, value, at)) writeComplex(out, el, one, at);
  }
}

function listOf(el: ElementModel, value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (el.repeats !== Array.isArray(value)) throw new FhirXmlError(`${path} ${el.repeats ? 'repeats: an array is' : 'does not repeat: an array is not'} expected`);
  return el.repeats ? (value as unknown[]) : [value];
}

function writeComplex(out: string[], el: ElementModel, value: unknown, path: string): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new FhirXmlError(`${path} is an object in JSON`);
  const obj = value as Json;
  if (el.type === RESOURCE_LIST) {
    out.push(`<${el.name}>`);
    writeResource(out, obj, false, path);
    out.push(`</${el.name}>`);
    return;
  }
  const model = typeModel(el.type);
  if (!model) throw new FhirXmlError(`${path}: no definition of ${el.type}`);
  let attrs = '';
  if (obj.id !== undefined) attrs += ` id="${escapeAttr(String(obj.id))}"`;
  if (model.name === 'Extension' && obj.url !== undefined) attrs += ` url="${escapeAttr(String(obj.url))}"`;
  const inner: string[] = [];
  writeChildren(inner, model, obj, path);
  out.push(inner.length ? `<${el.name}${attrs}>${inner.join('')}</${el.name}>` : `<${el.name}${attrs}/>`);
}

function writePrimitives(out: string[], el: ElementModel, value: unknown, ext: unknown, path: string): void {
  if (el.type === XHTML_TYPE) {
    if (typeof value !== 'string') throw new FhirXmlError(`${path} is XHTML in a string`);
    out.push(xhtmlText(xhtmlOfJson(value, MAX_XHTML_DEPTH)));
    return;
  }
  if (!el.repeats) {
    writePrimitive(out, el, value, ext, path);
    return;
  }
  const values = value === undefined || value === null ? [] : value;
  const exts = ext === undefined || ext === null ? [] : ext;
  if (!Array.isArray(values) || !Array.isArray(exts)) throw new FhirXmlError(`${path} repeats: an array is expected`);
  if (values.length && exts.length && values.length !== exts.length) throw new FhirXmlError(`${path} and _${el.name} differ in length`);
  const n = Math.max(values.length, exts.length);
  for (let i = 0; i < n; i++) writePrimitive(out, el, values[i], exts[i], `${path}[${i}]`);
}

function writePrimitive(out: string[], el: ElementModel, value: unknown, ext: unknown, path: string): void {
  let attrs = '';
  let inner = '';
  if (ext !== undefined && ext !== null) {
    if (typeof ext !== 'object' || Array.isArray(ext)) throw new FhirXmlError(`${path}: _${el.name} is an object`);
    const e = ext as Json;
    for (const k of Object.keys(e)) if (k !== 'id' && k !== 'extension') throw new FhirXmlError(`${path}: _${el.name} holds id and extension only, not ${k}`);
    if (e.id !== undefined) attrs += ` id="${escapeAttr(String(e.id))}"`;
    const extension = typeModel('Element')!.byName.get('extension')!;
    const parts: string[] = [];
    for (const one of listOf(extension, e.extension, `${path}.extension`)) writeComplex(parts, extension, one, `${path}.extension`);
    inner = parts.join('');
  }
  if (value !== undefined && value !== null) attrs += ` value="${escapeAttr(lexical(el, value, path))}"`;
  if (!attrs && !inner) throw new FhirXmlError(`${path} has neither a value nor an id or extension`);
  out.push(inner ? `<${el.name}${attrs}>${inner}</${el.name}>` : `<${el.name}${attrs}/>`);
}

function lexical(el: ElementModel, value: unknown, path: string): string {
  if (typeof value !== el.json) throw new FhirXmlError(`${path} is a ${el.json} in JSON, not a ${typeof value}`);
  if (typeof value === 'number' && !Number.isFinite(value)) throw new FhirXmlError(`${path} is not a finite number`);
  return String(value);
}
