/**
 * The RetrieveDocumentSetRequest and Response of ITI-43 and ITI-39 (ITI TF-2b 3.43.4, 3.39.4) as
 * the repository, the gateways and the consumer read and write them: each DocumentRequest with its
 * HomeCommunityId when it has one, and a response whose DocumentResponses name their community when
 * known, each document an MTOM attachment.
 */
import { randomUUID } from 'node:crypto';
import { registryErrorListXml, STATUS_URN, type RegistryError, type ResponseStatus } from '../../ebxml/registryResponse.ts';
import type { OutgoingPart } from '../../soap/mtom.ts';
import { SoapFault, Subcodes } from '../../soap/fault.ts';
import { NS } from '../../soap/namespaces.ts';
import { childOf, childrenOf, type XmlElement } from '../../xml/parse.ts';
import { escapeText } from '../../xml/write.ts';
import type { RetrieveRequest } from '../repository/retrieve.ts';

/** The DocumentRequests; a request without any, or one missing its repository or document, is a Sender fault (XDS.b_DocumentRepository.xsd). */
export function decodeRetrieveRequest(body: XmlElement): RetrieveRequest[] {
  const out: RetrieveRequest[] = [];
  for (const dr of childrenOf(body, NS.xdsb, 'DocumentRequest')) {
    const text = (local: string) => childOf(dr, NS.xdsb, local)?.text.trim() || undefined;
    const repositoryUniqueId = text('RepositoryUniqueId');
    const documentUniqueId = text('DocumentUniqueId');
    if (!repositoryUniqueId || !documentUniqueId) throw new SoapFault('Sender', 'each DocumentRequest needs a RepositoryUniqueId and a DocumentUniqueId (XDS.b_DocumentRepository.xsd)', Subcodes.badBody);
    const homeCommunityId = text('HomeCommunityId');
    out.push({ repositoryUniqueId, documentUniqueId, ...(homeCommunityId ? { homeCommunityId } : {}) });
  }
  if (out.length === 0) throw new SoapFault('Sender', 'a RetrieveDocumentSetRequest needs at least one DocumentRequest', Subcodes.badBody);
  return out;
}

export function retrieveRequestXml(requests: RetrieveRequest[]): string {
  return (
    `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="${NS.xdsb}">` +
    requests
      .map(
        (r) =>
          `<xdsb:DocumentRequest>${r.homeCommunityId ? `<xdsb:HomeCommunityId>${escapeText(r.homeCommunityId)}</xdsb:HomeCommunityId>` : ''}` +
          `<xdsb:RepositoryUniqueId>${escapeText(r.repositoryUniqueId)}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>${escapeText(r.documentUniqueId)}</xdsb:DocumentUniqueId></xdsb:DocumentRequest>`,
      )
      .join('') +
    `</xdsb:RetrieveDocumentSetRequest>`
  );
}

/** One document of a response: its ids, its type and where its bytes are. */
export interface ResponseDocument {
  homeCommunityId?: string;
  repositoryUniqueId: string;
  documentUniqueId: string;
  mimeType: string;
  /** A file, or bytes in memory (in one piece or in the pieces a peer's answer arrived in). */
  content: { file: string } | { data: Buffer | readonly Buffer[] };
}

export function responseStatus(documents: number, errors: RegistryError[]): ResponseStatus {
  if (!errors.some((e) => e.severity === 'Error')) return 'Success';
  return documents === 0 ? 'Failure' : 'PartialSuccess';
}

/** The response body and its attachments, one per document. */
export function retrieveResponse(documents: ResponseDocument[], errors: RegistryError[]): { bodyXml: string; attachments: OutgoingPart[] } {
  const status = responseStatus(documents.length, errors);
  const parts = documents.map((doc) => ({ doc, contentId: `${randomUUID()}@hie` }));
  const list = registryErrorListXml(errors);
  const bodyXml =
    `<xdsb:RetrieveDocumentSetResponse xmlns:xdsb="${NS.xdsb}" xmlns:rs="${NS.rs}" xmlns:xop="${NS.xop}">` +
    `<rs:RegistryResponse status="${STATUS_URN[status]}"${list ? `>${list}</rs:RegistryResponse>` : '/>'}` +
    parts
      .map(
        ({ doc, contentId }) =>
          `<xdsb:DocumentResponse>` +
          (doc.homeCommunityId ? `<xdsb:HomeCommunityId>${escapeText(doc.homeCommunityId)}</xdsb:HomeCommunityId>` : '') +
          `<xdsb:RepositoryUniqueId>${escapeText(doc.repositoryUniqueId)}</xdsb:RepositoryUniqueId>` +
          `<xdsb:DocumentUniqueId>${escapeText(doc.documentUniqueId)}</xdsb:DocumentUniqueId>` +
          `<xdsb:mimeType>${escapeText(doc.mimeType)}</xdsb:mimeType>` +
          `<xdsb:Document><xop:Include href="cid:${encodeURIComponent(contentId)}"/></xdsb:Document></xdsb:DocumentResponse>`,
      )
      .join('') +
    `</xdsb:RetrieveDocumentSetResponse>`;
  return { bodyXml, attachments: parts.map(({ doc, contentId }) => ({ contentId, contentType: doc.mimeType, ...doc.content })) };
}
