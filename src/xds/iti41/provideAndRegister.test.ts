import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { expect } from 'chai';
import { affinityPid, HOSP_A, HOSP_B, readFixture, REPOSITORY, type ReadFixture } from '../../../test/helpers/readFixture.ts';
import { sha1, submitObjectsRequest, type SubmissionSpec } from '../../../test/helpers/xdsMetadata.ts';
import { asHospB, AuditFailingOnSuccess, auditMark, NODE_A, NODE_B, objectIds, userIds } from '../../../test/helpers/xdsWrites.ts';
import { decodeRegistryObjectList, registryObjectListOf } from '../../ebxml/decode.ts';
import { slotValue, type ExtrinsicObject, type Identifiable } from '../../ebxml/rim.ts';
import type { RequestContext } from '../../kernel/requestContext.ts';
import { parseXml } from '../../xml/parse.ts';
import { XdsError } from '../registry/errors.ts';
import { RemoteRegistry } from '../repository/remoteRegistry.ts';
import { RepositoryService } from '../repository/service.ts';
import { ProvideAndRegister, type ProvideAndRegisterOutcome, type ProvideAndRegisterRequest } from './provideAndRegister.ts';

const uuid = () => `urn:uuid:${randomUUID()}`;

describe('ITI-41 Provide and Register as a use case (documents stored and registered in one write)', () => {
  let f: ReadFixture;
  let repository: RepositoryService;
  let useCase: ProvideAndRegister;
  before(async () => {
    f = await readFixture();
    await f.patient('P41-1');
    repository = new RepositoryService({ repositoryUniqueId: REPOSITORY }, f.store, f.blobs);
    useCase = new ProvideAndRegister({ repository, registry: f.registry, audit: f.audit });
  });
  after(() => f?.close());

  const requester = (context: RequestContext) => ({ peer: { address: '192.0.2.10', endpoint: 'http://hie.test/services/repository' }, context });
  /** A submission of `n` documents with contents of their own (so that their blobs are theirs alone). */
  const spec = (n = 1, patient = 'P41-1'): SubmissionSpec => ({
    patientId: affinityPid(patient),
    submissionSetId: uuid(),
    docs: Array.from({ length: n }, () => ({ id: uuid(), content: Buffer.from(`report ${randomUUID()}`), repositoryUniqueId: REPOSITORY })),
  });
  /** The typed request: the metadata (with repository attributes only when the test sets them) and the documents. */
  const request = (s: SubmissionSpec, opts: { withRepositoryAttributes?: boolean; xml?: (x: string) => string; documents?: SubmissionSpec['docs'] } = {}): ProvideAndRegisterRequest => {
    const xml = (opts.xml ?? ((x) => x))(submitObjectsRequest(s, opts.withRepositoryAttributes ?? false));
    return {
      objects: decodeRegistryObjectList(registryObjectListOf(parseXml(xml))!),
      documents: (opts.documents ?? s.docs).map((d) => ({ id: d.id!, source: { data: d.content! } })),
    };
  };
  const run = (ctx: RequestContext, r: ProvideAndRegisterRequest, uc = useCase) => uc.run(requester(ctx), r);
  const codes = (o: ProvideAndRegisterOutcome) => (o.status === 'failure' ? o.errors.map((e) => e.errorCode) : []);
  /** What the submission left: registry entries, repository rows, blobs. */
  async function left(s: SubmissionSpec) {
    const uids = s.docs.map((d) => d.uniqueId!);
    return {
      entries: await f.store.read((tx) => tx.registry.entries([s.submissionSetId!, ...s.docs.map((d) => d.id!)])),
      rows: await f.store.read((tx) => tx.repository.documents(REPOSITORY, uids)),
      blobs: s.docs.filter((d) => f.blobs.has(sha1(d.content!))).length,
    };
  }
  const nothingLeft = { entries: [], rows: [], blobs: 0 };

  it('stores the documents and registers them with hash, size and repositoryUniqueId, under the node\'s facility, audited as an Import naming the node', async () => {
    const s = spec(2);
    const added = await auditMark(f.store);
    const o = await run(NODE_A, request(s));
    expect(o).to.deep.equal({ status: 'success', warnings: [] });
    const l = await left(s);
    expect(l.blobs).to.equal(2);
    expect(l.rows.map((r) => r.uniqueId).sort()).to.deep.equal(s.docs.map((d) => d.uniqueId).sort());
    for (const d of s.docs) {
      const e = await f.entry(d.uniqueId!);
      expect(e.facility).to.equal(HOSP_A.oid);
      expect([slotValue(e.object as ExtrinsicObject, 'hash'), slotValue(e.object as ExtrinsicObject, 'size'), slotValue(e.object as ExtrinsicObject, 'repositoryUniqueId')]).to.deep.equal([
        sha1(d.content!),
        String(d.content!.length),
        REPOSITORY,
      ]);
      expect(fs.readFileSync(f.blobs.pathOf(sha1(d.content!)))).to.deep.equal(d.content);
    }
    expect(l.entries.find((e) => e.kind === 'SubmissionSet')!.facility).to.equal(HOSP_A.oid);
    const audits = await added();
    expect(audits.map((a) => [a.eventId, a.action, a.outcome, a.eventTypeCode])).to.deep.equal([['110107', 'C', 0, 'ITI-41']]);
    expect(objectIds(audits[0])).to.include(s.submissionSetUniqueId);
    expect(userIds(audits[0])).to.include('CN=hosp-a,O=Test Region');
  });

  it('records B\'s submission by B\'s node under B\'s facility', async () => {
    const s = spec();
    expect((await run(NODE_B, request(s, { xml: asHospB }))).status).to.equal('success');
    expect((await left(s)).entries.map((e) => e.facility)).to.deep.equal([HOSP_B.oid, HOSP_B.oid]);
  });

  it('refuses a hash or size that does not match the document with XDSRepositoryMetadataError: nothing stored', async () => {
    const badHash = spec();
    badHash.docs[0].hash = '0'.repeat(40);
    const o1 = await run(NODE_A, request(badHash, { withRepositoryAttributes: true }));
    expect(codes(o1)).to.deep.equal(['XDSRepositoryMetadataError']);
    expect(o1.status === 'failure' && o1.errors[0].location).to.equal(badHash.docs[0].id);
    expect(await left(badHash)).to.deep.equal(nothingLeft);
    const badSize = spec();
    badSize.docs[0].size = badSize.docs[0].content!.length + 1;
    expect(codes(await run(NODE_A, request(badSize, { withRepositoryAttributes: true })))).to.deep.equal(['XDSRepositoryMetadataError']);
    expect(await left(badSize)).to.deep.equal(nothingLeft);
  });

  it('refuses a DocumentEntry without its document with XDSMissingDocument: its sibling is not stored either', async () => {
    const s = spec(2);
    const o = await run(NODE_A, request(s, { documents: [s.docs[0]] }));
    expect(codes(o)).to.deep.equal(['XDSMissingDocument']);
    expect(o.status === 'failure' && o.errors[0].location).to.equal(s.docs[1].id);
    expect(await left(s)).to.deep.equal(nothingLeft);
  });

  it('refuses a submission under another facility\'s sourceId: no blob, no row, no entry; a Security Alert and the failure audit naming the node', async () => {
    const s = spec();
    const added = await auditMark(f.store);
    const o = await run(NODE_B, request(s));
    expect(o.status).to.equal('failure');
    expect(new Set(codes(o))).to.deep.equal(new Set(['XDSRepositoryMetadataError']));
    expect(o.status === 'failure' && o.errors.map((e) => e.location)).to.include(s.submissionSetId);
    expect(await left(s)).to.deep.equal(nothingLeft);
    const audits = await added();
    expect(audits.map((a) => [a.eventId, a.eventTypeCode, a.outcome])).to.deep.equal([
      ['110113', '110132', 4],
      ['110107', 'ITI-41', 4],
    ]);
    for (const a of audits) expect(userIds(a)).to.include('CN=hosp-b,O=Test Region');
    expect(audits[1].xml).to.contain('XDSRepositoryMetadataError');
  });

  it('refuses B\'s replacement (RPLC) of A\'s document with XDSRepositoryError at it: the new document not stored, A\'s left Approved', async () => {
    const a = spec();
    expect((await run(NODE_A, request(a))).status).to.equal('success');
    const b = spec();
    const rplc = `<rim:Association id="${uuid()}" associationType="urn:ihe:iti:2007:AssociationType:RPLC" sourceObject="${b.docs[0].id}" targetObject="${a.docs[0].id}"/>`;
    b.associations = [rplc];
    const o = await run(NODE_B, request(b, { xml: asHospB }));
    expect(o.status === 'failure' && o.errors.map((e) => [e.errorCode, e.location])).to.deep.equal([['XDSRepositoryError', a.docs[0].id]]);
    expect(await left(b)).to.deep.equal(nothingLeft);
    expect((await f.entry(a.docs[0].uniqueId!)).status).to.equal('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved');
  });

  it('commits the documents, the registration and the Import audit together: an audit that cannot be written leaves nothing', async () => {
    const failing = new ProvideAndRegister({ repository, registry: f.registry, audit: new AuditFailingOnSuccess(f.store, f.config.node) });
    const s = spec();
    const added = await auditMark(f.store);
    const o = await run(NODE_A, request(s), failing);
    expect(codes(o)).to.deep.equal(['XDSRepositoryError']);
    expect(o.status === 'failure' && o.internalError).to.be.instanceOf(Error);
    expect(await left(s)).to.deep.equal(nothingLeft);
    expect((await added()).map((a) => [a.eventTypeCode, a.outcome])).to.deep.equal([['ITI-41', 8]]);
  });

  describe('with a remote Document Registry (ITI-42 sent by the repository)', () => {
    /** The registry at the other end, as the use case sees it: what it was sent, and its answer. */
    class RegistryAtTheOtherEnd extends RemoteRegistry {
      readonly sent: Identifiable[][] = [];
      refuse?: Error;
      override async register(objects: Identifiable[]) {
        this.sent.push(objects);
        if (this.refuse) throw this.refuse;
        return { warnings: [] };
      }
    }
    let remote: RegistryAtTheOtherEnd;
    let remoteUseCase: ProvideAndRegister;
    beforeEach(() => {
      remote = new RegistryAtTheOtherEnd({ url: 'https://registry.test/services/registry', timeoutMs: 1000, spoolDir: f.config.dataDir });
      remoteUseCase = new ProvideAndRegister({ repository, registry: f.registry, remoteRegistry: remote, audit: f.audit });
    });

    it('stores the documents, sends the metadata with hash, size and repositoryUniqueId, and audits its own ITI-42 then the ITI-41', async () => {
      const s = spec();
      const added = await auditMark(f.store);
      expect((await run(NODE_A, request(s), remoteUseCase)).status).to.equal('success');
      expect(remote.sent).to.have.length(1);
      const sentEntry = remote.sent[0].find((o): o is ExtrinsicObject => o.type === 'ExtrinsicObject')!;
      expect(slotValue(sentEntry, 'hash')).to.equal(sha1(s.docs[0].content!));
      expect(slotValue(sentEntry, 'repositoryUniqueId')).to.equal(REPOSITORY);
      const l = await left(s);
      expect([l.rows.length, l.blobs, l.entries.length]).to.deep.equal([1, 1, 0]);
      expect((await added()).map((a) => [a.eventTypeCode, a.outcome])).to.deep.equal([
        ['ITI-42', 0],
        ['ITI-41', 0],
      ]);
    });

    it('removes the documents again when the remote registry refuses them, and audits both failures', async () => {
      remote.refuse = new XdsError('XDSUnknownPatientId', 'patient not known there', 'SubmissionSet01');
      const s = spec();
      const added = await auditMark(f.store);
      const o = await run(NODE_A, request(s), remoteUseCase);
      expect(codes(o)).to.deep.equal(['XDSUnknownPatientId']);
      expect(await left(s)).to.deep.equal(nothingLeft);
      expect((await added()).map((a) => [a.eventTypeCode, a.outcome])).to.deep.equal([
        ['ITI-42', 4],
        ['ITI-41', 4],
      ]);
    });

    it('refuses another facility\'s submission before storing or sending anything', async () => {
      const s = spec();
      const added = await auditMark(f.store);
      expect(codes(await run(NODE_B, request(s), remoteUseCase))).to.include('XDSRepositoryMetadataError');
      expect(remote.sent).to.deep.equal([]);
      expect(await left(s)).to.deep.equal(nothingLeft);
      expect((await added()).map((a) => [a.eventId, a.outcome])).to.deep.equal([
        ['110113', 4],
        ['110107', 4],
      ]);
    });
  });
});
