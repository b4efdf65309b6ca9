import { expect } from 'chai';
import { affinityPid, HOSP_A, readFixture, REPOSITORY, soapRequest, type ReadFixture } from '../../../test/helpers/readFixture.ts';
import { ACTIONS, retrieveRequest } from '../../../test/helpers/xds.ts';
import { silentLogger } from '../../kernel/logger.ts';
import type { SoapTransaction } from '../../soap/endpoint.ts';
import { RepositoryService } from '../repository/service.ts';
import { iti43Transaction } from './transaction.ts';

describe('ITI-43 Retrieve Document Set (the transaction over the retrieval service)', () => {
  let f: ReadFixture;
  let t: SoapTransaction;
  let uids: string[];
  before(async () => {
    f = await readFixture();
    await f.patient('R43-1');
    const spec = await f.submit({ patientId: affinityPid('R43-1'), docs: [{ content: Buffer.from('one') }, { content: Buffer.from('two') }] }, HOSP_A.oid);
    uids = spec.docs.map((d) => d.uniqueId!);
    await f.storeDocument(uids[0], Buffer.from('one'));
    await f.storeDocument(uids[1], Buffer.from('two'));
    const repository = new RepositoryService({ repositoryUniqueId: REPOSITORY }, f.store, f.blobs);
    t = iti43Transaction({ repository, registry: f.registry, audit: f.audit, log: silentLogger, store: f.store, identity: f.identity, decisions: f.decisions });
  });
  afterEach(() => f.decisions.hiddenDocuments.clear());
  after(() => f?.close());

  const retrieve = (...documentUniqueIds: string[]) => t.handle(soapRequest(ACTIONS.iti43, retrieveRequest(documentUniqueIds.map((documentUniqueId) => ({ repositoryUniqueId: REPOSITORY, documentUniqueId })))));
  /** The response with the withheld or unknown uniqueId replaced, to compare the two. */
  const masked = async (uid: string, ...more: string[]) => {
    const r = await retrieve(uid, ...more);
    return { xml: r.bodyXml.replace(/cid:[^"]+/g, 'cid:x').split(uid).join('UID'), attachments: r.attachments?.length ?? 0 };
  };

  it('answers a withheld document exactly as an unknown one: XDSDocumentUniqueIdError, the same codeContext, the same status', async () => {
    const unknownAlone = await masked('1.2.392.999.404');
    const unknownBeside = await masked('1.2.392.999.404', uids[1]);
    f.decisions.hiddenDocuments.add(uids[0]);
    const withheldAlone = await masked(uids[0]);
    const withheldBeside = await masked(uids[0], uids[1]);
    expect(withheldAlone).to.deep.equal(unknownAlone);
    expect(withheldBeside).to.deep.equal(unknownBeside);
    expect(withheldAlone.xml).to.contain('ResponseStatusType:Failure').and.to.contain('XDSDocumentUniqueIdError');
    expect(withheldBeside.xml).to.contain('PartialSuccess');
    expect(withheldBeside.attachments).to.equal(1);
  });

  it('returns a visible document', async () => {
    const r = await retrieve(uids[0]);
    expect(r.bodyXml).to.contain('ResponseStatusType:Success');
    expect(r.attachments).to.have.length(1);
  });
});
