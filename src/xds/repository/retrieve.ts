/**
 * ITI-43 Retrieve Document Set as a service (ITI TF-2b 3.43.4.1.3): each requested document, or the
 * error that says why it is not returned. Documents are reached through the requester's scoped
 * reader: one the requester may not see is answered exactly as an unknown one
 * (XDSDocumentUniqueIdError), so that a refusal reveals nothing about its existence.
 */
import type { ScopedReader } from '../../consent/scopedReader.ts';
import type { RegistryError } from '../../ebxml/registryResponse.ts';
import type { BlobStore } from './blobStore.ts';

export interface RetrieveRequest {
  repositoryUniqueId: string;
  documentUniqueId: string;
  homeCommunityId?: string;
}

export interface RetrievedDocument {
  request: RetrieveRequest;
  mimeType: string;
  file: string;
  size: number;
}

export interface RetrieveConfig {
  repositoryUniqueId: string;
  /**
   * The Document Registry is another server (xds.repository.registryUrl): this one holds no
   * DocumentEntry to decide on, and consent applies where the consumer found the document.
   */
  registryElsewhere: boolean;
}

export class DocumentRetrieval {
  constructor(
    private readonly cfg: RetrieveConfig,
    private readonly blobs: BlobStore,
  ) {}

  async retrieve(reader: ScopedReader, requests: RetrieveRequest[]): Promise<{ documents: RetrievedDocument[]; errors: RegistryError[] }> {
    const documents: RetrievedDocument[] = [];
    const errors: RegistryError[] = [];
    for (const r of requests) {
      if (r.repositoryUniqueId !== this.cfg.repositoryUniqueId) {
        errors.push({ errorCode: 'XDSUnknownRepositoryId', codeContext: `repositoryUniqueId ${r.repositoryUniqueId} is not this repository (${this.cfg.repositoryUniqueId})`, location: r.documentUniqueId, severity: 'Error' });
        continue;
      }
      const doc = await reader.repositoryDocument(r.repositoryUniqueId, r.documentUniqueId, this.cfg.registryElsewhere ? 'shown' : 'hidden');
      if (!doc || !this.blobs.has(doc.blob)) {
        errors.push({ errorCode: 'XDSDocumentUniqueIdError', codeContext: `document ${r.documentUniqueId} is not available in repository ${r.repositoryUniqueId}`, location: r.documentUniqueId, severity: 'Error' });
        continue;
      }
      documents.push({ request: r, mimeType: doc.mimeType, file: this.blobs.pathOf(doc.blob), size: doc.size });
    }
    return { documents, errors };
  }
}
