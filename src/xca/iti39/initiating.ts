/**
 * The Initiating Gateway's retrieve face (ITI TF-2b 3.39, XDS Affinity Domain Option 3.43.4.1.3.1):
 * a local consumer's ITI-43 whose DocumentRequests name communities by HomeCommunityId. The requests
 * of this community (or naming none) go to the local retrieval service through the consumer's
 * scoped reader; those of each peer become one ITI-39 to that peer; all at once, each peer within
 * its timeout; one MTOM answer merges every document (HomeCommunityId on each) and every error: a
 * peer's own errors and, for a peer that gave no answer, XDSUnavailableCommunity for each of its
 * documents, located at its homeCommunityId. Audited as the repository's ITI-43 (Export) and once
 * per peer asked (ITI-39 Import as requester).
 */
import { readScoped } from '../../consent/scopedReader.ts';
import type { RegistryError } from '../../ebxml/registryResponse.ts';
import type { SoapRequest, SoapTransaction } from '../../soap/endpoint.ts';
import { NS } from '../../soap/namespaces.ts';
import { documentObject, outcomeOfResponseStatus, xdsAudit } from '../../xds/audit.ts';
import type { BlobStore } from '../../xds/repository/blobStore.ts';
import { DocumentRetrieval, type RetrieveRequest } from '../../xds/repository/retrieve.ts';
import { expectBody } from '../../xds/submission.ts';
import { XDS } from '../../xds/transactions.ts';
import { recordAll } from '../audit.ts';
import type { AuditMessage } from '../../audit/auditMessage.ts';
import { INITIATING_ROLES, type InitiatingGatewayDeps } from '../iti38/initiating.ts';
import type { PeerGateway } from '../peers/peerGateway.ts';
import { decodeRetrieveRequest, responseStatus, retrieveResponse, type ResponseDocument } from '../../xds/iti43/codec.ts';
import { retrieveFromPeer } from '../peers/retrievePeer.ts';

export interface InitiatingRetrieveDeps extends InitiatingGatewayDeps {
  repositoryUniqueId: string;
  blobs: BlobStore;
}

interface Part {
  documents: ResponseDocument[];
  errors: RegistryError[];
}

export function initiatingRetrieveTransaction(deps: InitiatingRetrieveDeps): SoapTransaction {
  const d = XDS['ITI-43'];
  const home = deps.communities.homeCommunityId;
  const retrieval = new DocumentRetrieval({ repositoryUniqueId: deps.repositoryUniqueId, registryElsewhere: false }, deps.blobs);
  return {
    ...d,
    roles: INITIATING_ROLES,
    async handle(req: SoapRequest) {
      expectBody(req.body, NS.xdsb, 'RetrieveDocumentSetRequest', d.id);
      const requests = decodeRetrieveRequest(req.body);
      const local: RetrieveRequest[] = [];
      const byPeer = new Map<PeerGateway, RetrieveRequest[]>();
      const unknown: RegistryError[] = [];
      for (const r of requests) {
        if (!r.homeCommunityId || r.homeCommunityId === home) {
          local.push(r);
          continue;
        }
        const peer = deps.peers.find((p) => p.homeCommunityId === r.homeCommunityId);
        if (!peer) unknown.push({ errorCode: 'XDSUnknownCommunity', codeContext: `homeCommunityId ${r.homeCommunityId} of document ${r.documentUniqueId} is neither this community nor one of its peers`, location: r.homeCommunityId, severity: 'Error' });
        else byPeer.set(peer, [...(byPeer.get(peer) ?? []), r]);
      }
      const peerAudits: AuditMessage[] = [];
      const localPart: Promise<Part> = local.length
        ? readScoped(deps, req.context, d.id, (reader) => retrieval.retrieve(reader, local)).then((r) => ({
            documents: r.documents.map((doc) => ({ ...doc.request, homeCommunityId: home, mimeType: doc.mimeType, content: { file: doc.file } })),
            errors: r.errors,
          }))
        : Promise.resolve({ documents: [], errors: [] });
      const parts = await Promise.all([localPart, ...[...byPeer].map(([p, rs]) => askPeer(p, rs))]);
      const documents = parts.flatMap((p) => p.documents);
      const errors = [...unknown, ...parts.flatMap((p) => p.errors)];
      const status = responseStatus(documents.length, errors);
      await recordAll(deps.audit, deps.store, [
        ...peerAudits,
        xdsAudit(deps.audit, {
          tx: d,
          req,
          outcome: outcomeOfResponseStatus(status),
          outcomeDescription: errors.map((e) => e.errorCode).join(' ') || undefined,
          objects: documents.map((doc) => documentObject(doc.documentUniqueId, doc.repositoryUniqueId, doc.homeCommunityId)),
          selfIsSource: true,
        }),
      ]);
      return retrieveResponse(documents, errors);

      async function askPeer(p: PeerGateway, rs: RetrieveRequest[]): Promise<Part> {
        const asked = await retrieveFromPeer(deps.audit, p, rs, req.context);
        peerAudits.push(asked.audit);
        return asked.part;
      }
    },
  };
}
