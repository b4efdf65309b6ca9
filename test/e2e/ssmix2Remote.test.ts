import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { resolveFacility } from '../../src/ingest/assemble.ts';
import { RemoteSharing } from '../../src/ingest/remote/remoteSharing.ts';
import { parseRemoteTargets } from '../../src/ingest/remote/targets.ts';
import { Ssmix2Ingest } from '../../src/ingest/ssmix2/ingestRun.ts';
import { openServices } from '../../src/server/app.ts';
import { validate } from '../../src/server/config/load.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { Status } from '../../src/xds/registry/schemes.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { filesOf, ssmix2ReferenceDir, writeVersionsTree } from '../helpers/ssmix2.ts';
import { ACTIONS, retrievedDocuments, retrieveRequest, XdsClient } from '../helpers/xds.ts';

const FACILITY = { namespace: 'HIS123', oid: '2.999.392.100.1' };

describe('SS-MIX2 adapter publishing to a running HIE: ITI-8, ITI-9, ITI-41, ITI-57 (e2e)', function () {
  this.timeout(60_000);
  let s: TestServer;
  const adapters: { close(): Promise<void> }[] = [];

  /** An adapter with its own data folder (its checkpoint), publishing to the test server. */
  const adapter = async (dataDir = tempDir('hie-adapter-')) => {
    const config = validate({ dataDir, identity: { domains: [FACILITY], token: { issuerKey: 'adapter-issuer-key-0123456789ab' } } });
    const services = await openServices(config, silentLogger);
    const targets = parseRemoteTargets(`mllp://127.0.0.1:${s.mllpPort},http://127.0.0.1:${s.app.ports.http}`, config);
    const sharing = new RemoteSharing({ store: services.store, domains: services.domains, cfg: config.ingest.ssmix2, targets, application: 'SSMIX2' });
    const facility = await resolveFacility(config, services, FACILITY.namespace);
    const runner = new Ssmix2Ingest(services.store, sharing, { domains: services.domains, config: config.identity });
    const a = {
      run: (root: string) => runner.run({ root, facility, concurrency: 4 }),
      async close() {
        await sharing.close();
        await services.store.close();
      },
    };
    adapters.push(a);
    return a;
  };
  const documents = () => s.app.store.read((tx) => tx.registry.findEntries({ kind: 'DocumentEntry', personIds: [1, 2, 3, 4, 5], statuses: [Status.approved, Status.deprecated] }, 1000));

  beforeEach(async () => {
    s = await startTestServer({ identity: { domains: [FACILITY] } as never });
  });
  afterEach(async () => {
    for (const a of adapters.splice(0)) await a.close();
    await s.stop();
  });

  it('publishes the reference sampleData: the patient by ITI-8, the documents by ITI-41, byte for byte; nothing twice, even with a lost checkpoint', async () => {
    const root = path.join(ssmix2ReferenceDir(), 'sampleData');
    const a = await adapter();
    const report = await a.run(root);
    expect(report.rejected.map((r) => r.reason)).to.deep.equal(['misplaced', 'unparseable', 'unparseable']);
    expect(report.counts).to.include({ patients: 1, documents: 18 });
    const docs = await documents();
    expect(docs).to.have.length(18);
    const c = new XdsClient(s.app.ports.http!);
    const got = retrievedDocuments(await c.soap(c.repositoryPath, ACTIONS.iti43, retrieveRequest(docs.map((d) => ({ repositoryUniqueId: s.config.xds.repository.uniqueId, documentUniqueId: d.uniqueId! })))));
    const byHash = new Map(filesOf(root).map((f) => [createHash('sha1').update(fs.readFileSync(path.join(root, f))).digest('hex'), f]));
    for (const d of docs) expect(got.get(d.uniqueId!)!.equals(fs.readFileSync(path.join(root, byHash.get(d.hash!)!)))).to.equal(true);

    expect((await a.run(root)).counts).to.include({ unchanged: 19, documents: 0 });
    const fresh = await adapter();
    const again = await fresh.run(root);
    expect(again.counts).to.include({ documents: 0, alreadyRegistered: 18 });
    expect(await documents()).to.have.length(18);
  });

  it('replaces versions with RPLC and deprecates deleted data with ITI-57; an unknown patient is rejected', async () => {
    const root = tempDir('hie-ssmix-');
    writeVersionsTree(root, { deleted: true, unknownPatient: true });
    const report = await (await adapter()).run(root);
    expect(report.rejected.map((r) => `${r.path.split('/')[2]} ${r.reason}`)).to.deep.equal(['7654321 unknown-patient']);
    expect(report.counts).to.include({ patients: 1, documents: 4, replacing: 2, deprecated: 1 });
    const statuses = (await documents()).map((d) => d.status.split(':').pop()).sort();
    expect(statuses).to.deep.equal(['Approved', 'Deprecated', 'Deprecated', 'Deprecated']);
  });
});
