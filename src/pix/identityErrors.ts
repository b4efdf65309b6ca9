/** Identity errors as HL7 v2 errors, located at the identifier that caused them. */
import { Hl7ProcessingError, type ErrorLocation } from '../hl7v2/errors.ts';
import { IdentityError } from '../identity/errors.ts';

export function identityErrorToHl7(e: IdentityError, at: { segment: string; field: number }): Hl7ProcessingError {
  const rep = e.index === undefined ? undefined : e.index + 1;
  const loc = (component?: number): ErrorLocation => ({ segment: at.segment, field: at.field, repetition: rep, component: rep ? component : undefined });
  switch (e.reason) {
    case 'unknown-domain':
    case 'inconsistent-authority':
      return Hl7ProcessingError.error(204, e.message, loc(4));
    case 'missing-authority':
      return Hl7ProcessingError.error(101, e.message, loc(4));
    case 'unknown-identifier':
      return Hl7ProcessingError.error(204, e.message, loc(1));
    case 'conflicting-tokens':
      return Hl7ProcessingError.error(205, e.message, loc());
    case 'individual-number':
      return Hl7ProcessingError.reject(103, e.message, loc());
    // Both are about the prior identifier, wherever the caller located the call. HL7 table 0357
    // has no merge-specific code: the prior's assigning authority names no surviving key (204),
    // and a prior that is the survivor duplicates its key (205).
    case 'cross-domain-merge':
      return Hl7ProcessingError.error(204, e.message, { segment: 'MRG', field: 1, repetition: rep, component: rep ? 4 : undefined });
    case 'self-merge':
      return Hl7ProcessingError.error(205, e.message, { segment: 'MRG', field: 1, repetition: rep });
    // An unmerge names a prior identifier that no merge took (204), or one a later merge holds (206 record locked).
    case 'not-merged':
      return Hl7ProcessingError.error(204, e.message, { segment: 'MRG', field: 1, repetition: rep });
    case 'merged-since':
      return Hl7ProcessingError.error(206, e.message, { segment: 'MRG', field: 1, repetition: rep });
  }
}

/** Runs `fn`, turning identity errors into HL7 errors located at the given field. */
export async function locatedAt<T>(at: { segment: string; field: number }, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof IdentityError) throw identityErrorToHl7(e, at);
    throw e;
  }
}
