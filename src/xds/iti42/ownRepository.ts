/**
 * A Register request that names this server's own repository (a Document Registry integrated with
 * its Document Repository): every Stable DocumentEntry that says its bytes are here
 * (repositoryUniqueId) must have them here, the repository's document of that uniqueId with the same
 * hash and size, its blob on disk. Otherwise the registry would list a document that no ITI-43 can
 * retrieve. Detected by the registry, so XDSRegistryMetadataError (ITI TF-3 Table 4.2.4.1-2: the
 * actor name says where the error was detected), located at the entry.
 */
import { slotValue, type ExtrinsicObject, type Identifiable } from '../../ebxml/rim.ts';
import type { ReadTx } from '../../store/types.ts';
import { ErrorCollector } from '../registry/errors.ts';
import { externalId } from '../registry/metadata.ts';
import { DocumentEntrySchemes, ObjectTypes } from '../registry/schemes.ts';

export interface OwnRepository {
  uniqueId: string;
  /** Whether the blob of this hash is on disk. */
  hasBlob(hash: string): boolean;
}

export async function checkOwnRepositoryDocuments(tx: ReadTx, repo: OwnRepository, objects: Identifiable[]): Promise<void> {
  const claims = objects
    .filter((o): o is ExtrinsicObject => o.type === 'ExtrinsicObject' && o.objectType === ObjectTypes.stableDocument)
    .map((o) => ({
      id: o.id,
      uniqueId: externalId(o, DocumentEntrySchemes.uniqueId) ?? '',
      repository: slotValue(o, 'repositoryUniqueId'),
      hash: slotValue(o, 'hash')?.toLowerCase() ?? '',
      size: slotValue(o, 'size') ?? '',
    }))
    .filter((c) => c.repository === repo.uniqueId && c.uniqueId);
  if (claims.length === 0) return;
  const held = new Map((await tx.repository.documents(repo.uniqueId, claims.map((c) => c.uniqueId))).map((d) => [d.uniqueId, d]));
  const ec = new ErrorCollector();
  for (const c of claims) {
    const d = held.get(c.uniqueId);
    if (!d || d.hash !== c.hash || String(d.size) !== c.size || !/^[0-9a-f]{40}$/.test(d.blob) || !repo.hasBlob(d.blob)) {
      ec.add(
        'XDSRegistryMetadataError',
        `DocumentEntry ${c.uniqueId} names this server's repository ${repo.uniqueId}, which holds no document of that uniqueId with hash ${c.hash} and size ${c.size}: provide it with ITI-41`,
        c.id,
      );
    }
  }
  ec.throwIfAny();
}
