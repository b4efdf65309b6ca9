/**
 * ITI-41 Provide and Register Document Set-b as a use case (ITI TF-2b 3.41.4.1.3): who asks and a
 * typed request in, a typed outcome out. It checks node authorization (the submission names only the
 * node's facility, consent/submissionAuthorization.ts), stores the documents and registers the
 * metadata, in process or at a remote registry over ITI-42, and records the audit messages: the
 * Import (3.41.5), the repository's own ITI-42 as a sender when the registry is remote (3.42.5.1.1),
 * and a Security Alert for a refusal. The SOAP handler only decodes and encodes.
 */
import { changedBy } from '../../consent/service.ts';
import type { AuditService } from '../../audit/auditService.ts';
import { authorizationFailure } from '../../audit/securityAlert.ts';
import { authorizeSubmission, SubmissionNotAuthorized } from '../../consent/submissionAuthorization.ts';
import type { RegistryError } from '../../ebxml/registryResponse.ts';
import type { Identifiable } from '../../ebxml/rim.ts';
import type { RequestContext } from '../../kernel/requestContext.ts';
import { submissionSetObject, xdsAudit, xdsRequestAudit, type XdsRequester } from '../audit.ts';
import { summarize, type RegistryService, type SubmissionSummary } from '../registry/service.ts';
import { errorsOf } from '../registryErrors.ts';
import { XDS, type XdsTransactionDescriptor } from '../transactions.ts';
import type { RemoteRegistry } from '../repository/remoteRegistry.ts';
import type { ProvidedDocument, RepositoryService } from '../repository/service.ts';

export interface ProvideAndRegisterRequest {
  /** The metadata of the SubmitObjectsRequest, handed over to be worked on in place. */
  objects: Identifiable[];
  documents: ProvidedDocument[];
}

export type ProvideAndRegisterOutcome =
  | { status: 'success'; warnings: RegistryError[] }
  /** `error`: what failed, for an edge that answers by its kind (MHD ITI-65: a refusal by node authorization is 403). */
  | { status: 'failure'; errors: RegistryError[]; internalError?: unknown; error?: unknown };

export interface ProvideAndRegisterDeps {
  repository: RepositoryService;
  registry: RegistryService;
  /** When set (xds.repository.registryUrl), the metadata is registered there over ITI-42. */
  remoteRegistry?: RemoteRegistry;
  audit: AuditService;
}

/** The transaction audited: ITI-41, or MHD's ITI-65 that registers through the same use case (ITI TF-2 3.65.5.1). */
export type ProvideTransaction = Pick<XdsTransactionDescriptor, 'audit'> & { id: string };

/** Who asks: the request context, and the SOAP addresses the audit names. */
export type Requester = XdsRequester & { context: RequestContext };

/**
 * A refusal by node authorization is a metadata error of the Document Repository (ITI TF-2b
 * 3.41.4.1.3, ITI TF-3 Table 4.2.4.1-2 XDSRepositoryMetadataError: "nature of the problem" in
 * codeContext); replacing another facility's document is refused as XDSRepositoryError (no more
 * specific code fits, ITI TF-3 4.2.4.1).
 */
const denied = (rule: string) => (rule === 'owner' ? 'XDSRepositoryError' : 'XDSRepositoryMetadataError') as 'XDSRepositoryError' | 'XDSRepositoryMetadataError';

export class ProvideAndRegister {
  constructor(
    private readonly deps: ProvideAndRegisterDeps,
    private readonly tx: ProvideTransaction = XDS['ITI-41'],
  ) {}

  async run(requester: Requester, request: ProvideAndRegisterRequest): Promise<ProvideAndRegisterOutcome> {
    const summary = summarize(request.objects);
    try {
      const remote = this.deps.remoteRegistry;
      const outcome = remote ? await this.remote(requester, request, summary, remote) : await this.local(requester, request, summary);
      return { status: 'success', warnings: outcome.warnings };
    } catch (e) {
      return this.failed(requester, e, summary);
    }
  }

  /**
   * A request that failed before it could be run (its package could not be read) or while running:
   * the errors to answer, the failure audited (and a refusal by node authorization as a Security Alert).
   */
  async failed(requester: XdsRequester, e: unknown, summary: SubmissionSummary = { documents: [] }): Promise<ProvideAndRegisterOutcome & { status: 'failure' }> {
    const { errors, internal } = errorsOf(e, 'XDSRepositoryError', denied);
    if (e instanceof SubmissionNotAuthorized && requester.context) {
      await this.deps.audit.record(authorizationFailure(this.deps.audit, requester.context, { transaction: this.tx.id, endpoint: requester.peer.endpoint, reason: e.message }));
    }
    await this.deps.audit.record(this.audit(requester, summary, internal ? 8 : 4, errors.map((x) => x.errorCode).join(' ')));
    return { status: 'failure', errors, error: e, ...(internal ? { internalError: e } : {}) };
  }

  /** The in-process registry: authorization, documents, registration and the Import audit in one write. */
  private local(requester: Requester, request: ProvideAndRegisterRequest, summary: SubmissionSummary) {
    const { registry, repository, audit } = this.deps;
    return repository.provideAndRegister(
      request.objects,
      request.documents,
      async (tx, objects) =>
        registry.register(tx, objects, { owned: true, facility: await authorizeSubmission(tx, requester.context, objects), submitter: changedBy(requester.context) }),
      (tx) => audit.recordIn(tx, this.audit(requester, summary, 0)),
    );
  }

  /**
   * A remote registry: authorization first (on this server's view of the facilities), then the
   * documents, then ITI-42 there; the repository's own ITI-42 audit, then ITI-41's when it worked.
   */
  private async remote(requester: Requester, request: ProvideAndRegisterRequest, summary: SubmissionSummary, remote: RemoteRegistry) {
    const { repository, audit } = this.deps;
    await repository.store.read((tx) => authorizeSubmission(tx, requester.context, request.objects));
    return repository.provideAndRegisterRemote(request.objects, request.documents, (o) => remote.register(o), async (tx, result) => {
      const failed = 'error' in result ? errorsOf(result.error) : undefined;
      await audit.recordIn(
        tx,
        xdsRequestAudit(audit, {
          tx: XDS['ITI-42'],
          endpoint: remote.cfg.url,
          outcome: failed ? (failed.errors.some((x) => x.errorCode === 'XDSRegistryNotAvailable') ? 8 : 4) : 0,
          outcomeDescription: failed?.errors.map((x) => x.errorCode).join(' '),
          patientId: summary.patientId,
          objects: summary.submissionSetUniqueId ? [submissionSetObject(summary.submissionSetUniqueId)] : [],
        }),
      );
      if (!failed) await audit.recordIn(tx, this.audit(requester, summary, 0));
    });
  }

  private audit(requester: XdsRequester, summary: SubmissionSummary, outcome: 0 | 4 | 8, description?: string) {
    return xdsAudit(this.deps.audit, {
      tx: this.tx,
      req: requester,
      outcome,
      outcomeDescription: description,
      patientId: summary.patientId,
      objects: summary.submissionSetUniqueId ? [submissionSetObject(summary.submissionSetUniqueId)] : [],
    });
  }
}
