/**
 * The failures of the XDS services as RegistryErrors (ITI TF-3 4.2.4.1): what the SOAP edge answers
 * and what the audit of a failed transaction names. Knows no SOAP and no XML.
 */
import { SubmissionNotAuthorized, type SubmissionRule } from '../consent/submissionAuthorization.ts';
import { EbxmlDecodeError } from '../ebxml/decode.ts';
import { InsufficientStorage } from '../kernel/freeSpace.ts';
import { StoreUnavailableError } from '../kernel/storeUnavailable.ts';
import type { RegistryError } from '../ebxml/registryResponse.ts';
import { asRegistryErrors, type XdsErrorCode } from './registry/errors.ts';

/** The RegistryError code a transaction answers a refusal by node authorization with, by the rule refused. */
export type DeniedCode = (rule: SubmissionRule) => XdsErrorCode;

/**
 * A failure as registry errors: typed XDS errors as they are, decoding errors as metadata errors, a
 * refusal by node authorization as `denied` says (one error per refused object, located at its id),
 * the rest as XDSRegistryError.
 */
export function errorsOf(e: unknown, internalCode: 'XDSRegistryError' | 'XDSRepositoryError' = 'XDSRegistryError', denied?: DeniedCode): { errors: RegistryError[]; internal: boolean } {
  const known = asRegistryErrors(e);
  if (known) return { errors: known, internal: false };
  if (e instanceof SubmissionNotAuthorized) {
    const code = denied ?? (() => (internalCode === 'XDSRegistryError' ? 'XDSRegistryMetadataError' : 'XDSRepositoryMetadataError'));
    return { errors: e.refusals.map((r) => ({ errorCode: code(r.rule), codeContext: r.message, location: r.objectId || undefined, severity: 'Error' })), internal: false };
  }
  // The registry or repository cannot store now (ITI TF-3 4.2.4.1 has no code of its own for it).
  if (e instanceof InsufficientStorage) {
    return { errors: [{ errorCode: internalCode, codeContext: 'insufficient storage: new submissions are refused until space is freed; nothing was stored', severity: 'Error' }], internal: false };
  }
  // The database went away under the request: XDSRegistryError (or XDSRepositoryError), ITI TF-3 4.2.4.1.
  if (e instanceof StoreUnavailableError) {
    return { errors: [{ errorCode: internalCode, codeContext: 'the database is unavailable: the request was not processed; send it again later', severity: 'Error' }], internal: false };
  }
  if (e instanceof EbxmlDecodeError) {
    return { errors: [{ errorCode: internalCode === 'XDSRegistryError' ? 'XDSRegistryMetadataError' : 'XDSRepositoryMetadataError', codeContext: e.message, location: e.location, severity: 'Error' }], internal: false };
  }
  return { errors: [{ errorCode: internalCode, codeContext: 'internal error: the request was not processed', severity: 'Error' }], internal: true };
}
