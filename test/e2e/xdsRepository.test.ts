/**
 * ITI-41 Provide and Register Document Set-b and ITI-43 Retrieve Document Set against the real
 * server: MTOM in and out, binary-safe bytes, blobs removed when a registration fails, the size
 * limit, and every reply (as its XOP infoset) valid against the standard schemas.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import {
  ACTIONS,
  blobFiles,
  XdsClient,
  affinityConfig,
  envelope,
  expectFailure,
  expectSchemaValid,
  expectSuccess,
  faultOf,
  feedPatient,
  mtomBody,
  pid,
  post,
  readReply,
  registryResponseOf,
  ReplyLog,
  retrievedDocuments,
  retrieveRequest,
  STATUS,
  xopDecoded,
} from '../helpers/xds.ts';
import { provideAndRegisterRequest, sha1, type SubmissionSpec } from '../helpers/xdsMetadata.ts';

const REPO = '2.999.392.1.3';


describe('XDS.b ITI-41 and ITI-43 at the Document Repository (e2e)', function () {
  this.timeout(60_000);
  let s: TestServer;
  let c: XdsClient;
  const log = new ReplyLog();
  const decoded: string[] = [];

  before(async () => {
    s = await startTestServer({ ...affinityConfig(), xds: { limits: { spoolThresholdBytes: 65536, maxRequestBytes: 8 * 1024 * 1024 } } });
    c = new XdsClient(s.app.ports.http!);
    for (const p of ['P41-1', 'P41-2']) await feedPatient(s, p);
  });
  after(async () => {
    await s?.stop();
  });

  const provide = async (spec: SubmissionSpec) => {
    const attachments = spec.docs.map((d) => ({ contentId: `${d.id}@test`, contentType: d.mimeType ?? 'text/plain', data: d.content ?? Buffer.from(`document ${d.id}`) }));
    spec.docs.forEach((d, i) => (d.id ??= `Document${String(i + 1).padStart(2, '0')}`));
    attachments.forEach((a, i) => (a.contentId = `${spec.docs[i].id}@test`));
    const r = log.add(await c.mtom(c.repositoryPath, ACTIONS.iti41, provideAndRegisterRequest(spec, 'xop'), attachments));
    decoded.push(r.xml);
    return r;
  };
  const retrieve = async (docs: { repositoryUniqueId: string; documentUniqueId: string }[]) => {
    const r = await c.soap(c.repositoryPath, ACTIONS.iti43, retrieveRequest(docs));
    decoded.push(xopDecoded(r));
    return r;
  };

  it('stores MTOM attachments (one spooled to disk), adds hash, size and repositoryUniqueId, and retrieves them byte for byte as MTOM', async () => {
    const big = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31 + 7) % 256));
    const small = Buffer.from('%PDF-1.4\r\n\r\n--not-a-boundary\r\n\x00\xff');
    const spec: SubmissionSpec = { patientId: pid('P41-1'), docs: [{ content: big, mimeType: 'application/octet-stream' }, { content: small, mimeType: 'application/pdf' }] };
    const r = await provide(spec);
    expectSuccess(r);
    expect(r.contentType, 'an MTOM request gets an MTOM response').to.match(/^multipart\/related/);
    const [entry] = await s.app.store.read((tx) => tx.registry.entriesByUniqueId('DocumentEntry', [spec.docs[0].uniqueId!]));
    expect(entry.hash).to.equal(sha1(big));
    expect(entry.size).to.equal(big.length);
    expect(entry.repositoryUniqueId).to.equal(REPO);

    const got = await retrieve(spec.docs.map((d) => ({ repositoryUniqueId: REPO, documentUniqueId: d.uniqueId! })));
    expect(got.contentType).to.match(/^multipart\/related/);
    expectSuccess({ ...got, body: registryResponseOf(got.body) });
    const docs = retrievedDocuments(got);
    expect(docs.get(spec.docs[0].uniqueId!)!.equals(big)).to.equal(true);
    expect(docs.get(spec.docs[1].uniqueId!)!.equals(small)).to.equal(true);
    const header = got.envelope.children.find((x) => x.local === 'Header')!;
    expect(header.children.find((x) => x.local === 'Action')!.text).to.equal('urn:ihe:iti:2007:RetrieveDocumentSetResponse');
  });

  it('PartialSuccess with XDSDocumentUniqueIdError and XDSUnknownRepositoryId beside a found document; Failure when none is found', async () => {
    const spec: SubmissionSpec = { patientId: pid('P41-1'), docs: [{}] };
    expectSuccess(await provide(spec));
    const partial = await retrieve([
      { repositoryUniqueId: REPO, documentUniqueId: spec.docs[0].uniqueId! },
      { repositoryUniqueId: REPO, documentUniqueId: '1.2.3.4.404' },
      { repositoryUniqueId: '1.2.3.4.5', documentUniqueId: spec.docs[0].uniqueId! },
    ]);
    const rr = registryResponseOf(partial.body);
    expect(rr.attrs.status).to.equal(STATUS.partial);
    const codes = rr.children[0].children.map((e) => e.attrs.errorCode);
    expect(codes).to.deep.equal(['XDSDocumentUniqueIdError', 'XDSUnknownRepositoryId']);
    expect(retrievedDocuments(partial).size).to.equal(1);
    const none = await retrieve([{ repositoryUniqueId: REPO, documentUniqueId: '1.2.3.4.404' }]);
    expect(registryResponseOf(none.body).attrs.status).to.equal(STATUS.failure);
  });

  it('accepts inline (base64) documents inside an MTOM package', async () => {
    const spec: SubmissionSpec = { patientId: pid('P41-2'), docs: [{ content: Buffer.from('インライン文書') }] };
    const body = provideAndRegisterRequest(spec, 'inline');
    const r = log.add(await c.mtom(c.repositoryPath, ACTIONS.iti41, body, []));
    expectSuccess(r);
    const got = await retrieve([{ repositoryUniqueId: REPO, documentUniqueId: spec.docs[0].uniqueId! }]);
    expect(retrievedDocuments(got).get(spec.docs[0].uniqueId!)!.toString()).to.equal('インライン文書');
  });

  it('refuses ITI-41 as plain SOAP: a Fault, as the transaction requires MTOM', async () => {
    const r = log.add(await c.soap(c.repositoryPath, ACTIONS.iti41, provideAndRegisterRequest({ patientId: pid('P41-1'), docs: [{}] }, 'inline')));
    expect(faultOf(r)).to.include({ code: 'env:Sender', subcode: 'hie:MtomRequired' });
  });

  it('XDSRepositoryMetadataError when the supplied hash does not match; XDSMissingDocument without the document; nothing stored', async () => {
    const before = blobFiles(s.dataDir).length;
    const spec: SubmissionSpec = { patientId: pid('P41-1'), docs: [{ content: Buffer.from('mismatch ' + Date.now()) }] };
    const body = provideAndRegisterRequest(spec, 'xop').replace('<rim:Slot name="languageCode">', `<rim:Slot name="hash"><rim:ValueList><rim:Value>${'0'.repeat(40)}</rim:Value></rim:ValueList></rim:Slot><rim:Slot name="languageCode">`);
    const r = log.add(await c.mtom(c.repositoryPath, ACTIONS.iti41, body, [{ contentId: 'Document01@test', data: spec.docs[0].content! }]));
    expectFailure(r, 'XDSRepositoryMetadataError');
    const missing = log.add(await c.mtom(c.repositoryPath, ACTIONS.iti41, provideAndRegisterRequest({ patientId: pid('P41-1'), docs: [{}] }, 'xop').replace(/<xdsb:Document .*<\/xdsb:Document>/, ''), []));
    expectFailure(missing, 'XDSMissingDocument');
    expect(blobFiles(s.dataDir).length).to.equal(before);
  });

  it('removes the stored bytes again when the registration fails (unknown patient)', async () => {
    const before = blobFiles(s.dataDir).length;
    const content = Buffer.from('orphan? ' + Date.now());
    const r = await provide({ patientId: pid('NOT-FED'), docs: [{ content }] });
    expectFailure(r, 'XDSUnknownPatientId');
    expect(blobFiles(s.dataDir).length).to.equal(before);
    expect(blobFiles(s.dataDir)).to.not.include(path.join(sha1(content).slice(0, 2), sha1(content)));
    expect(fs.readdirSync(path.join(s.dataDir, 'spool')).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
  });

  it('an attachment beyond the configured limit: a Fault, nothing stored, no spool file left', async () => {
    const before = blobFiles(s.dataDir).length;
    const huge = Buffer.alloc(9 * 1024 * 1024, 7);
    const spec: SubmissionSpec = { patientId: pid('P41-1'), docs: [{ content: huge }] };
    const pkg = mtomBody(envelope(ACTIONS.iti41, provideAndRegisterRequest(spec, 'xop')), ACTIONS.iti41, [{ contentId: 'Document01@test', data: huge }]);
    const r = log.add(await readReply(await post(c.port, c.repositoryPath, pkg.contentType, pkg.body).catch(() => ({ status: 0, contentType: '', body: Buffer.alloc(0) }))).catch(() => undefined as never));
    if (r) expect(faultOf(r)).to.include({ code: 'env:Sender', subcode: 'hie:MessageTooLarge' });
    expect(blobFiles(s.dataDir).length).to.equal(before);
    expect(await s.app.store.read((tx) => tx.registry.entriesByUniqueId('DocumentEntry', [spec.docs[0].uniqueId!]))).to.have.length(0);
    expect(fs.readdirSync(path.join(s.dataDir, 'spool')).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
  });

  it('audits ITI-41 as Import (110107) and ITI-43 as Export (110106) with the documents', async () => {
    const all = await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 10000 }));
    const i41 = all.filter((e) => e.eventTypeCode === 'ITI-41');
    const i43 = all.filter((e) => e.eventTypeCode === 'ITI-43');
    expect(i41.some((e) => e.eventId === '110107' && e.action === 'C' && e.outcome === 0)).to.equal(true);
    expect(i43.some((e) => e.eventId === '110106' && e.action === 'R' && e.outcome === 0)).to.equal(true);
    expect(i43.some((e) => e.outcome === 4), 'the PartialSuccess').to.equal(true);
  });

  describe('every reply', () => {
    it('validates (as its XOP infoset) against the SOAP 1.2, WS-Addressing, ebRS and XDS.b schemas', () => {
      expect(decoded.length + log.xmls.length).to.be.greaterThan(10);
      expectSchemaValid([...new Set([...log.xmls, ...decoded])]);
    });
  });
});
