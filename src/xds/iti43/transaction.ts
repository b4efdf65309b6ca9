/**
 * ITI-43 Retrieve Document Set at the Document Repository (ITI TF-2b 3.43): one or many documents,
 * answered as an MTOM package whose Document elements refer to attachments streamed from the blob
 * store; Success, PartialSuccess or Failure with XDSDocumentUniqueIdError / XDSUnknownRepositoryId.
 * The documents come from the retrieval service through the requester's scoped reader. One Export
 * audit record per request names every document returned.
 */
import type { AccessDecisions } from '../../consent/decision.ts';
import { readScoped } from '../../consent/scopedReader.ts';
import type { IdentityService } from '../../identity/service.ts';
import type { SoapRequest, SoapTransaction } from '../../soap/endpoint.ts';
import { NS } from '../../soap/namespaces.ts';
import type { Store } from '../../store/types.ts';
import { documentObject, outcomeOfResponseStatus, xdsAudit } from '../audit.ts';
import type { RepositoryDeps } from '../iti41/transaction.ts';
import { DocumentRetrieval } from '../repository/retrieve.ts';
import { decodeRetrieveRequest, responseStatus, retrieveResponse } from './codec.ts';
import { expectBody } from '../submission.ts';
import { XDS } from '../transactions.ts';

export interface Iti43Deps extends RepositoryDeps {
  store: Store;
  identity: IdentityService;
  decisions: AccessDecisions;
}

export function iti43Transaction(deps: Iti43Deps): SoapTransaction {
  const d = XDS['ITI-43'];
  const retrieval = new DocumentRetrieval({ repositoryUniqueId: deps.repository.cfg.repositoryUniqueId, registryElsewhere: !!deps.remoteRegistry }, deps.repository.blobs);
  return {
    ...d,
    async handle(req: SoapRequest) {
      expectBody(req.body, NS.xdsb, 'RetrieveDocumentSetRequest', d.id);
      const requests = decodeRetrieveRequest(req.body);
      const { documents, errors } = await readScoped(deps, req.context, d.id, (reader) => retrieval.retrieve(reader, requests));
      const status = responseStatus(documents.length, errors);
      const response = retrieveResponse(
        documents.map((doc) => ({ ...doc.request, mimeType: doc.mimeType, content: { file: doc.file } })),
        errors,
      );
      await deps.audit.record(
        xdsAudit(deps.audit, {
          tx: d,
          req,
          outcome: outcomeOfResponseStatus(status),
          outcomeDescription: errors.map((e) => e.errorCode).join(' ') || undefined,
          objects: documents.map((doc) => documentObject(doc.request.documentUniqueId, doc.request.repositoryUniqueId, doc.request.homeCommunityId)),
          selfIsSource: true,
        }),
      );
      return response;
    },
  };
}
