import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { consentStoreSuite } from '../consent.suite.ts';
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
consentStoreSuite('sqlite', sqlite);

describe('SQLite store specifics', () => {
  it('applies each migration once, and records it', async () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hie-store-')), 'hie.db');
    await new SqliteStore({ path: f }).close();
    await new SqliteStore({ path: f }).close();
    const db = new Database(f, { readonly: true });
    const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
    expect(rows.map((r) => r.version)).to.deep.equal(MIGRATIONS.map((m) => m.version));
    expect(db.pragma('journal_mode', { simple: true })).to.equal('wal');
    expect(db.pragma('page_size', { simple: true }), 'a new database').to.equal(8192);
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

describe('SQLite migration 5 (agent sets)', () => {
  it('keeps the agents of audit events recorded before it searchable', async () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hie-store-')), 'hie.db');
    const db = new Database(f);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((m) => m.version < 5)) {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations VALUES (?, 'm', 'now')").run(m.version);
    }
    const event = db.prepare(
      "INSERT INTO audit_events(id, recorded_at, event_time, event_id, event_type_code, action, outcome, origin, xml) VALUES (?, 't', ?, '110112', 'ITI-9', 'E', 0, 'syslog', '<AuditMessage/>')",
    );
    const agent = db.prepare('INSERT INTO audit_event_agents(event_id, user_id, user_name, alt_user_id, network_access_point, requestor) VALUES (?, ?, ?, ?, ?, 0)');
    for (const id of [1, 2, 3, 4]) event.run(id, `2024-01-0${id}T00:00:00.000Z`);
    agent.run(1, 'HOSP_A|EHR', '', '', '10.0.0.1');
    agent.run(1, 'REGION|HIE', '', '', 'hie.example');
    agent.run(2, 'REGION|HIE', '', '', 'hie.example');
    agent.run(2, 'HOSP_A|EHR', '', '', '10.0.0.1');
    agent.run(3, 'HOSP_B|PORTAL', '伊藤', '', '');
    db.close();
    const store = new SqliteStore({ path: f });
    try {
      const found = async (q: { agent?: string[][]; address?: string[][] }) =>
        (await store.read((tx) => tx.audit.searchAudit({ sort: 'date', limit: 10, ...q }))).map((r) => r.id);
      expect(await found({ agent: [['REGION|HIE']] })).to.deep.equal([1, 2]);
      expect(await found({ agent: [['伊藤']] })).to.deep.equal([3]);
      expect(await found({ address: [['10.0.0.1']] })).to.deep.equal([1, 2]);
      expect(await found({})).to.deep.equal([1, 2, 3, 4]);
      // Events 1 and 2 name the same agents: one set. A new event with them joins it.
      await store.write((tx) =>
        tx.audit.appendAudit({
          eventTime: '2024-01-05T00:00:00.000Z', eventId: '110112', eventTypeCode: 'ITI-9', action: 'E', outcome: 0, origin: 'syslog', xml: '<AuditMessage/>', patientIds: [],
          agents: [
            { userId: 'REGION|HIE', userName: '', altUserId: '', networkAccessPoint: 'hie.example', requestor: false },
            { userId: 'HOSP_A|EHR', userName: '', altUserId: '', networkAccessPoint: '10.0.0.1', requestor: true },
          ],
        }),
      );
      expect(await found({ agent: [['HOSP_A|EHR']] })).to.deep.equal([1, 2, 5]);
      const check = new Database(f, { readonly: true });
      const sets = check.prepare('SELECT count(*) AS n FROM audit_agent_sets').get() as { n: number };
      check.close();
      expect(sets.n).to.equal(2);
    } finally {
      await store.close();
    }
  });
});

describe('SQLite migration 10 (the address search key)', () => {
  it("gives the records stored before it their 'address' keys, once", async () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hie-store-')), 'hie.db');
    const db = new Database(f);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((m) => m.version < 10)) {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations VALUES (?, 'm', 'now')").run(m.version);
    }
    db.exec("INSERT INTO domains(key, namespace, oid, type, kind) VALUES ('HOSP', 'HOSP', '1.2.3', 'ISO', 'facility')");
    db.exec("INSERT INTO persons(id, token, regional_id, created_at, updated_at) VALUES (1, NULL, 'R1', 't', 't')");
    db.exec("INSERT INTO patient_records(id, domain_key, local_id, person_id, demographics, birth_date, sex, updated_at) VALUES (1, 'HOSP', 'P1', 1, '{}', '19700101', 'F', 't')");
    // Two components with the same key (one 'address' key), one empty.
    const key = db.prepare("INSERT INTO record_keys(record_id, kind, key) VALUES (1, ?, ?)");
    key.run('addr.3', 'ヨコハマシ');
    key.run('addr.4', 'ヨコハマシ');
    key.run('addr.5', '2310023');
    key.run('addr.1', '');
    key.run('family', 'ヤマダ');
    db.close();
    const store = new SqliteStore({ path: f });
    try {
      const search = (key: string, prefix: boolean) => store.read((tx) => tx.identity.searchRecords({ keys: [{ kind: 'address', key, prefix }] }, 10));
      expect((await search('ヨコハマ', true)).matches.map((m) => m.recordId)).to.deep.equal([1]);
      expect((await search('2310023', false)).matches.map((m) => m.recordId)).to.deep.equal([1]);
      const check = new Database(f, { readonly: true });
      const rows = check.prepare("SELECT key FROM record_keys WHERE kind = 'address' ORDER BY key").all() as { key: string }[];
      check.close();
      expect(rows.map((r) => r.key)).to.deep.equal(['2310023', 'ヨコハマシ']);
    } finally {
      await store.close();
    }
  });
});
