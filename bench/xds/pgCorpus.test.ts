import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { MIGRATIONS } from '../../src/store/postgres/migrations.ts';
import { postgresBinaries, startPostgres, type PostgresCluster } from '../../test/helpers/postgres.ts';
import type { BenchPostgres } from '../engines.ts';
import { corpus } from './corpus.ts';
import { dumpFile, dumpTag, pgCorpus } from './pgCorpus.ts';

const ENTRY = `SELECT p.regional_id, e.uuid, e.kind, e.lid, e.version, e.status, e.unique_id, e.object_type, e.creation_time, e.source_object, e.target_object, e.body
  FROM xds_entries e LEFT JOIN persons p ON p.id = e.person_id ORDER BY e.uuid`;
const CODES = 'SELECT e.uuid, c.attr, c.code FROM xds_entries e JOIN xds_codes c ON c.rid = e.rid ORDER BY e.uuid, c.attr, c.code';

describe('bench:xds ITI-18 corpus on PostgreSQL', () => {
  let cluster: PostgresCluster;
  let root: string;
  let databases = 0;
  before(async function () {
    this.timeout(120_000);
    cluster = await startPostgres();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-pgcorpus-'));
  });
  after(async () => {
    await cluster?.stop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('tags the dump with the corpus version and the schema', () => {
    expect(dumpTag(1)).to.equal(dumpTag(1));
    expect(dumpTag(2)).to.not.equal(dumpTag(1));
    expect(dumpTag(1, [...MIGRATIONS, { version: 99, name: 'x', sql: 'SELECT 1' }])).to.not.equal(dumpTag(1));
    expect(dumpFile('/b', 1000)).to.equal(`/b/xds-registry-1000-pg-${dumpTag()}.dump`);
  });

  it('copies the SQLite registry entry for entry, keeps it as a dump, and restores it', async function () {
    this.timeout(180_000);
    const c = await corpus(35, root, () => undefined);
    const pgb: BenchPostgres = {
      cluster,
      bin: postgresBinaries(),
      freshDatabase: async (prefix) => cluster.url(await cluster.createDatabase(`${prefix}_t${++databases}`)),
      serverCpuMs: () => 0,
      stop: async () => undefined,
    };
    const sqlite = new Database(path.join(c.dataDir, 'hie.db'), { readonly: true });
    const sqliteEntries = sqlite.prepare(ENTRY).all();
    const sqliteCodes = sqlite.prepare(CODES).all();
    sqlite.close();
    expect(sqliteEntries).to.have.length(35 + 4 + 35);

    for (const made of [false, true]) {
      expect(fs.existsSync(dumpFile(root, 35))).to.equal(made);
      const url = await pgCorpus(c, pgb, root, () => undefined);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const rows = (await client.query(ENTRY)).rows;
        expect(rows).to.deep.equal(sqliteEntries);
        expect((await client.query(CODES)).rows).to.deep.equal(sqliteCodes);
      } finally {
        await client.end();
      }
    }
  });
});
