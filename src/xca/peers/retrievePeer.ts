/**
 * One ITI-39 Cross Gateway Retrieve to one peer (ITI TF-2b 3.39), as the Initiating Gateway asks it:
 * the peer's documents (each with its homeCommunityId) and its errors located at the peer, or, for a
 * peer that gave no answer, XDSUnavailableCommunity for each document asked. Returns the audit
 * message of the call (ITI-39 Import as requester) for the caller to record with its own.
 */
import type { AuditMessage } from '../../audit/auditMessage.ts';
import type { AuditService } from '../../audit/auditService.ts';
import type { RegistryError } from '../../ebxml/registryResponse.ts';
import type { RequestContext } from '../../kernel/requestContext.ts';
import { documentObject } from '../../xds/audit.ts';
import { retrieveRequestXml, type ResponseDocument } from '../../xds/iti43/codec.ts';
import type { RetrieveRequest } from '../../xds/repository/retrieve.ts';
import { initiatingGatewayAudit } from '../audit.ts';
import { XCA } from '../transactions.ts';
import type { PeerGateway } from './peerGateway.ts';

export interface RetrievedPart {
  documents: (ResponseDocument & { content: { data: readonly Buffer[] } })[];
  errors: RegistryError[];
  failed: boolean;
}

export async function retrieveFromPeer(audit: AuditService, p: PeerGateway, rs: RetrieveRequest[], context: RequestContext): Promise<{ part: RetrievedPart; audit: AuditMessage }> {
  let part: RetrievedPart;
  try {
    const a = await p.retrieve(retrieveRequestXml(rs), context);
    part = {
      documents: a.documents.map((doc) => ({ homeCommunityId: doc.homeCommunityId, repositoryUniqueId: doc.repositoryUniqueId, documentUniqueId: doc.documentUniqueId, mimeType: doc.mimeType, content: { data: doc.data } })),
      errors: a.errors.map((x) => ({ ...x, location: p.homeCommunityId })),
      failed: false,
    };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    part = { documents: [], errors: rs.map((r) => ({ errorCode: 'XDSUnavailableCommunity', codeContext: `document ${r.documentUniqueId}: ${why}`, location: p.homeCommunityId, severity: 'Error' as const })), failed: true };
  }
  const message = initiatingGatewayAudit(audit, {
    tx: XCA['ITI-39'],
    endpoint: p.community.retrieveUrl,
    outcome: part.failed ? 8 : part.errors.length ? 4 : 0,
    outcomeDescription: part.errors.map((x) => x.errorCode).join(' ') || undefined,
    objects: part.documents.map((doc) => documentObject(doc.documentUniqueId, doc.repositoryUniqueId, doc.homeCommunityId)),
    context,
  });
  return { part, audit: message };
}
