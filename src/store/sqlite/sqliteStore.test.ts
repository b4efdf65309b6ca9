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

describe('SQLite migration 2 (ATNA)', () => {
  it('keys the patients of audit events recorded before it by CX-1 and assigning authority', async () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hie-store-')), 'hie.db');
    const db = new Database(f);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    db.exec(MIGRATIONS[0].sql);
    db.prepare("INSERT INTO schema_migrations VALUES (1, 'm1', 'now')").run();
    db.prepare(
      "INSERT INTO audit_events(id, recorded_at, event_time, event_id, event_type_code, action, outcome, origin, xml) VALUES (1, 't', '2024-01-01T00:00:00Z', '110110', 'ITI-8', 'C', 0, 'self', '<AuditMessage/>')",
    ).run();
    const add = db.prepare('INSERT INTO audit_event_patients(event_id, patient_id) VALUES (1, ?)');
    for (const cx of ['A1^^^HOSP_A&1.2.3&ISO', 'A2^^^&1.2.4&ISO', 'A3^^^HOSP_C', 'A4', 'A5^^^HOSP_E&1.2.5&ISO^PI']) add.run(cx);
    db.close();
    const store = new SqliteStore({ path: f });
    try {
      const found = async (k: { value: string; oid?: string; namespace?: string }) =>
        (await store.read((tx) => tx.audit.auditEventsOfPatients([k], 10))).length;
      expect(await found({ value: 'A1', oid: '1.2.3' })).to.equal(1);
      expect(await found({ value: 'A1', namespace: 'HOSP_A' })).to.equal(1);
      expect(await found({ value: 'A2', oid: '1.2.4' })).to.equal(1);
      expect(await found({ value: 'A3', namespace: 'HOSP_C' })).to.equal(1);
      expect(await found({ value: 'A4' })).to.equal(1);
      expect(await found({ value: 'A5', oid: '1.2.5' })).to.equal(1);
      expect(await found({ value: 'A1', oid: '9.9.9' })).to.equal(0);
    } finally {
      await store.close();
    }
  });
});
