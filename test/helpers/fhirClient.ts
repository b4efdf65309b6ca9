/**
 * fhir-kit-client for the end-to-end tests of the FHIR faces: every answer, success or refusal,
 * checked against the FHIR R4 JSON schema; a refusal read back as its status, OperationOutcome and
 * header fields.
 */
import { expect } from 'chai';
import { Client } from 'fhir-kit-client';
import type { OperationOutcome } from 'fhir/r4.js';
import { FhirSchemaValidator } from '../../src/fhir/schemaValidator.ts';

const schema = new FhirSchemaValidator();

export function fhirClient(baseUrl: string, bearerToken?: string, customHeaders?: Record<string, string>): Client {
  return new Client({ baseUrl, ...(bearerToken ? { bearerToken } : {}), ...(customHeaders ? { customHeaders } : {}) });
}

/** The resource, after checking it validates as the resource type it claims. */
export function valid<T>(resource: T): T {
  const r = resource as { resourceType?: string };
  expect(r, 'a FHIR resource').to.have.property('resourceType');
  expect(schema.validate(r, r.resourceType!), `${r.resourceType} against the FHIR R4 schema`).to.deep.equal([]);
  return resource;
}

export interface Refusal {
  status: number;
  outcome: OperationOutcome;
  headers: Headers;
}

/** The refusal a request ends in: it must fail, with a valid OperationOutcome as its body. */
export async function refusal(p: Promise<unknown>): Promise<Refusal> {
  let err: { response?: { status: number; data: unknown }; config?: { headers: Headers } } | undefined;
  try {
    await p;
  } catch (e) {
    err = e as typeof err;
  }
  expect(err, 'the request is refused').to.not.equal(undefined);
  expect(err!.response, String(err)).to.not.equal(undefined);
  const outcome = err!.response!.data as OperationOutcome;
  expect(outcome?.resourceType, `an OperationOutcome, not ${JSON.stringify(outcome)?.slice(0, 200)}`).to.equal('OperationOutcome');
  valid(outcome);
  return { status: err!.response!.status, outcome, headers: err!.config!.headers };
}

export const issue = (r: Refusal) => r.outcome.issue[0];
