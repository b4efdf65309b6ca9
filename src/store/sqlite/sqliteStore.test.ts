import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { registryStoreSuite } from '../registry.suite.ts';
import { storeSuite, type StoreFactory } from '../store.suite.ts';
import { MIGRATIONS } from './migrations.ts';
import { SqliteStore } from './sqliteStore.ts';

let file = '';
const sqlite: StoreFactory = {
  async open() {
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hie-store-')), 'hie.db');
    return new SqliteStore({ path: file });
  },
  async reopen() {
    return new SqliteStore({ path: file });
  },
};
storeSuite('sqlite', sqlite);
registryStoreSuite('sqlite', sqlite);

describe('SQLite store specifics', () => {
  it('applies each migration once, and records it', async () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hie-store-')), 'hie.db');
    await new SqliteStore({ path: f }).close();
    await new SqliteStore({ path: f }).close();
    const db = new Database(f, { readonly: true });
    const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
    expect(rows.map((r) => r.version)).to.deep.equal(MIGRATIONS.map((m) => m.version));
    expect(db.pragma('journal_mode', { simple: true })).to.equal('wal');
    db.close();
  });
});
