/**
 * The ebRIM 3.0 objects XDS metadata is made of (OASIS regrep-rim-3.0, ITI TF-3 4.2.3), as plain
 * typed values. The codec (decode.ts, encode.ts) converts them from and to XML; the registry works
 * on them and never on XML.
 */
export interface LocalizedString {
  value: string;
  /** xml:lang; absent means the default (en-US in ebRIM). */
  lang?: string;
  charset?: string;
}

export interface Slot {
  name: string;
  slotType?: string;
  values: string[];
}

export interface RegistryObjectBase {
  id: string;
  home?: string;
  lid?: string;
  objectType?: string;
  status?: string;
  slots: Slot[];
  name: LocalizedString[];
  description: LocalizedString[];
  /** VersionInfo/@versionName. */
  versionName?: string;
  classifications: Classification[];
  externalIdentifiers: ExternalIdentifier[];
}

export interface Classification extends RegistryObjectBase {
  type: 'Classification';
  classificationScheme?: string;
  classificationNode?: string;
  classifiedObject: string;
  nodeRepresentation?: string;
}

export interface ExternalIdentifier extends RegistryObjectBase {
  type: 'ExternalIdentifier';
  registryObject: string;
  identificationScheme: string;
  value: string;
}

export interface ExtrinsicObject extends RegistryObjectBase {
  type: 'ExtrinsicObject';
  mimeType?: string;
  isOpaque?: boolean;
}

export interface RegistryPackage extends RegistryObjectBase {
  type: 'RegistryPackage';
}

export interface Association extends RegistryObjectBase {
  type: 'Association';
  associationType: string;
  sourceObject: string;
  targetObject: string;
}

export interface ObjectRef {
  type: 'ObjectRef';
  id: string;
  home?: string;
}

export type RegistryObject = ExtrinsicObject | RegistryPackage | Association | Classification | ExternalIdentifier;
export type Identifiable = RegistryObject | ObjectRef;

export const emptyBase = (id: string): RegistryObjectBase => ({
  id,
  slots: [],
  name: [],
  description: [],
  classifications: [],
  externalIdentifiers: [],
});

/** What a registry object of kind T holds besides its base fields, and any base fields it sets. */
export type ObjectFields<T extends RegistryObject> = Omit<T, keyof RegistryObjectBase> & Partial<RegistryObjectBase>;

/**
 * A registry object: `base` with the fields of its kind added (and any base field replaced). Fields are
 * added to the one object rather than spread into a new one (`{ ...emptyBase(id), type, ... }`):
 * in V8 (Node 20) every object made by spreading another gets a hidden class of its own, so every
 * later property read on it misses the inline caches. The registry reads each object many times
 * (figures: bench/README.md, SS-MIX2 ingest, "Registry objects no longer made by spreading").
 */
export function withFields<T extends RegistryObject>(base: RegistryObjectBase, fields: ObjectFields<T>): T {
  return Object.assign(base, fields) as T;
}

/** A new registry object of kind T: empty base lists unless `fields` gives them. */
export function registryObject<T extends RegistryObject>(id: string, fields: ObjectFields<T>): T {
  return withFields<T>(emptyBase(id), fields);
}

export function slotValues(o: { slots: Slot[] }, name: string): string[] | undefined {
  return o.slots.find((s) => s.name === name)?.values;
}

export function slotValue(o: { slots: Slot[] }, name: string): string | undefined {
  return slotValues(o, name)?.[0];
}

/** Sets (replaces) a slot. */
export function setSlot(o: { slots: Slot[] }, name: string, values: string[]): void {
  const i = o.slots.findIndex((s) => s.name === name);
  if (i >= 0) o.slots[i] = Object.assign({}, o.slots[i], { values });
  else o.slots.push({ name, values });
}

export const isUuid = (id: string) => /^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(id);
