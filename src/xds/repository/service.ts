/**
 * The XDS Document Repository as a service (ITI TF-2b 3.41.4.1.3, 3.43.4.1.3): documents in, blobs
 * written first, hash, size and repositoryUniqueId added to the metadata, then registered through
 * the registry service in the same write as the repository's own rows; blobs this request created
 * are removed again when the registration fails. Retrieval (ITI-43) is retrieve.ts.
 */
import fs from 'node:fs';
import { setSlot, slotValue, type ExtrinsicObject, type Identifiable } from '../../ebxml/rim.ts';
import type { RegistryError } from '../../ebxml/registryResponse.ts';
import type { RepositoryDocument, Store, WriteTx } from '../../store/types.ts';
import { ErrorCollector, XdsErrors } from '../registry/errors.ts';
import { externalId } from '../registry/metadata.ts';
import { DocumentEntrySchemes, ObjectTypes } from '../registry/schemes.ts';
import type { RegisterOutcome } from '../registry/service.ts';
import { factsOfAsync, type BlobSource, type BlobStore, type StoredBlob } from './blobStore.ts';

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

export class RepositoryService {
  constructor(
    readonly cfg: RepositoryConfig,
    readonly store: Store,
    readonly blobs: BlobStore,
  ) {}

  /**
   * ITI-41: stores the documents and registers the metadata. `inWrite` runs inside the write (the
   * audit record commits with the registration).
   */
  async provideAndRegister(objects: Identifiable[], documents: ProvidedDocument[], register: Register, inWrite?: (tx: WriteTx, o: RegisterOutcome) => Promise<void>): Promise<RegisterOutcome> {
    const { entries, facts } = await this.prepare(objects, documents);
    // Blobs first, atomically; then the registration and the repository rows in one write.
    const written: StoredBlob[] = [];
    try {
      for (const d of documents) written.push(await this.blobs.write(d.source));
      return await this.store.write(async (tx) => {
        await this.putDocuments(tx, entries, facts);
        const outcome = await register(tx, objects);
        if (inWrite) await inWrite(tx, outcome);
        return outcome;
      });
    } catch (e) {
      await this.removeCreated(written);
      discardSources(documents);
      throw e;
    }
  }

  /**
   * ITI-41 with a remote Document Registry (config xds.repository.registryUrl): the documents are
   * stored and committed first, then registered over ITI-42 outside any write (no network inside
   * store.write); when the registration fails, the rows and blobs this request created are removed
   * again. A crash in between leaves stored documents nobody registered, never a registered
   * document without its bytes. `after` records the audit once the outcome is known.
   */
  async provideAndRegisterRemote(
    objects: Identifiable[],
    documents: ProvidedDocument[],
    register: (objects: Identifiable[]) => Promise<{ warnings: RegistryError[] }>,
    after?: (tx: WriteTx, outcome: { warnings: RegistryError[] } | { error: unknown }) => Promise<void>,
  ): Promise<{ warnings: RegistryError[] }> {
    const { entries, facts } = await this.prepare(objects, documents);
    const written: StoredBlob[] = [];
    let created: RepositoryDocument[] = [];
    try {
      for (const d of documents) written.push(await this.blobs.write(d.source));
      created = await this.store.write((tx) => this.putDocuments(tx, entries, facts));
    } catch (e) {
      await this.removeCreated(written);
      discardSources(documents);
      throw e;
    }
    try {
      const outcome = await register(objects);
      if (after) await this.store.write((tx) => after(tx, outcome));
      return outcome;
    } catch (e) {
      await this.store.write(async (tx) => {
        for (const d of created) await tx.repository.deleteDocument(d.repositoryUniqueId, d.uniqueId);
        if (after) await after(tx, { error: e });
      });
      await this.removeCreated(written);
      throw e;
    }
  }

  /** The checks of ITI TF-2b 3.41.4.1.3 and the metadata completed with hash, size and repositoryUniqueId. */
  private async prepare(objects: Identifiable[], documents: ProvidedDocument[]): Promise<{ entries: ExtrinsicObject[]; facts: Map<string, { hash: string; size: number }> }> {
    const ec = new ErrorCollector();
    const entries = objects.filter((o): o is ExtrinsicObject => o.type === 'ExtrinsicObject');
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
      // Hashed once, off the event loop; the blob store reuses it.
      const { hash, size } = await factsOfAsync(d.source);
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
    return { entries, facts };
  }

  /** The repository's rows of the documents; returns those this call created (not the ones already held). */
  private async putDocuments(tx: WriteTx, entries: ExtrinsicObject[], facts: Map<string, { hash: string; size: number }>): Promise<RepositoryDocument[]> {
    const created: RepositoryDocument[] = [];
    for (const e of entries) {
      const f = facts.get(e.id);
      if (!f) continue;
      const doc: RepositoryDocument = {
        uniqueId: externalId(e, DocumentEntrySchemes.uniqueId)!,
        repositoryUniqueId: this.cfg.repositoryUniqueId,
        mimeType: e.mimeType ?? 'application/octet-stream',
        hash: f.hash,
        size: f.size,
        blob: f.hash,
      };
      if (await tx.repository.putDocument(doc)) created.push(doc);
    }
    return created;
  }

  /** Blobs this request wrote and no document refers to any more. */
  private async removeCreated(written: StoredBlob[]): Promise<void> {
    for (const b of written) {
      if (b.created && (await this.store.read((tx) => tx.repository.blobReferences(b.name))) === 0) this.blobs.remove(b.name);
    }
  }
}

function discardSources(documents: ProvidedDocument[]): void {
  for (const d of documents) if ('file' in d.source) fs.rmSync(d.source.file, { force: true });
}
