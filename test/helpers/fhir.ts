/** A small FHIR client for tests: JSON in and out, and every answer checked against the FHIR R4 JSON schema. */
import { expect } from 'chai';
import { FhirSchemaValidator } from '../../src/fhir/schemaValidator.ts';

const schema = new FhirSchemaValidator();

export interface FhirAnswer {
  status: number;
  headers: Headers;
  body: any;
}

/** The answer, after checking it is FHIR JSON that validates as the resource type it claims. */
export async function fhir(url: string, init: RequestInit = {}): Promise<FhirAnswer> {
  const res = await fetch(url, init);
  const text = await res.text();
  expect(res.headers.get('content-type'), `${url}: content type`).to.match(/^application\/fhir\+json/);
  const body = JSON.parse(text);
  const errors = schema.validate(body, body.resourceType);
  expect(errors, `${url}: ${body.resourceType} against the FHIR R4 schema`).to.deep.equal([]);
  return { status: res.status, headers: res.headers, body };
}

export const postJson = (body: unknown, type = 'application/fhir+json'): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': type },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
