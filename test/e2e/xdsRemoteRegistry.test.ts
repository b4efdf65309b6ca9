/**
 * A Document Repository that registers through a remote Document Registry (config
 * xds.repository.registryUrl): two servers, ITI-41 at the repository, ITI-42 from it to the
 * registry over SOAP. The registry's errors come back in the ITI-41 response, an unreachable or
 * garbled registry is XDSRegistryNotAvailable, and a failed registration leaves no stored bytes.
 */
import http from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { ACTIONS, blobFiles, DICOM_AUDIT_SCHEMA, XdsClient, affinityConfig, expectFailure, expectSchemaValid, expectSuccess, feedPatient, pid, ReplyLog, retrievedDocuments, retrieveRequest } from '../helpers/xds.ts';
import { provideAndRegisterRequest, sha1, type SubmissionSpec } from '../helpers/xdsMetadata.ts';

const REPO = '2.999.392.1.3';


describe('XDS.b Document Repository with a remote Document Registry (two servers, e2e)', function () {
  this.timeout(60_000);
  let registry: TestServer;
  let repository: TestServer;
  let c: XdsClient;
  const log = new ReplyLog();

  before(async () => {
    registry = await startTestServer({ ...affinityConfig(), xds: { repository: { enabled: false } } });
    await feedPatient(registry, 'RR-1');
    const url = `http://127.0.0.1:${registry.app.ports.http}/services/registry`;
    repository = await startTestServer({ ...affinityConfig(), xds: { registry: { enabled: false }, repository: { registryUrl: url, registryTimeoutMs: 2000 } } });
    c = new XdsClient(repository.app.ports.http!);
  });
  after(async () => {
    await repository?.stop();
    await registry?.stop();
  });

  const provide = async (spec: SubmissionSpec) => {
    spec.docs.forEach((d, i) => (d.id ??= `Document${String(i + 1).padStart(2, '0')}`));
    const attachments = spec.docs.map((d) => ({ contentId: `${d.id}@test`, contentType: 'text/plain', data: d.content ?? Buffer.from(`document ${d.id}`) }));
    return log.add(await c.mtom(c.repositoryPath, ACTIONS.iti41, provideAndRegisterRequest(spec, 'xop'), attachments));
  };

  it('stores the document, registers it at the remote registry with hash, size and repositoryUniqueId, and retrieves it', async () => {
    const content = Buffer.from('remote registration 遠隔登録');
    const spec: SubmissionSpec = { patientId: pid('RR-1'), docs: [{ content }] };
    expectSuccess(await provide(spec));
    const uid = spec.docs[0].uniqueId!;
    const [entry] = await registry.app.store.read((tx) => tx.registry.entriesByUniqueId('DocumentEntry', [uid]));
    expect(entry).to.include({ hash: sha1(content), size: content.length, repositoryUniqueId: REPO });
    expect(await repository.app.store.read((tx) => tx.registry.entriesByUniqueId('DocumentEntry', [uid])), 'nothing in the repository’s own registry').to.deep.equal([]);
    const got = await c.soap(c.repositoryPath, ACTIONS.iti43, retrieveRequest([{ repositoryUniqueId: REPO, documentUniqueId: uid }]));
    expect(retrievedDocuments(got).get(uid)!.equals(content)).to.equal(true);
  });

  it('passes the registry’s errors on (XDSUnknownPatientId) and removes the stored bytes', async () => {
    const before = blobFiles(repository.dataDir);
    const content = Buffer.from(`unknown patient ${Date.now()}`);
    const spec: SubmissionSpec = { patientId: pid('RR-NOT-FED'), docs: [{ content }] };
    const r = await provide(spec);
    expectFailure(r, 'XDSUnknownPatientId');
    expect(blobFiles(repository.dataDir)).to.deep.equal(before);
    expect(await repository.app.store.read((tx) => tx.repository.documents(REPO, [spec.docs[0].uniqueId!]))).to.deep.equal([]);
  });

  it('keeps a document it already held when a resubmission of it fails at the registry', async () => {
    const content = Buffer.from(`held ${Date.now()}`);
    const first: SubmissionSpec = { patientId: pid('RR-1'), docs: [{ content }] };
    expectSuccess(await provide(first));
    const again: SubmissionSpec = { patientId: pid('RR-NOT-FED'), docs: [{ content, uniqueId: first.docs[0].uniqueId }] };
    expectFailure(await provide(again), 'XDSUnknownPatientId');
    expect(await repository.app.store.read((tx) => tx.repository.documents(REPO, [first.docs[0].uniqueId!]))).to.have.length(1);
    expect(blobFiles(repository.dataDir)).to.include(path.join(sha1(content).slice(0, 2), sha1(content)));
  });

  it('XDSRegistryNotAvailable when the registry answers no RegistryResponse, or cannot be reached; nothing stored', async () => {
    const junk = http.createServer((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/html' });
      res.end('<html><body>Internal Server Error</body></html>');
    });
    await new Promise<void>((r) => junk.listen(0, '127.0.0.1', () => r()));
    const junkPort = (junk.address() as { port: number }).port;
    const unreachable = `http://127.0.0.1:${junkPort}/services/registry`;
    const other = await startTestServer({ ...affinityConfig(), xds: { registry: { enabled: false }, repository: { registryUrl: unreachable, registryTimeoutMs: 1000 } } });
    try {
      const oc = new XdsClient(other.app.ports.http!);
      const send = async () => {
        const spec: SubmissionSpec = { patientId: pid('RR-1'), docs: [{ id: 'Document01', content: Buffer.from(`x ${Date.now()}`) }] };
        return log.add(await oc.mtom(oc.repositoryPath, ACTIONS.iti41, provideAndRegisterRequest(spec, 'xop'), [{ contentId: 'Document01@test', data: spec.docs[0].content! }]));
      };
      expectFailure(await send(), 'XDSRegistryNotAvailable');
      await new Promise<void>((r) => junk.close(() => r()));
      expectFailure(await send(), 'XDSRegistryNotAvailable');
      expect(blobFiles(other.dataDir)).to.deep.equal([]);
      expect((await other.app.store.read((tx) => tx.audit.auditEvents({ eventTypeCode: 'ITI-42' }))).every((e) => e.outcome === 8 && e.eventId === '110106')).to.equal(true);
    } finally {
      await other.stop();
    }
  });

  it('audits ITI-41 (Import) and its own ITI-42 (Export, this node as Source) at the repository, ITI-42 (Import) at the registry', async () => {
    const atRepository = await repository.app.store.read((tx) => tx.audit.auditEvents({ limit: 1000 }));
    const export42 = atRepository.filter((e) => e.eventTypeCode === 'ITI-42');
    expect(export42.some((e) => e.eventId === '110106' && e.action === 'R' && e.outcome === 0)).to.equal(true);
    expect(export42.some((e) => e.outcome === 4), 'the refused registration').to.equal(true);
    expect(atRepository.some((e) => e.eventTypeCode === 'ITI-41' && e.eventId === '110107' && e.outcome === 0)).to.equal(true);
    const atRegistry = await registry.app.store.read((tx) => tx.audit.auditEvents({ eventTypeCode: 'ITI-42' }));
    expect(atRegistry.some((e) => e.eventId === '110107' && e.outcome === 0)).to.equal(true);
    expectSchemaValid([...atRepository, ...atRegistry].map((e) => e.xml), DICOM_AUDIT_SCHEMA);
  });

  it('every reply validates against the schemas', () => {
    expectSchemaValid(log.xmls);
  });
});
