/**
 * ebRIM 3.0 XML -> typed objects. Elements must be in the rim namespace; anything else where a
 * registry object is expected is an error naming it, not silently dropped.
 */
import { NS } from '../soap/namespaces.ts';
import type { XmlElement } from '../xml/parse.ts';
import { emptyBase, withFields, type Association, type Classification, type ExternalIdentifier, type ExtrinsicObject, type Identifiable, type LocalizedString, type RegistryObjectBase, type RegistryPackage, type Slot } from './rim.ts';

export class EbxmlDecodeError extends Error {
  constructor(
    message: string,
    readonly location = '',
  ) {
    super(message);
    this.name = 'EbxmlDecodeError';
  }
}

const XML_LANG = `{${NS.xml}}lang`;

/** urn:uuid: references with stray whitespace inside (seen in published samples) are read without it. */
function ref(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  return /^urn:uuid:/i.test(t) ? t.replace(/\s+/g, '') : t;
}

const rimChildren = (el: XmlElement, local: string) => el.children.filter((c) => c.ns === NS.rim && c.local === local);

function localizedStrings(el: XmlElement | undefined): LocalizedString[] {
  if (!el) return [];
  return rimChildren(el, 'LocalizedString').map((ls) => {
    const out: LocalizedString = { value: ls.attrs.value ?? '' };
    if (ls.attrs[XML_LANG]) out.lang = ls.attrs[XML_LANG];
    if (ls.attrs.charset) out.charset = ls.attrs.charset;
    return out;
  });
}

function slot(s: XmlElement): Slot {
  const vl = rimChildren(s, 'ValueList')[0];
  const out: Slot = { name: s.attrs.name ?? '', values: vl ? rimChildren(vl, 'Value').map((v) => v.text.trim()) : [] };
  if (s.attrs.slotType) out.slotType = s.attrs.slotType;
  return out;
}

export function decodeSlots(el: XmlElement): Slot[] {
  return rimChildren(el, 'Slot').map(slot);
}

function base(el: XmlElement): RegistryObjectBase {
  const id = ref(el.attrs.id);
  if (!id) throw new EbxmlDecodeError(`${el.local} without an id`, el.local);
  const b = emptyBase(id);
  if (el.attrs.home) b.home = el.attrs.home;
  if (el.attrs.lid) b.lid = ref(el.attrs.lid);
  if (el.attrs.objectType) b.objectType = ref(el.attrs.objectType);
  if (el.attrs.status) b.status = el.attrs.status.trim();
  // One pass over the children (a DocumentEntry has some thirty).
  let name: XmlElement | undefined;
  let description: XmlElement | undefined;
  for (const c of el.children) {
    if (c.ns !== NS.rim) continue;
    switch (c.local) {
      case 'Slot':
        b.slots.push(slot(c));
        break;
      case 'Name':
        name ??= c;
        break;
      case 'Description':
        description ??= c;
        break;
      case 'VersionInfo':
        if (c.attrs.versionName && b.versionName === undefined) b.versionName = c.attrs.versionName;
        break;
      case 'Classification':
        b.classifications.push(classification(c, id));
        break;
      case 'ExternalIdentifier':
        b.externalIdentifiers.push(externalIdentifier(c, id));
        break;
    }
  }
  b.name = localizedStrings(name);
  b.description = localizedStrings(description);
  return b;
}

function classification(el: XmlElement, parent?: string): Classification {
  const c = withFields<Classification>(base(el), { type: 'Classification', classifiedObject: ref(el.attrs.classifiedObject) ?? parent ?? '' });
  if (el.attrs.classificationScheme) c.classificationScheme = ref(el.attrs.classificationScheme);
  if (el.attrs.classificationNode) c.classificationNode = ref(el.attrs.classificationNode);
  if (el.attrs.nodeRepresentation !== undefined) c.nodeRepresentation = el.attrs.nodeRepresentation;
  return c;
}

function externalIdentifier(el: XmlElement, parent?: string): ExternalIdentifier {
  return withFields<ExternalIdentifier>(base(el), {
    type: 'ExternalIdentifier',
    registryObject: ref(el.attrs.registryObject) ?? parent ?? '',
    identificationScheme: ref(el.attrs.identificationScheme) ?? '',
    value: el.attrs.value ?? '',
  });
}

export function decodeIdentifiable(el: XmlElement): Identifiable {
  if (el.ns !== NS.rim) throw new EbxmlDecodeError(`unexpected element {${el.ns}}${el.local} in a RegistryObjectList`, el.local);
  switch (el.local) {
    case 'ExtrinsicObject': {
      const o = withFields<ExtrinsicObject>(base(el), { type: 'ExtrinsicObject', mimeType: el.attrs.mimeType });
      if (el.attrs.isOpaque !== undefined) o.isOpaque = el.attrs.isOpaque === 'true';
      return o;
    }
    case 'RegistryPackage':
      return withFields<RegistryPackage>(base(el), { type: 'RegistryPackage' });
    case 'Association': {
      return withFields<Association>(base(el), {
        type: 'Association',
        associationType: (el.attrs.associationType ?? '').trim(),
        sourceObject: ref(el.attrs.sourceObject) ?? '',
        targetObject: ref(el.attrs.targetObject) ?? '',
      });
    }
    case 'Classification':
      return classification(el);
    case 'ExternalIdentifier':
      return externalIdentifier(el);
    case 'ObjectRef': {
      const id = ref(el.attrs.id);
      if (!id) throw new EbxmlDecodeError('ObjectRef without an id', 'ObjectRef');
      return el.attrs.home ? { type: 'ObjectRef', id, home: el.attrs.home } : { type: 'ObjectRef', id };
    }
    default:
      throw new EbxmlDecodeError(`unexpected element rim:${el.local} in a RegistryObjectList`, el.local);
  }
}

/** The objects of a rim:RegistryObjectList element. */
export function decodeRegistryObjectList(list: XmlElement): Identifiable[] {
  return list.children.map(decodeIdentifiable);
}

/** The RegistryObjectList child of a request or response element (lcm:SubmitObjectsRequest, ...). */
export function registryObjectListOf(el: XmlElement): XmlElement | undefined {
  return el.children.find((c) => c.ns === NS.rim && c.local === 'RegistryObjectList');
}
