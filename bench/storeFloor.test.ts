import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStore } from '../src/store/sqlite/sqliteStore.ts';
import { Statements } from '../src/store/sqlite/statements.ts';
import { captureStatements, checkReplay, replayStatements, type StatementCall } from './storeFloor.ts';

describe('store floor (bench): statements captured from the store, replayed raw', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-store-floor-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const event = (n: number) => ({
    eventTime: `2024-01-01T00:00:0${n}Z`,
    eventId: '110110',
    eventTypeCode: 'ITI-8',
    action: 'C',
    outcome: 0,
    origin: 'self',
    xml: `<AuditMessage n="${n}"/>`,
    patientIds: [`P${n}^^^&1.2.3&ISO`],
  });

  it('replays what the store wrote, unit by unit, and leaves the same rows', async () => {
    const file = path.join(dir, 'hie.db');
    await new SqliteStore({ path: file }).close();
    fs.copyFileSync(file, path.join(dir, 'base.db'));
    const store = new SqliteStore({ path: file });
    const units: StatementCall[][] = [];
    try {
      for (let n = 0; n < 5; n++) {
        const { value, calls } = await captureStatements(() => store.write((tx) => tx.audit.appendAudit(event(n))));
        expect(value).to.equal(n + 1);
        units.push(calls);
      }
    } finally {
      await store.close();
    }
    // An event and its patient, each unit the same statements.
    for (const u of units) expect(u.filter(([kind]) => kind === 'run').map(([, sql]) => sql.trim().split(/\s+/).slice(0, 3).join(' '))).to.deep.equal(['INSERT INTO audit_events(recorded_at,', 'INSERT INTO audit_event_patients(event_id,']);
    const r = replayStatements(path.join(dir, 'base.db'), units, { perCommit: 2, synchronous: 'OFF', reads: true, warmup: 1 });
    expect(r.rows.audit_events).to.equal(5);
    expect(r.rows.audit_event_patients).to.equal(5);
    expect(r.statementsPerUnit).to.equal(2);
    expect(r.perSecond).to.be.greaterThan(0);
    expect(() => checkReplay(r, file)).not.to.throw();
    expect(fs.readdirSync(dir).filter((f) => f.includes('.replay-'))).to.deep.equal([]);
  });

  it('says so when a replay wrote something else', async () => {
    const file = path.join(dir, 'hie.db');
    await new SqliteStore({ path: file }).close();
    fs.copyFileSync(file, path.join(dir, 'base.db'));
    const store = new SqliteStore({ path: file });
    let units: StatementCall[][];
    try {
      const { calls } = await captureStatements(() => store.write((tx) => tx.audit.appendAudit(event(1))));
      await store.write((tx) => tx.audit.appendAudit(event(2))); // not captured
      units = [calls];
    } finally {
      await store.close();
    }
    const r = replayStatements(path.join(dir, 'base.db'), units, { perCommit: 1, synchronous: 'OFF', reads: false, warmup: 0 });
    expect(() => checkReplay(r, file)).to.throw(/did not write what the captured run wrote/);
  });

  it('counts a statement that writes and returns rows (RETURNING) as a write', async () => {
    const file = path.join(dir, 'hie.db');
    await new SqliteStore({ path: file }).close();
    const unit: StatementCall[] = [
      ['get', "INSERT INTO sequences(name, value) VALUES ('n', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value", []],
      ['get', 'SELECT count(*) AS n FROM audit_events', []],
    ];
    const r = replayStatements(file, [unit, unit], { perCommit: 1, synchronous: 'OFF', reads: false, warmup: 0 });
    expect(r.statementsPerUnit).to.equal(1);
    expect(r.rows.sequences).to.equal(1);
  });

  it('captures only while its work runs', async () => {
    const proto = Statements.prototype;
    const before = [proto.run, proto.get, proto.all];
    await captureStatements(async () => expect(proto.run).not.to.equal(before[0]));
    expect([proto.run, proto.get, proto.all]).to.deep.equal(before);
  });
});
