/**
 * The XDS error catalogue (ITI TF-3 Table 4.2.4.1-2 with the Metadata Update and RMD additions, and
 * the ebRS 3.0 exceptions UnresolvedReferenceException and ReferencesExistException): typed errors made deep in the
 * registry and repository, written as a RegistryErrorList only at the edge.
 */
import type { RegistryError, Severity } from '../../ebxml/registryResponse.ts';

export const XDS_ERROR_CODES = [
  'XDSRegistryMetadataError',
  'XDSRepositoryMetadataError',
  'XDSRegistryError',
  'XDSRepositoryError',
  'XDSUnknownPatientId',
  'XDSPatientIdDoesNotMatch',
  'XDSDuplicateUniqueIdInRegistry',
  'XDSRegistryDuplicateUniqueIdInMessage',
  'XDSRepositoryDuplicateUniqueIdInMessage',
  'XDSNonIdenticalHash',
  'XDSNonIdenticalSize',
  'XDSRegistryDeprecatedDocumentError',
  'XDSExtraMetadataNotSaved',
  'XDSMissingDocument',
  'XDSMissingDocumentMetadata',
  'XDSRegistryNotAvailable',
  'XDSRepositoryOutOfResources',
  'XDSRegistryOutOfResources',
  'XDSRepositoryBusy',
  'XDSRegistryBusy',
  'XDSStoredQueryMissingParam',
  'XDSStoredQueryParamNumber',
  'XDSUnknownStoredQuery',
  'XDSTooManyResults',
  'XDSResultNotSinglePatient',
  'XDSDocumentUniqueIdError',
  'XDSUnknownRepositoryId',
  'XDSMetadataUpdateError',
  'XDSMetadataVersionError',
  'XDSMetadataIdentifierError',
  'XDSMetadataUpdateOperationError',
  'XDSPatientIDReconciliationError',
  'UnresolvedReferenceException',
  'ReferencesExistException',
  'UnreferencedObjectException',
  'InvalidRequestException',
  // XCA (ITI TF-3 Table 4.2.4.1-2): a homeCommunityId not known, missing where one is required, or a community not available.
  'XDSUnknownCommunity',
  'XDSMissingHomeCommunityId',
  'XDSUnavailableCommunity',
] as const;

export type XdsErrorCode = (typeof XDS_ERROR_CODES)[number];

export class XdsError extends Error implements RegistryError {
  readonly severity: Severity;
  constructor(
    readonly errorCode: XdsErrorCode,
    readonly codeContext: string,
    readonly location?: string,
    severity: Severity = 'Error',
  ) {
    super(`${errorCode}: ${codeContext}`);
    this.name = 'XdsError';
    this.severity = severity;
  }

  toRegistryError(): RegistryError {
    return { errorCode: this.errorCode, codeContext: this.codeContext, location: this.location, severity: this.severity };
  }
}

/** Several errors at once: a request is checked whole, and every error it has is reported. */
export class XdsErrors extends Error {
  constructor(readonly errors: RegistryError[]) {
    super(errors.map((e) => `${e.errorCode}: ${e.codeContext}`).join('; '));
    this.name = 'XdsErrors';
  }
}

/** Collects errors and warnings while a request is checked. */
export class ErrorCollector {
  readonly items: RegistryError[] = [];

  add(code: XdsErrorCode, codeContext: string, location?: string): void {
    this.items.push({ errorCode: code, codeContext, location, severity: 'Error' });
  }

  warn(code: XdsErrorCode, codeContext: string, location?: string): void {
    this.items.push({ errorCode: code, codeContext, location, severity: 'Warning' });
  }

  get hasErrors(): boolean {
    return this.items.some((e) => e.severity === 'Error');
  }

  /** Throws every error collected so far, if there is one. */
  throwIfAny(): void {
    if (this.hasErrors) throw new XdsErrors(this.items);
  }
}

export function asRegistryErrors(e: unknown): RegistryError[] | undefined {
  if (e instanceof XdsErrors) return e.errors;
  if (e instanceof XdsError) return [e.toRegistryError()];
  return undefined;
}
