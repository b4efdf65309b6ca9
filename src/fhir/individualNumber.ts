/**
 * The refusal of a FHIR request that names an identifier of the individual-number domain
 * (docs/individual-number.md): 400, issue code code-invalid, located at the parameter, never
 * repeating the value. The faces tell it by its type, and audit the refusal without the query text.
 */
import { FhirError } from './outcome.ts';

export class IndividualNumberRefused extends FhirError {
  constructor(parameter: string) {
    super(400, 'code-invalid', `${parameter} names the individual-number domain, which this server never takes`, [parameter]);
    this.name = 'IndividualNumberRefused';
  }
}
