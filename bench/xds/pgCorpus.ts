/**
 * The ITI-18 registry of N entries on PostgreSQL, made from the cached SQLite one (corpus.ts) so that
 * both engines answer over the same data: the persons and the registry entries read back through
 * the shared row mapper (src/store/rows/registry.ts), their index made again from the object as
 * ITI-42 makes it, and written through the PostgreSQL store's own registry writes, thousands a
 * transaction, with no HTTP. The database is then kept as a `pg_dump -Fc` file under var/bench,
 * named by the SQLite corpus's version and a digest of the PostgreSQL migrations (a schema change
 * makes a new one), and restored with `pg_restore -j2` into a fresh database on later runs.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ExtrinsicObject, RegistryPackage } from '../../src/ebxml/rim.ts';
import { MIGRATIONS } from '../../src/store/postgres/migrations.ts';
import { PostgresStore } from '../../src/store/postgres/pgStore.ts';
import { COLUMNS, toEntry, type EntryRow } from '../../src/store/rows/registry.ts';
import type { StoredEntry } from '../../src/xds/registry/entries.ts';
import { associationIndex, documentIndex, folderIndex, submissionSetIndex, type EntryIndex } from '../../src/xds/registry/metadata.ts';
import type { BenchPostgres } from '../engines.ts';
import { CORPUS_VERSION, type Corpus } from './corpus.ts';

/** Rows a transaction when copying. */
const BATCH = 5000;

/** The tag of a dump: the corpus version and the PostgreSQL schema it was made with. */
export function dumpTag(corpusVersion = CORPUS_VERSION, migrations = MIGRATIONS): string {
  const schema = createHash('sha1');
  for (const m of migrations) schema.update(`${m.version}\0${m.sql}\0`);
  return `v${corpusVersion}-s${schema.digest('hex').slice(0, 10)}`;
}

export const dumpFile = (root: string, entries: number, tag = dumpTag()) => path.join(root, `xds-registry-${entries}-pg-${tag}.dump`);

/** The index an entry's object gives, as the registry computes it when the entry is registered. */
export function indexOf(e: Pick<StoredEntry, 'kind' | 'object'>): EntryIndex {
  switch (e.kind) {
    case 'DocumentEntry':
      return documentIndex(e.object as ExtrinsicObject);
    case 'SubmissionSet':
      return submissionSetIndex(e.object as RegistryPackage);
    case 'Folder':
      return folderIndex(e.object as RegistryPackage);
    case 'Association':
      return associationIndex();
  }
}

/** A fresh database holding the corpus, restored from its dump (made first when absent); its URL. */
export async function pgCorpus(c: Corpus, pgb: BenchPostgres, root: string, progress: (msg: string) => void): Promise<string> {
  const dump = dumpFile(root, c.entries);
  const url = await pgb.freshDatabase(`xds_registry_${c.entries}`);
  if (fs.existsSync(dump)) {
    const t0 = performance.now();
    run(pgb.bin, 'pg_restore', ['-j2', '--no-owner', '-d', url, dump]);
    progress(`  restored ${c.entries.toLocaleString()} entries on PostgreSQL from ${path.basename(dump)} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return url;
  }
  await copyCorpus(path.join(c.dataDir, 'hie.db'), url, progress);
  const t0 = performance.now();
  const tmp = `${dump}.${process.pid}.tmp`;
  run(pgb.bin, 'pg_dump', ['-Fc', '-f', tmp, url]);
  fs.renameSync(tmp, dump);
  progress(`  kept as ${path.basename(dump)} (${(fs.statSync(dump).size / 1e6).toFixed(0)} MB, ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  return url;
}

function run(bin: string, cmd: string, args: string[]): void {
  const r = spawnSync(path.join(bin, cmd), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} failed (${r.status ?? r.signal}): ${r.stderr || r.error?.message}`);
}

/** Copies the persons and registry entries of a SQLite registry into the (empty) PostgreSQL database at `url`. */
export async function copyCorpus(sqliteFile: string, url: string, progress: (msg: string) => void): Promise<{ persons: number; entries: number }> {
  const db = new Database(sqliteFile, { readonly: true });
  const store = await PostgresStore.open({ url, poolSize: 2, statementTimeoutMs: 0 });
  const t0 = performance.now();
  const personIds = new Map<number, number>();
  let entries = 0;
  try {
    const persons = db.prepare('SELECT id, regional_id FROM persons WHERE id > ? ORDER BY id LIMIT ?');
    for (let after = 0; ; ) {
      const rows = persons.all(after, BATCH) as { id: number; regional_id: string }[];
      if (rows.length === 0) break;
      await store.write(async (tx) => {
        for (const r of rows) personIds.set(r.id, (await tx.identity.createPerson(null, { id: r.regional_id })).id);
      });
      after = rows[rows.length - 1].id;
    }
    const total = (db.prepare('SELECT count(*) AS n FROM xds_entries').get() as { n: number }).n;
    const page = db.prepare(`SELECT ${COLUMNS} FROM xds_entries e WHERE e.rid > ? ORDER BY e.rid LIMIT ?`);
    let decile = 0;
    for (let after = 0; ; ) {
      const rows = page.all(after, BATCH) as EntryRow[];
      if (rows.length === 0) break;
      await store.write(async (tx) => {
        for (const row of rows) {
          const e = toEntry(row);
          const personId = e.personId === null ? null : personIds.get(e.personId);
          if (personId === undefined) throw new Error(`entry ${e.uuid} names person ${e.personId}, who is not in the corpus`);
          await tx.registry.insertEntry({ uuid: e.uuid, kind: e.kind, lid: e.lid, version: e.version, status: e.status, personId, object: e.object, facility: e.facility, index: indexOf(e) });
        }
      });
      after = rows[rows.length - 1].rid;
      entries += rows.length;
      if (Math.floor((entries / total) * 10) > decile) {
        decile = Math.floor((entries / total) * 10);
        progress(`  copying to PostgreSQL: ${decile * 10}% of ${total.toLocaleString()} rows (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      }
    }
  } finally {
    db.close();
    await store.close();
  }
  return { persons: personIds.size, entries };
}
