import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { DEMO_SAMPLES, loadDemo } from '../../src/ingest/demo.ts';
import { withDemoFacilities } from '../../src/server/config/demo.ts';
import { generate } from '../../src/ssmix/generator/generate.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { spawn } from 'node:child_process';
import { filesOf } from '../helpers/ssmix2.ts';
import { findDocuments, idsOf } from '../helpers/xdsQuery.ts';
import { expectSchemaValid, XdsClient } from '../helpers/xds.ts';

describe('the demo: ssmix-samples loaded at start (e2e)', function () {
  this.timeout(60_000);
  let s: TestServer;
  afterEach(async () => {
    await s?.stop();
  });

  it('is exactly what the generator writes for seed 2024', () => {
    const out = tempDir('hie-samples-');
    generate({ facilities: 3, patients: 30, seed: 2024, out, tokenKey: Buffer.from('ssmix-demo-token-key-2024'), tokenAuthority: { namespace: 'MFTOKEN', oid: '2.999.392.1.1' } });
    const digest = (root: string) => {
      const h = createHash('sha1');
      for (const f of filesOf(root).filter((x) => x !== 'README.md')) h.update(f).update(fs.readFileSync(path.join(root, f)));
      return h.digest('hex');
    };
    expect(digest(DEMO_SAMPLES)).to.equal(digest(out));
  });

  it('gives a fresh store the sample patients and their documents, found with ITI-18, once', async () => {
    const base = await startTestServer();
    const config = withDemoFacilities(base.config);
    await base.stop();
    s = await startTestServer(config as never, base.dataDir);
    const deps = { store: s.app.store, identity: s.app.identity, audit: s.app.audit, xds: s.app.xds };
    const loaded = await loadDemo(s.config, deps);
    expect(loaded.map((l) => l.facility.namespace)).to.deep.equal(['HOSP01', 'HOSP02', 'HOSP03']);
    for (const l of loaded) expect(l.report.rejected, l.facility.namespace).to.deep.equal([]);
    const db = new Database(path.join(s.dataDir, s.config.store.sqlite.file), { readonly: true });
    const records = db.prepare('SELECT person_id AS personId, count(*) AS n FROM patient_records GROUP BY person_id').all() as { personId: number; n: number }[];
    db.close();
    expect(records.length, 'thirty people, linked across facilities by their token').to.equal(30);

    // A patient seen at several facilities: their documents from all of them under one regional ID.
    const multi = records.find((r) => r.n > 1)!;
    const person = (await s.app.store.read((tx) => tx.identity.person(multi.personId)))!;
    const c = new XdsClient(s.app.ports.http!);
    const r = await c.query(findDocuments(`${person.regionalId}^^^&${s.config.identity.regional.authority.oid}&ISO`));
    expectSchemaValid([r.xml]);
    expect(idsOf(r).length).to.be.greaterThan(1);
    const sources = new Set(r.body.children.find((x) => x.local === 'RegistryObjectList')!.children.map((eo) => eo.children.find((sl) => sl.attrs.name === 'sourcePatientId')?.children[0]?.children[0]?.text));
    expect(sources.size, 'documents of more than one facility').to.be.greaterThan(1);

    expect(await loadDemo(s.config, deps), 'loaded once').to.deep.equal([]);
  });

  it('a second `npm run demo` on a loaded store says so and loads nothing again', async () => {
    const base = await startTestServer();
    const config = withDemoFacilities(base.config);
    await base.stop();
    s = await startTestServer(config as never, base.dataDir);
    const loaded = await loadDemo(s.config, { store: s.app.store, identity: s.app.identity, audit: s.app.audit, xds: s.app.xds });
    expect(loaded).to.have.length(3);
    const count = () => s.app.store.read((tx) => tx.ingest.ingestItemCount());
    const before = await count();
    const documents = async () => {
      const db = new Database(path.join(base.dataDir, config.store.sqlite.file), { readonly: true });
      const n = (db.prepare("SELECT count(*) AS n FROM xds_entries WHERE kind = 'DocumentEntry'").get() as { n: number }).n;
      db.close();
      return n;
    };
    await s.stop();
    s = undefined as never;
    const docsBefore = await documents();
    expect(docsBefore).to.be.greaterThan(0);
    // As `npm run demo` runs it: hie serve --demo, on the same data folder.
    const root = path.resolve(import.meta.dirname, '../..');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'serve', '--demo', '--data-dir', base.dataDir, '--mllp-port', '0', '--http-port', '0', '--log-level', 'warn'], {
      cwd: root,
      env: { ...process.env, HIE_TOKEN_KEY: 'test-issuer-key-0123456789abcdef' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (/hie serving/.test(out)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`hie serve exited with ${code}: ${err}`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    expect(out).to.contain(`demo: not loaded again: the store in ${base.dataDir} holds ${before} SS-MIX2 files taken in already`);
    expect(out).to.not.match(/ADT-00 patient feeds/);
    expect(await documents(), 'no document registered twice').to.equal(docsBefore);
  });
});
