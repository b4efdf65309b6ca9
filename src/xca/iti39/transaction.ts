/**
 * ITI-39 Cross Gateway Retrieve at the Responding Gateway (ITI TF-2b 3.39): a face of the retrieval
 * service (xds/repository/retrieve.ts), as ITI-43 is, through the requesting community's scoped
 * reader. Each DocumentRequest names this community (else XDSUnknownCommunity, or
 * XDSMissingHomeCommunityId without one), this repository (else XDSUnknownRepositoryId) and a
 * document the requester may see (else XDSDocumentUniqueIdError); the answer is an MTOM package
 * with HomeCommunityId on every DocumentResponse. Audited as ITI TF-2b 3.39.5.1.2: Export, this
 * server the Source, every document returned named with its repository and community.
 */
import type { RegistryError } from '../../ebxml/registryResponse.ts';
import { readScoped } from '../../consent/scopedReader.ts';
import type { SoapRequest, SoapTransaction } from '../../soap/endpoint.ts';
import { NS } from '../../soap/namespaces.ts';
import { documentObject, outcomeOfResponseStatus, xdsAudit } from '../../xds/audit.ts';
import { DocumentRetrieval, type RetrieveRequest } from '../../xds/repository/retrieve.ts';
import type { BlobStore } from '../../xds/repository/blobStore.ts';
import { expectBody } from '../../xds/submission.ts';
import type { RespondingGatewayDeps } from '../iti38/transaction.ts';
import { decodeRetrieveRequest, responseStatus, retrieveResponse } from '../../xds/iti43/codec.ts';
import { XCA } from '../transactions.ts';

export interface Iti39Deps extends RespondingGatewayDeps {
  repositoryUniqueId: string;
  blobs: BlobStore;
}

export function iti39Transaction(deps: Iti39Deps): SoapTransaction {
  const d = XCA['ITI-39'];
  const home = deps.communities.homeCommunityId;
  const retrieval = new DocumentRetrieval({ repositoryUniqueId: deps.repositoryUniqueId, registryElsewhere: false }, deps.blobs);
  return {
    ...d,
    async handle(req: SoapRequest) {
      expectBody(req.body, NS.xdsb, 'RetrieveDocumentSetRequest', d.id);
      const requests = decodeRetrieveRequest(req.body);
      const errors: RegistryError[] = [];
      const ours: RetrieveRequest[] = [];
      for (const r of requests) {
        if (!r.homeCommunityId) errors.push({ errorCode: 'XDSMissingHomeCommunityId', codeContext: `DocumentRequest for ${r.documentUniqueId} names no HomeCommunityId (ITI TF-2b 3.39.4.1.2)`, location: r.documentUniqueId, severity: 'Error' });
        else if (r.homeCommunityId !== home) errors.push({ errorCode: 'XDSUnknownCommunity', codeContext: `homeCommunityId ${r.homeCommunityId} of document ${r.documentUniqueId} is not this community (${home})`, location: r.documentUniqueId, severity: 'Error' });
        else ours.push(r);
      }
      const found = ours.length ? await readScoped(deps, req.context, d.id, (reader) => retrieval.retrieve(reader, ours)) : { documents: [], errors: [] };
      errors.push(...found.errors);
      const documents = found.documents.map((doc) => ({ ...doc.request, homeCommunityId: home, mimeType: doc.mimeType, content: { file: doc.file } }));
      const status = responseStatus(documents.length, errors);
      await deps.audit.record(
        xdsAudit(deps.audit, {
          tx: d,
          req,
          outcome: outcomeOfResponseStatus(status),
          outcomeDescription: errors.map((e) => e.errorCode).join(' ') || undefined,
          objects: documents.map((doc) => documentObject(doc.documentUniqueId, doc.repositoryUniqueId, home)),
          selfIsSource: true,
        }),
      );
      return retrieveResponse(documents, errors);
    },
  };
}
