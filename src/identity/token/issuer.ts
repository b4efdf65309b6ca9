/**
 * The demo and test issuer of medical-field tokens. The national system derives the token from the
 * individual number somewhere the HIE never sees; this issuer stands in for it so that demos and
 * tests get stable, realistic tokens. The individual number passes through `issue` and nowhere else:
 * it is not returned, logged or kept.
 */
import { isValidIndividualNumber } from './checkDigit.ts';
import { keyedDigest } from './keyedDigest.ts';

export class InvalidIndividualNumberError extends Error {
  constructor() {
    // The message never repeats the number.
    super('not a valid individual number (12 digits with a correct check digit)');
    this.name = 'InvalidIndividualNumberError';
  }
}

export class TokenIssuer {
  constructor(private readonly key: Buffer) {
    if (key.length < 16) throw new RangeError('token issuer key must be at least 16 bytes');
  }

  issue(individualNumber: string): string {
    const n = individualNumber.trim();
    if (!isValidIndividualNumber(n)) throw new InvalidIndividualNumberError();
    return keyedDigest(this.key, 'medical-field-token', n);
  }
}

/**
 * Organization-specific pseudonyms: one key per organization, so that two organizations'
 * pseudonyms of one patient cannot be joined without the HIE.
 */
export function organizationPseudonym(orgKey: Buffer, token: string): string {
  return keyedDigest(orgKey, 'organization-pseudonym', token);
}
