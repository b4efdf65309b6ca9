import { expect } from 'chai';
import { affinityPid, HOSP_A, readFixture, REPOSITORY, type ReadFixture } from '../../../test/helpers/readFixture.ts';
import { DocumentRetrieval } from './retrieve.ts';

describe('document retrieval (the ITI-43 service)', () => {
  let f: ReadFixture;
  let uid: string;
  before(async () => {
    f = await readFixture();
    await f.patient('RT-1');
    uid = (await f.submit({ patientId: affinityPid('RT-1'), docs: [{ content: Buffer.from('held') }] }, HOSP_A.oid)).docs[0].uniqueId!;
    await f.storeDocument(uid, Buffer.from('held'));
    await f.storeDocument('1.2.392.999.88.1', Buffer.from('registered elsewhere'));
  });
  afterEach(() => f.decisions.hiddenDocuments.clear());
  after(() => f?.close());

  const retrieval = (registryElsewhere = false) => new DocumentRetrieval({ repositoryUniqueId: REPOSITORY, registryElsewhere }, f.blobs);
  const ask = (r: DocumentRetrieval, ...uids: string[]) => f.read((reader) => r.retrieve(reader, uids.map((documentUniqueId) => ({ repositoryUniqueId: REPOSITORY, documentUniqueId }))));

  it('gives a visible document its file, and names another repository XDSUnknownRepositoryId', async () => {
    const { documents, errors } = await ask(retrieval(), uid);
    expect(errors).to.deep.equal([]);
    expect(documents).to.have.length(1);
    expect(documents[0]).to.include({ mimeType: 'text/plain', size: 4 });
    const other = await f.read((reader) => retrieval().retrieve(reader, [{ repositoryUniqueId: '1.2.3.4', documentUniqueId: uid }]));
    expect(other.errors.map((e) => e.errorCode)).to.deep.equal(['XDSUnknownRepositoryId']);
  });

  it('answers a withheld document with the error of an unknown one, word for word but the uniqueId', async () => {
    f.decisions.hiddenDocuments.add(uid);
    const withheld = await ask(retrieval(), uid);
    const unknown = await ask(retrieval(), '1.2.392.999.88.404');
    expect(withheld.documents).to.deep.equal([]);
    expect(JSON.stringify(withheld.errors).split(uid).join('X')).to.equal(JSON.stringify(unknown.errors).split('1.2.392.999.88.404').join('X'));
  });

  it('serves a document without a DocumentEntry here only when the registry is another server', async () => {
    expect((await ask(retrieval(), '1.2.392.999.88.1')).errors.map((e) => e.errorCode)).to.deep.equal(['XDSDocumentUniqueIdError']);
    expect((await ask(retrieval(true), '1.2.392.999.88.1')).documents).to.have.length(1);
    f.decisions.hiddenDocuments.add(uid);
    expect((await ask(retrieval(true), uid)).documents, 'registered here, consent decides').to.deep.equal([]);
  });
});
