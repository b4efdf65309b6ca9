/**
 * The JSON body a registry object is stored as by every engine, and back. The Classifications and
 * ExternalIdentifiers nested in an object are stored without their empty lists and without the
 * reference to the object they are nested in (classifiedObject, registryObject), both put back on
 * reading: a DocumentEntry's body is about a quarter smaller, so that two of them fit one 8 KiB page.
 * A body stored whole reads the same.
 */
import type { Classification, ExternalIdentifier, RegistryObject } from '../ebxml/rim.ts';

type Nested = Classification | ExternalIdentifier;

const LISTS = ['slots', 'name', 'description', 'classifications', 'externalIdentifiers'] as const;
const LIST_KEYS: ReadonlySet<string> = new Set(LISTS);

/** The reference a nested object of this type holds to the object it is nested in. */
const parentField = (o: { type?: string }): 'classifiedObject' | 'registryObject' | undefined =>
  o.type === 'Classification' ? 'classifiedObject' : o.type === 'ExternalIdentifier' ? 'registryObject' : undefined;

function compactNested(o: Nested, parentId: string): Record<string, unknown> {
  const ref = parentField(o);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const v = (o as unknown as Record<string, unknown>)[k];
    if (Array.isArray(v) && v.length === 0 && LIST_KEYS.has(k)) continue;
    if (k === ref && v === parentId) continue;
    out[k] = k === 'classifications' || k === 'externalIdentifiers' ? (v as Nested[]).map((n) => compactNested(n, o.id)) : v;
  }
  return out;
}

function expandNested(o: Record<string, unknown>, parentId: string): void {
  for (const k of LISTS) o[k] ??= [];
  const ref = parentField(o);
  if (ref) o[ref] ??= parentId;
  for (const n of o.classifications as Record<string, unknown>[]) expandNested(n, o.id as string);
  for (const n of o.externalIdentifiers as Record<string, unknown>[]) expandNested(n, o.id as string);
}

export function encodeBody(o: RegistryObject): string {
  if (o.classifications.length === 0 && o.externalIdentifiers.length === 0) return JSON.stringify(o);
  const top: Record<string, unknown> = { ...o };
  top.classifications = o.classifications.map((n) => compactNested(n, o.id));
  top.externalIdentifiers = o.externalIdentifiers.map((n) => compactNested(n, o.id));
  return JSON.stringify(top);
}

export function decodeBody(body: string): RegistryObject {
  const o = JSON.parse(body) as RegistryObject;
  for (const n of o.classifications) expandNested(n as unknown as Record<string, unknown>, o.id);
  for (const n of o.externalIdentifiers) expandNested(n as unknown as Record<string, unknown>, o.id);
  return o;
}
