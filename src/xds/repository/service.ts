/**
 * The XDS Document Repository as a service (ITI TF-2b 3.41.4.1.3, 3.43.4.1.3): documents in, blobs
 * written first, hash, size and repositoryUniqueId added to the metadata, then registered through
 * the registry service in the same write as the repository's own rows; blobs this request created
 * are removed again when the registration fails. Retrieval answers each requested document or its
 * error.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { setSlot, slotValue, type Identifiable } from '../../ebxml/rim.ts';
import type { RegistryError } from '../../ebxml/registryResponse.ts';
import type { Store, WriteTx } from '../../store/types.ts';
import { ErrorCollector, XdsErrors } from '../registry/errors.ts';
import { externalId } from '../registry/metadata.ts';
import { DocumentEntrySchemes, ObjectTypes } from '../registry/schemes.ts';
import type { RegisterOutcome } from '../registry/service.ts';
import type { BlobSource, BlobStore, StoredBlob } from './blobStore.ts';

export interface ProvidedDocument {
  /** The xdsb:Document/@id: the DocumentEntry it belongs to. */
  id: string;
  source: BlobSource;
}

export interface RepositoryConfig {
  repositoryUniqueId: string;
}

/** Registers metadata in the caller's write transaction (the in-process registry, or a remote one). */
export type Register = (tx: WriteTx, objects: Identifiable[]) => Promise<RegisterOutcome>;

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

export class RepositoryService {
  constructor(
    readonly cfg: RepositoryConfig,
    private readonly store: Store,
    readonly blobs: BlobStore,
  ) {}

  /**
   * ITI-41: stores the documents and registers the metadata. `inWrite` runs inside the write (the
   * audit record commits with the registration).
   */
  async provideAndRegister(objects: Identifiable[], documents: ProvidedDocument[], register: Register, inWrite?: (tx: WriteTx, o: RegisterOutcome) => Promise<void>): Promise<RegisterOutcome> {
    const ec = new ErrorCollector();
    const entries = objects.filter((o) => o.type === 'ExtrinsicObject');
    const byId = new Map(documents.map((d) => [d.id, d]));
    for (const d of documents) if (!entries.some((e) => e.id === d.id)) ec.add('XDSMissingDocumentMetadata', `Document ${d.id} has no DocumentEntry`, d.id);
    for (const e of entries) {
      if (e.objectType === ObjectTypes.onDemandDocument) continue;
      if (!byId.has(e.id)) ec.add('XDSMissingDocument', `DocumentEntry ${e.id} has no attached document`, e.id);
    }
    const seen = new Set<string>();
    for (const d of documents) {
      if (seen.has(d.id)) ec.add('XDSRepositoryMetadataError', `more than one Document with id ${d.id}`, d.id);
      seen.add(d.id);
    }
    // Hash and size of each document, checked against what the source supplied.
    const facts = new Map<string, { hash: string; size: number }>();
    for (const d of documents) {
      const hash = 'data' in d.source ? createHash('sha1').update(d.source.data).digest('hex') : d.source.sha1;
      const size = 'data' in d.source ? d.source.data.length : d.source.size;
      facts.set(d.id, { hash, size });
      const e = entries.find((x) => x.id === d.id);
      if (!e) continue;
      const givenHash = slotValue(e, 'hash');
      const givenSize = slotValue(e, 'size');
      const givenRepo = slotValue(e, 'repositoryUniqueId');
      if (givenHash && givenHash.toLowerCase() !== hash) ec.add('XDSRepositoryMetadataError', `DocumentEntry ${e.id}: hash ${givenHash} does not match the document (${hash})`, e.id);
      if (givenSize && givenSize !== String(size)) ec.add('XDSRepositoryMetadataError', `DocumentEntry ${e.id}: size ${givenSize} does not match the document (${size})`, e.id);
      if (givenRepo && givenRepo !== this.cfg.repositoryUniqueId) ec.add('XDSRepositoryMetadataError', `DocumentEntry ${e.id}: repositoryUniqueId ${givenRepo} is not this repository's (${this.cfg.repositoryUniqueId})`, e.id);
    }
    const uids = entries.map((e) => externalId(e, DocumentEntrySchemes.uniqueId)).filter((u): u is string => !!u);
    if (new Set(uids).size !== uids.length) ec.add('XDSRepositoryDuplicateUniqueIdInMessage', `a document uniqueId is used twice in the submission`);
    if (ec.hasErrors) {
      discardSources(documents);
      throw new XdsErrors(ec.items);
    }

    for (const e of entries) {
      const f = facts.get(e.id);
      if (!f) continue;
      setSlot(e, 'hash', [f.hash]);
      setSlot(e, 'size', [String(f.size)]);
      setSlot(e, 'repositoryUniqueId', [this.cfg.repositoryUniqueId]);
    }

    // Blobs first, atomically; then the registration and the repository rows in one write.
    const written: StoredBlob[] = [];
    try {
      for (const d of documents) written.push(this.blobs.put(d.source));
      return await this.store.write(async (tx) => {
        const outcome = await register(tx, objects);
        for (const d of documents) {
          const e = entries.find((x) => x.id === d.id)!;
          const f = facts.get(d.id)!;
          await tx.repository.putDocument({
            uniqueId: externalId(e, DocumentEntrySchemes.uniqueId)!,
            repositoryUniqueId: this.cfg.repositoryUniqueId,
            mimeType: e.mimeType ?? 'application/octet-stream',
            hash: f.hash,
            size: f.size,
            blob: f.hash,
          });
        }
        if (inWrite) await inWrite(tx, outcome);
        return outcome;
      });
    } catch (e) {
      for (const b of written) {
        if (b.created && (await this.store.read((tx) => tx.repository.blobReferences(b.name))) === 0) this.blobs.remove(b.name);
      }
      discardSources(documents);
      throw e;
    }
  }

  /** ITI-43: each requested document, or the error that says why it is not returned. */
  async retrieve(requests: RetrieveRequest[]): Promise<{ documents: RetrievedDocument[]; errors: RegistryError[] }> {
    const documents: RetrievedDocument[] = [];
    const errors: RegistryError[] = [];
    for (const r of requests) {
      if (r.repositoryUniqueId !== this.cfg.repositoryUniqueId) {
        errors.push({ errorCode: 'XDSUnknownRepositoryId', codeContext: `repositoryUniqueId ${r.repositoryUniqueId} is not this repository (${this.cfg.repositoryUniqueId})`, location: r.documentUniqueId, severity: 'Error' });
        continue;
      }
      const [doc] = await this.store.read((tx) => tx.repository.documents(r.repositoryUniqueId, [r.documentUniqueId]));
      if (!doc || !this.blobs.has(doc.blob)) {
        errors.push({ errorCode: 'XDSDocumentUniqueIdError', codeContext: `document ${r.documentUniqueId} is not available in repository ${r.repositoryUniqueId}`, location: r.documentUniqueId, severity: 'Error' });
        continue;
      }
      documents.push({ request: r, mimeType: doc.mimeType, file: this.blobs.pathOf(doc.blob), size: doc.size });
    }
    return { documents, errors };
  }
}

function discardSources(documents: ProvidedDocument[]): void {
  for (const d of documents) if ('file' in d.source) fs.rmSync(d.source.file, { force: true });
}
