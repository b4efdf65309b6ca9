import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { generate } from '../../src/ssmix/generator/generate.ts';
import { tempDir } from '../helpers/hieServer.ts';
import { filesOf, spawnHie } from '../helpers/ssmix2.ts';

const ingestProcess = (root: string, config: string, dataDir: string) =>
  spawnHie(['ingest', 'ssmix2', root, '--facility', 'HOSP01', '--config', config, '--data-dir', dataDir, '--concurrency', '16']);

describe('SS-MIX2 ingest killed mid-run (e2e)', function () {
  this.timeout(240_000);

  it('resumes after kill -9 with exactly one registered copy of each document', async () => {
    const out = tempDir('hie-ssmix-crash-');
    generate({ facilities: 1, patients: 160, seed: 5, out, tokenKey: Buffer.from('crash-test-token-key-0123'), tokenAuthority: { namespace: 'MFTOKEN', oid: '2.999.392.1.1' } });
    const root = path.join(out, 'HOSP01');
    const files = filesOf(root);
    const documents = files.filter((f) => !f.includes('/ADT-00/')).length;
    expect(files.length, 'large enough for the reader threads (2,000 files)').to.be.at.least(2000);
    const config = path.join(out, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ identity: { domains: [{ namespace: 'HOSP01', oid: '2.999.392.100.1' }], token: { issuerKey: 'test-issuer-key-0123456789abcdef' } } }));
    const dataDir = tempDir('hie-ssmix-crash-data-');
    const db = () => new Database(path.join(dataDir, 'hie.db'), { readonly: true, fileMustExist: true });
    const count = (sql: string) => {
      const d = db();
      try {
        return (d.prepare(sql).get() as { n: number }).n;
      } finally {
        d.close();
      }
    };

    /** Files taken in so far (0 while the store or its tables do not exist yet). */
    const taken = () => {
      try {
        return count('SELECT count(*) AS n FROM ingest_items');
      } catch {
        return 0;
      }
    };

    // Killed twice part way, then run to the end.
    for (const killAfter of [40, 400]) {
      const p = ingestProcess(root, config, dataDir);
      for (;;) {
        if (taken() >= killAfter) break;
        if (p.child.exitCode !== null) throw new Error(`ingest ended before it could be killed: ${p.output()}`);
        await new Promise((r) => setTimeout(r, 2));
      }
      p.child.kill('SIGKILL');
      await p.exited;
      expect(count('SELECT count(*) AS n FROM ingest_items'), 'killed before the end').to.be.lessThan(files.length);
    }
    const last = ingestProcess(root, config, dataDir);
    expect(await last.exited, last.output()).to.equal(0);
    expect(last.output()).to.match(/rejected\s+0/);

    const d = new Database(path.join(dataDir, 'hie.db'), { readonly: true });
    expect(d.pragma('integrity_check', { simple: true })).to.equal('ok');
    const one = (sql: string) => (d.prepare(sql).get() as { n: number }).n;
    expect(one('SELECT count(*) AS n FROM ingest_items'), 'every file taken in once').to.equal(files.length);
    expect(one("SELECT count(*) AS n FROM xds_entries WHERE kind = 'DocumentEntry'"), 'one DocumentEntry per document file').to.equal(documents);
    expect(one("SELECT count(DISTINCT unique_id) AS n FROM xds_entries WHERE kind = 'DocumentEntry'")).to.equal(documents);
    expect(one("SELECT count(*) AS n FROM xds_repository_documents"), 'one repository document each').to.equal(documents);
    expect(one("SELECT count(*) AS n FROM ingest_items WHERE outcome = 'document' AND entry_uuid NOT IN (SELECT uuid FROM xds_entries)"), 'checkpoints without their entry').to.equal(0);
    const blobs = (d.prepare('SELECT blob FROM xds_repository_documents').all() as { blob: string }[]).map((r) => r.blob);
    const missing = blobs.filter((b) => !fs.existsSync(path.join(dataDir, 'blobs', b.slice(0, 2), b)));
    expect(missing, 'registered documents without their bytes').to.deep.equal([]);
    const persons = one('SELECT count(*) AS n FROM persons WHERE merged_into IS NULL');
    expect(persons).to.equal(160);
    d.close();

    // A run after the end takes nothing.
    const again = ingestProcess(root, config, dataDir);
    expect(await again.exited).to.equal(0);
    expect(again.output()).to.match(new RegExp(`unchanged since last run\\s+${files.length}`));
  });
});
