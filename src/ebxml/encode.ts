/**
 * Typed ebRIM objects -> XML, in the element and attribute order of rim.xsd. The rim prefix is
 * bound by the caller's root element (`xmlns:rim`).
 */
import { attrs, escapeAttr, escapeText } from '../xml/write.ts';
import type { Classification, ExternalIdentifier, Identifiable, LocalizedString, RegistryObjectBase, Slot } from './rim.ts';

function localized(element: string, list: LocalizedString[]): string {
  if (list.length === 0) return '';
  return `<rim:${element}>${list.map((l) => `<rim:LocalizedString${attrs([['xml:lang', l.lang], ['charset', l.charset], ['value', l.value]])}/>`).join('')}</rim:${element}>`;
}

export function encodeSlots(slots: Slot[]): string {
  let out = '';
  for (const s of slots) {
    out += `<rim:Slot${attrs([['name', s.name], ['slotType', s.slotType]])}><rim:ValueList>`;
    for (const v of s.values) out += `<rim:Value>${escapeText(v)}</rim:Value>`;
    out += '</rim:ValueList></rim:Slot>';
  }
  return out;
}

function content(o: RegistryObjectBase): string {
  return (
    encodeSlots(o.slots) +
    localized('Name', o.name) +
    localized('Description', o.description) +
    (o.versionName !== undefined ? `<rim:VersionInfo${attrs([['versionName', o.versionName]])}/>` : '') +
    o.classifications.map(encodeClassification).join('') +
    o.externalIdentifiers.map(encodeExternalIdentifier).join('')
  );
}

const common = (o: RegistryObjectBase): [string, string | undefined][] => [
  ['id', o.id],
  ['home', o.home],
  ['lid', o.lid],
  ['objectType', o.objectType],
  ['status', o.status],
];

function encodeClassification(c: Classification): string {
  return `<rim:Classification${attrs([
    ...common(c),
    ['classificationScheme', c.classificationScheme],
    ['classifiedObject', c.classifiedObject],
    ['classificationNode', c.classificationNode],
  ])}${c.nodeRepresentation !== undefined ? ` nodeRepresentation="${escapeAttr(c.nodeRepresentation)}"` : ''}>${content(c)}</rim:Classification>`;
}

function encodeExternalIdentifier(e: ExternalIdentifier): string {
  return `<rim:ExternalIdentifier${attrs([...common(e), ['registryObject', e.registryObject], ['identificationScheme', e.identificationScheme], ['value', e.value]])}>${content(e)}</rim:ExternalIdentifier>`;
}

export function encodeIdentifiable(o: Identifiable): string {
  switch (o.type) {
    case 'ObjectRef':
      return `<rim:ObjectRef${attrs([['id', o.id], ['home', o.home]])}/>`;
    case 'ExtrinsicObject':
      return `<rim:ExtrinsicObject${attrs([...common(o), ['mimeType', o.mimeType], ['isOpaque', o.isOpaque]])}>${content(o)}</rim:ExtrinsicObject>`;
    case 'RegistryPackage':
      return `<rim:RegistryPackage${attrs(common(o))}>${content(o)}</rim:RegistryPackage>`;
    case 'Association':
      return `<rim:Association${attrs([...common(o), ['associationType', o.associationType], ['sourceObject', o.sourceObject], ['targetObject', o.targetObject]])}>${content(o)}</rim:Association>`;
    case 'Classification':
      return encodeClassification(o);
    case 'ExternalIdentifier':
      return encodeExternalIdentifier(o);
  }
}

export function encodeRegistryObjectList(objects: Identifiable[]): string {
  return `<rim:RegistryObjectList>${objects.map(encodeIdentifiable).join('')}</rim:RegistryObjectList>`;
}
