/**
 * ITI-65 Provide Document Bundle at the Document Recipient (ITI TF-2 3.65.4.1.3, Comprehensive
 * Metadata; grouped with the XDS Document Source of this server, 3.65.4.1.3.1): the Bundle planned as
 * an ITI-41 submission (bundle.ts) and handed to the same use case ITI-41 runs
 * (xds/iti41/provideAndRegister.ts): node authorization, the documents stored, the metadata
 * registered, all or nothing, audited as ITI-65 (Import, 3.65.5.1). Its outcome is the
 * transaction-response Bundle (3.65.4.2.2), or an error answered as FHIR says for a transaction
 * (http.html#transaction): 400 for a Bundle that is no valid request, 422 for metadata the registry or
 * repository refuses (the XDS error code of each issue in its details), 403 for node authorization,
 * 503 when a remote registry is not reachable, 507 when the store refuses writes, 500 otherwise.
 */
import type { Bundle, OperationOutcome } from 'fhir/r4.js';
import { SubmissionNotAuthorized } from '../../consent/submissionAuthorization.ts';
import type { FhirSchemaValidator } from '../../fhir/schemaValidator.ts';
import { InsufficientStorage } from '../../kernel/freeSpace.ts';
import { StoreUnavailableError } from '../../kernel/storeUnavailable.ts';
import { XdsErrors } from '../../xds/registry/errors.ts';
import { ProvideAndRegister, type ProvideAndRegisterDeps, type Requester } from '../../xds/iti41/provideAndRegister.ts';
import type { PatientReferences } from '../mapping/patientReference.ts';
import { MhdError, outcomeOfIssues, type MhdIssue } from '../outcome.ts';
import { MHD } from '../transactions.ts';
import { entryOfLocation, planOfBundle, type ProvidePlan } from './bundle.ts';

/** The issue type of an XDS error code; any other is a metadata error (`invalid`). */
const ISSUE_OF: Record<string, MhdIssue['code']> = {
  XDSUnknownPatientId: 'not-found',
  XDSDuplicateUniqueIdInRegistry: 'duplicate',
  XDSRegistryDuplicateUniqueIdInMessage: 'duplicate',
  XDSRepositoryDuplicateUniqueIdInMessage: 'duplicate',
};

export class ProvideDocumentBundle {
  private readonly useCase: ProvideAndRegister;

  constructor(
    deps: ProvideAndRegisterDeps,
    private readonly patients: PatientReferences,
    private readonly schema: FhirSchemaValidator,
  ) {
    this.useCase = new ProvideAndRegister(deps, MHD['ITI-65']);
  }

  /** A request refused before it was read (node authorization): its failure audited as ITI-65's. */
  async refused(requester: Requester, reason: string): Promise<void> {
    await this.useCase.failed(requester, new XdsErrors([{ errorCode: 'XDSRepositoryError', codeContext: reason, severity: 'Error' }]));
  }

  /** The transaction-response Bundle; throws MhdError (or InsufficientStorage, or the internal error) once the failure is audited. */
  async run(requester: Requester, body: unknown): Promise<Bundle> {
    let plan: ProvidePlan;
    try {
      // Validated against the FHIR specification first (ITI TF-2 3.65.4.1.3).
      const errors = this.schema.validate(body, 'Bundle');
      if (errors.length) throw new MhdError(400, errors.map((d) => ({ code: 'structure', diagnostics: `not a valid FHIR R4 Bundle: ${d}` })));
      plan = planOfBundle(body as Bundle, { patients: this.patients });
    } catch (e) {
      if (e instanceof MhdError) {
        // Audited as the use case audits a request it could not read: a minor failure naming the problems.
        await this.useCase.failed(requester, new XdsErrors(e.issues.map((i) => ({ errorCode: i.xdsCode ?? 'XDSRepositoryMetadataError', codeContext: i.diagnostics, severity: 'Error' }))));
      }
      throw e;
    }
    const outcome = await this.useCase.run(requester, { objects: plan.objects, documents: plan.documents });
    if (outcome.status === 'success') {
      const warnings: OperationOutcome | undefined = outcome.warnings.length
        ? outcomeOfIssues(outcome.warnings.map((w) => ({ severity: 'warning', code: 'informational', diagnostics: w.codeContext, xdsCode: w.errorCode })))
        : undefined;
      return {
        resourceType: 'Bundle',
        type: 'transaction-response',
        entry: plan.responses.map((response, i) => ({ response: { ...response, ...(i === 0 && warnings ? { outcome: warnings } : {}) } })),
      };
    }
    const error = outcome.error;
    if (error instanceof InsufficientStorage || error instanceof StoreUnavailableError) throw error;
    if (outcome.internalError !== undefined) throw outcome.internalError;
    const issues: MhdIssue[] = outcome.errors.map((x) => {
      const i = entryOfLocation(plan, x.location);
      return { code: ISSUE_OF[x.errorCode] ?? (error instanceof SubmissionNotAuthorized ? 'forbidden' : 'invalid'), diagnostics: x.codeContext, xdsCode: x.errorCode, ...(i !== undefined ? { expression: [`Bundle.entry[${i}]`] } : {}) };
    });
    if (error instanceof SubmissionNotAuthorized) throw new MhdError(403, issues);
    if (outcome.errors.some((x) => x.errorCode === 'XDSRegistryNotAvailable')) throw new MhdError(503, issues.map((i) => ({ ...i, code: 'transient' })));
    throw new MhdError(422, issues);
  }
}
