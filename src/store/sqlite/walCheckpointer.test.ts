import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { WalCheckpointer, WRITER_CHECKPOINT_PAGES } from './walCheckpointer.ts';

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
  it('raises the threshold of the writer\'s own checkpoint and copies committed pages into the database file', async () => {
    const { db, file } = openWal();
    const ck = new WalCheckpointer(db, file);
    expect(ck.active).to.equal(true);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).to.equal(WRITER_CHECKPOINT_PAGES);
    const before = fs.statSync(file).size;
    for (let i = 0; i < 5; i++) {
      insertRows(db, 2000);
      ck.committed();
    }
    // Below the writer's threshold: the rows are only in the WAL until the thread copies them.
    await ck.idle();
    expect(fs.statSync(file).size).to.be.greaterThan(before + 5 * 2000 * 500);
    await ck.close();
    expect(ck.active).to.equal(false);
    db.close();
    const check = new Database(file, { readonly: true });
    expect((check.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).to.equal(10_000);
    check.close();
  });

  it('keeps the WAL under the writer\'s threshold while commits never pause', async () => {
    const { db, file } = openWal();
    db.exec('CREATE INDEX t_v ON t (v)');
    const ck = new WalCheckpointer(db, file, undefined, 200);
    const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
    for (let i = 0; i < 3000; i++) {
      db.transaction(() => {
        for (let j = 0; j < 10; j++) ins.run(`${Math.random()}`.repeat(10));
      })();
      ck.committed();
      await new Promise((r) => setImmediate(r));
    }
    // Without the writer's own checkpoint the WAL grew by every commit (hundreds of MB here): the
    // thread's checkpoints never reach the last frame while commits keep coming. With it, the WAL
    // stays a few times the threshold (more on a busy machine, when the thread holds the
    // checkpoint as the writer's turn comes).
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    expect(fs.statSync(`${file}-wal`).size).to.be.below(2000 * (pageSize + 24));
    expect(fs.statSync(file).size).to.be.greaterThan(3000 * 10 * 180);
    await ck.close();
    db.close();
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
