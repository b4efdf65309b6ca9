import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { WalCheckpointer } from './walCheckpointer.ts';

function openWal(): { db: Database.Database; file: string } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hie-ckpt-')), 'test.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  return { db, file };
}

function insertRows(db: Database.Database, n: number): void {
  const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < n; i++) ins.run('x'.repeat(500));
  })();
}

describe('WAL checkpoints on their own thread', () => {
  it('turns off the automatic checkpoint of the writer and copies committed pages into the database file', async () => {
    const { db, file } = openWal();
    const ck = new WalCheckpointer(db, file);
    expect(ck.active).to.equal(true);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).to.equal(0);
    const before = fs.statSync(file).size;
    for (let i = 0; i < 5; i++) {
      insertRows(db, 2000);
      ck.committed();
    }
    // The writer no longer checkpoints: the rows are only in the WAL until the thread copies them.
    await ck.idle();
    expect(fs.statSync(file).size).to.be.greaterThan(before + 5 * 2000 * 500);
    await ck.close();
    expect(ck.active).to.equal(false);
    db.close();
    const check = new Database(file, { readonly: true });
    expect((check.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).to.equal(10_000);
    check.close();
  });

  it('gives checkpoints back to the writer when the thread cannot open the database', async () => {
    const { db, file } = openWal();
    const reasons: string[] = [];
    const ck = new WalCheckpointer(db, path.join(path.dirname(file), 'absent.db'), (why) => reasons.push(why));
    ck.committed();
    await ck.idle();
    // The thread dies opening a file that is not there; the writer checkpoints itself again.
    for (let i = 0; i < 50 && ck.active; i++) await new Promise((r) => setTimeout(r, 20));
    expect(ck.active).to.equal(false);
    expect(reasons).to.have.length(1);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).to.equal(1000);
    await ck.close();
    db.close();
  });
});
