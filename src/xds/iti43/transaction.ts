/**
 * ITI-43 Retrieve Document Set at the Document Repository (ITI TF-2b 3.43): one or many documents,
 * answered as an MTOM package whose Document elements refer to attachments streamed from the blob
 * store; Success, PartialSuccess or Failure with XDSDocumentUniqueIdError / XDSUnknownRepositoryId.
 * The documents come from the retrieval service through the requester's scoped reader. One Export
 * audit record per request names every document returned.
 */
import { randomUUID } from 'node:crypto';
import type { AccessDecisions } from '../../consent/decision.ts';
import { readScoped } from '../../consent/scopedReader.ts';
import { registryErrorListXml, STATUS_URN, type ResponseStatus } from '../../ebxml/registryResponse.ts';
import type { IdentityService } from '../../identity/service.ts';
import type { SoapRequest, SoapTransaction } from '../../soap/endpoint.ts';
import { SoapFault, Subcodes } from '../../soap/fault.ts';
import { NS } from '../../soap/namespaces.ts';
import type { Store } from '../../store/types.ts';
import { escapeText } from '../../xml/write.ts';
import { childOf, childrenOf } from '../../xml/parse.ts';
import { documentObject, outcomeOfResponseStatus, xdsAudit } from '../audit.ts';
import type { RepositoryDeps } from '../iti41/transaction.ts';
import { DocumentRetrieval, type RetrieveRequest } from '../repository/retrieve.ts';
import { expectBody } from '../submission.ts';
import { XDS } from '../transactions.ts';

function requestsOf(req: SoapRequest): RetrieveRequest[] {
  const out: RetrieveRequest[] = [];
  for (const dr of childrenOf(req.body, NS.xdsb, 'DocumentRequest')) {
    const text = (local: string) => childOf(dr, NS.xdsb, local)?.text.trim() || undefined;
    const repositoryUniqueId = text('RepositoryUniqueId');
    const documentUniqueId = text('DocumentUniqueId');
    if (!repositoryUniqueId || !documentUniqueId) {
      throw new SoapFault('Sender', 'each DocumentRequest needs a RepositoryUniqueId and a DocumentUniqueId (XDS.b_DocumentRepository.xsd)', Subcodes.badBody);
    }
    out.push({ repositoryUniqueId, documentUniqueId, homeCommunityId: text('HomeCommunityId') });
  }
  if (out.length === 0) throw new SoapFault('Sender', 'a RetrieveDocumentSetRequest needs at least one DocumentRequest', Subcodes.badBody);
  return out;
}

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
      const requests = requestsOf(req);
      const { documents, errors } = await readScoped(deps, req.context, d.id, (reader) => retrieval.retrieve(reader, requests));
      const status: ResponseStatus = errors.length === 0 ? 'Success' : documents.length === 0 ? 'Failure' : 'PartialSuccess';
      const attachments = documents.map((doc) => ({ doc, contentId: `${randomUUID()}@hie` }));
      const list = registryErrorListXml(errors);
      const bodyXml =
        `<xdsb:RetrieveDocumentSetResponse xmlns:xdsb="${NS.xdsb}" xmlns:rs="${NS.rs}" xmlns:xop="${NS.xop}">` +
        `<rs:RegistryResponse status="${STATUS_URN[status]}"${list ? `>${list}</rs:RegistryResponse>` : '/>'}` +
        attachments
          .map(
            ({ doc, contentId }) =>
              `<xdsb:DocumentResponse>` +
              (doc.request.homeCommunityId ? `<xdsb:HomeCommunityId>${escapeText(doc.request.homeCommunityId)}</xdsb:HomeCommunityId>` : '') +
              `<xdsb:RepositoryUniqueId>${escapeText(doc.request.repositoryUniqueId)}</xdsb:RepositoryUniqueId>` +
              `<xdsb:DocumentUniqueId>${escapeText(doc.request.documentUniqueId)}</xdsb:DocumentUniqueId>` +
              `<xdsb:mimeType>${escapeText(doc.mimeType)}</xdsb:mimeType>` +
              `<xdsb:Document><xop:Include href="cid:${encodeURIComponent(contentId)}"/></xdsb:Document></xdsb:DocumentResponse>`,
          )
          .join('') +
        `</xdsb:RetrieveDocumentSetResponse>`;
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
      return {
        bodyXml,
        attachments: attachments.map(({ doc, contentId }) => ({ contentId, contentType: doc.mimeType, file: doc.file })),
      };
    },
  };
}
