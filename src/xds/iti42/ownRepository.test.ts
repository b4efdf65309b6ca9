import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { affinityPid, readFixture, REPOSITORY, type ReadFixture } from '../../../test/helpers/readFixture.ts';
import { OTHER_REPOSITORY, submitObjectsRequest, type DocSpec, type SubmissionSpec } from '../../../test/helpers/xdsMetadata.ts';
import { decodeRegistryObjectList, registryObjectListOf } from '../../ebxml/decode.ts';
import { parseXml } from '../../xml/parse.ts';
import { XdsErrors } from '../registry/errors.ts';
import { checkOwnRepositoryDocuments } from './ownRepository.ts';

describe('ITI-42 entries that name this server\'s repository', () => {
  let f: ReadFixture;
  before(async () => {
    f = await readFixture();
  });
  after(() => f?.close());

  const objects = (s: SubmissionSpec) => decodeRegistryObjectList(registryObjectListOf(parseXml(submitObjectsRequest(s)))!);
  const check = async (s: SubmissionSpec, hasBlob = (h: string) => f.blobs.has(h)) => {
    try {
      await f.store.read((tx) => checkOwnRepositoryDocuments(tx, { uniqueId: REPOSITORY, hasBlob }, objects(s)));
      return [];
    } catch (e) {
      if (e instanceof XdsErrors) return e.errors.map((x) => [x.errorCode, x.location]);
      throw e;
    }
  };
  const doc = (repositoryUniqueId: string): DocSpec & { id: string; content: Buffer } => ({ id: `urn:uuid:${randomUUID()}`, content: Buffer.from(`doc ${randomUUID()}`), repositoryUniqueId });

  it('takes an entry whose document the repository holds with the same hash and size, and entries of other repositories', async () => {
    const held = doc(REPOSITORY);
    const s: SubmissionSpec = { patientId: affinityPid('O1'), docs: [held, doc(OTHER_REPOSITORY)] };
    submitObjectsRequest(s); // assigns the uniqueIds
    await f.storeDocument(held.uniqueId!, held.content);
    expect(await check(s)).to.deep.equal([]);
  });

  it('refuses, at each entry, one whose document is not here, has another size, or whose blob is gone', async () => {
    const missing = doc(REPOSITORY);
    const s: SubmissionSpec = { patientId: affinityPid('O2'), docs: [missing] };
    expect(await check(s)).to.deep.equal([['XDSRegistryMetadataError', missing.id]]);
    const held = doc(REPOSITORY);
    const t: SubmissionSpec = { patientId: affinityPid('O3'), docs: [held] };
    submitObjectsRequest(t);
    await f.storeDocument(held.uniqueId!, held.content);
    expect(await check({ ...t, docs: [{ ...held, size: held.content.length + 1 }] })).to.deep.equal([['XDSRegistryMetadataError', held.id]]);
    expect(await check(t, () => false)).to.deep.equal([['XDSRegistryMetadataError', held.id]]);
  });
});
