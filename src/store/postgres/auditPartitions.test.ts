/**
 * The audit tables' month partitions on a real PostgreSQL cluster: migration 3 converting the tables
 * with their rows, months made ahead and the default partition drained, a month archived and then
 * dropped (and kept when its archive fails), the job run once across two processes, and the plans of
 * ITI-81 searches going through the partitions' indexes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import pg from 'pg';
import { startPostgres, type PostgresCluster } from '../../../test/helpers/postgres.ts';
import { AuditRetentionJob, monthOf } from '../../audit/retention/retentionJob.ts';
import { silentLogger } from '../../kernel/logger.ts';
import type { AuditRecord, StoredAuditRecord } from '../types.ts';
import { addMonths, partitionName } from './auditPartitions.ts';
import { PgAuditRepo } from './auditRepo.ts';
import { migrate } from './migrate.ts';
import { MIGRATIONS } from './migrations.ts';
import { PostgresStore } from './pgStore.ts';
import { numberPlaceholders, type Sql } from './sql.ts';

const event = (over: Partial<AuditRecord> = {}): AuditRecord => ({
  eventTime: '2024-01-01T00:00:00.000Z',
  eventId: '110112',
  eventTypeCode: 'ITI-9',
  action: 'E',
  outcome: 0,
  origin: 'syslog-tls 10.0.0.1',
  xml: '<AuditMessage/>',
  patientIds: [],
  transport: 'syslog-tls',
  sourceId: 'EHR_A',
  ...over,
});

describe('PostgreSQL: audit tables partitioned by month', function () {
  this.timeout(120_000);
  let cluster: PostgresCluster;
  let db: string;
  let client: pg.Client;
  const current = monthOf(Date.now());

  before(async () => {
    cluster = await startPostgres();
  });
  after(async () => {
    await cluster?.stop();
  });
  beforeEach(async () => {
    db = await cluster.createDatabase();
    client = new pg.Client({ connectionString: cluster.url(db) });
    await client.connect();
  });
  afterEach(async () => {
    await client.end();
  });

  const partitionOf = async (table: string, where: string, args: unknown[]) =>
    (await client.query<{ p: string }>(`SELECT tableoid::regclass::text AS p FROM ${table} WHERE ${where}`, args)).rows.map((r) => r.p);
  const partitions = async () =>
    (await client.query<{ name: string }>("SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_events'::regclass")).rows
      .map((r) => r.name)
      .sort();

  it('migration 3 keeps the audit rows recorded before it, each in its month, searchable as before', async () => {
    await migrate(client, MIGRATIONS.slice(0, 2));
    for (const [id, at] of [[1, '2024-01-31T23:59:59.999Z'], [2, '2024-02-01T00:00:00.000Z']] as const) {
      await client.query(
        `INSERT INTO audit_events(id, recorded_at, event_time, event_id, event_type_code, action, outcome, origin, xml, agent_set)
         VALUES ($1, $2, $2, '110112', 'ITI-9', 'E', 0, 'x', '<AuditMessage/>', 1)`,
        [id, at],
      );
      await client.query("INSERT INTO audit_event_patients(event_id, patient_id, id_value) VALUES ($1, 'P2^^^X', 'P2'), ($1, 'P1^^^X', 'P1')", [id]);
      await client.query("INSERT INTO audit_event_types(event_id, code) VALUES ($1, 'IHE0006')", [id]);
      await client.query("INSERT INTO audit_event_objects(event_id, object_id, type_code, role_code) VALUES ($1, 'Q-1', 2, 24)", [id]);
    }
    // Not a time at all (no server writes one): kept, in the default partition.
    await client.query("INSERT INTO audit_events(id, recorded_at, event_time, event_id, event_type_code, action, outcome, origin, xml) VALUES (3, '2024-13-01', '', '', '', '', -1, 'x', '')");
    await client.query("INSERT INTO audit_agent_sets(id, key) VALUES (1, 'agent' || chr(31) || 'HOSP_A|EHR')");
    await client.query("INSERT INTO audit_agent_set_members(kind, value, set_id) VALUES ('agent', 'HOSP_A|EHR', 1)");
    const store = await PostgresStore.open({ url: cluster.url(db), poolSize: 2 });
    try {
      expect(await partitionOf('audit_events', 'true ORDER BY id', [])).to.deep.equal(['audit_events_p2024_01', 'audit_events_p2024_02', 'audit_events_default']);
      expect(await partitionOf('audit_event_objects', 'true ORDER BY event_id', [])).to.deep.equal(['audit_event_objects_p2024_01', 'audit_event_objects_p2024_02']);
      const ahead = [0, 1, 2, 3].map((n) => partitionName('audit_events', addMonths(current, n)));
      expect(await partitions()).to.include.members([...ahead, 'audit_events_default']);
      const found = await store.read((tx) => tx.audit.searchAudit({ sort: 'date', limit: 10, patient: [[{ value: 'P1' }]], eventTypeCode: [['IHE0006']], agent: [['HOSP_A|EHR']], objectRole: [[24]] }));
      expect(found.map((r) => [r.id, r.patientIds])).to.deep.equal([
        [1, ['P2^^^X', 'P1^^^X']],
        [2, ['P2^^^X', 'P1^^^X']],
      ]);
      const next = await store.write((tx) => tx.audit.appendAudit(event({ agents: [{ userId: 'HOSP_A|EHR', userName: '', altUserId: '', networkAccessPoint: '', requestor: true }] })));
      expect(next).to.equal(4);
      expect(await partitionOf('audit_events', 'id = $1', [next])).to.deep.equal([partitionName('audit_events', current)]);
      expect((await client.query('SELECT count(*)::int AS n FROM audit_agent_sets')).rows[0].n, 'the set found again by its hash').to.equal(1);
    } finally {
      await store.close();
    }
  });

  it('makes the months ahead and moves the rows the default partition took into their month', async () => {
    const store = await PostgresStore.open({ url: cluster.url(db), poolSize: 2 });
    try {
      const id = await store.write((tx) => tx.audit.appendAudit(event({ patientIds: ['P1^^^X'], moreEventTypeCodes: ['IHE0006'] })));
      // As if written by a process whose clock was years ahead: no month partition takes it.
      for (const t of ['audit_events', 'audit_event_patients', 'audit_event_types']) {
        await client.query(`UPDATE ${t} SET recorded_at = '2031-05-02T00:00:00.000Z' WHERE ${t === 'audit_events' ? 'id' : 'event_id'} = $1`, [id]);
      }
      expect(await partitionOf('audit_events', 'id = $1', [id])).to.deep.equal(['audit_events_default']);
      let prepared: string[] = [];
      const ran = await store.auditMonths.runOnce('test', 0, Date.now(), async (w) => {
        prepared = await w.prepare(addMonths(current, 3), 2);
      });
      expect(ran).to.equal(true);
      expect(prepared).to.deep.equal([addMonths(current, 4), addMonths(current, 5), '2031-05']);
      expect(await partitionOf('audit_events', 'id = $1', [id])).to.deep.equal(['audit_events_p2031_05']);
      expect(await partitionOf('audit_event_patients', 'event_id = $1', [id])).to.deep.equal(['audit_event_patients_p2031_05']);
      expect((await client.query('SELECT count(*)::int AS n FROM audit_events_default')).rows[0].n).to.equal(0);
      const again = await store.read((tx) => tx.audit.searchAudit({ sort: 'date', limit: 10, patient: [[{ value: 'P1' }]], eventTypeCode: [['IHE0006']] }));
      expect(again.map((r) => [r.id, r.patientIds])).to.deep.equal([[id, ['P1^^^X']]]);
    } finally {
      await store.close();
    }
  });

  describe('retention', () => {
    let store: PostgresStore;
    let exportDir: string;
    const old = addMonths(current, -13);
    const kept = addMonths(current, -12);
    const ids: Record<string, number[]> = {};

    beforeEach(async () => {
      store = await PostgresStore.open({ url: cluster.url(db), poolSize: 3 });
      exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-audit-archive-'));
      await store.auditMonths.runOnce('setup', 0, Date.now(), async (w) => void (await w.prepare(old, 1)));
      for (const month of [old, kept]) {
        ids[month] = [];
        for (let i = 0; i < 3; i++) {
          const id = await store.write((tx) =>
            tx.audit.appendAudit(event({ patientIds: [`P${i}^^^X`], moreEventTypeCodes: ['IHE0006'], status: 'invalid', error: 'bad', raw: Buffer.from([0, 1, 2, i]), objects: [{ id: 'Q', typeCode: 2, roleCode: 24, idTypeCode: '' }] })),
          );
          for (const t of ['audit_events', 'audit_event_patients', 'audit_event_types', 'audit_event_objects']) {
            await client.query(`UPDATE ${t} SET recorded_at = $2 WHERE ${t === 'audit_events' ? 'id' : 'event_id'} = $1`, [id, `${month}-15T12:00:00.000Z`]);
          }
          ids[month].push(id);
        }
      }
    });
    afterEach(async () => {
      await store.close();
    });

    const job = (s: PostgresStore, months = 12) =>
      new AuditRetentionJob(s.auditMonths, { months, exportDir, checkIntervalMs: 60_000, monthsAhead: 3 }, silentLogger);

    it('archives a month past retention, durable with its checksum, then drops its partitions; later months stay', async () => {
      const run = await job(store).run();
      expect(run?.archived.map((a) => [a.month, a.records])).to.deep.equal([[old, 3]]);
      const file = path.join(exportDir, `audit-${old}.ndjson.gz`);
      const bytes = fs.readFileSync(file);
      expect(fs.readFileSync(`${file}.sha256`, 'utf8')).to.equal(`${createHash('sha256').update(bytes).digest('hex')}  audit-${old}.ndjson.gz\n`);
      expect(fs.readdirSync(exportDir).sort(), 'no temporary file left').to.deep.equal([`audit-${old}.ndjson.gz`, `audit-${old}.ndjson.gz.sha256`]);
      const lines = gunzipSync(bytes).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => [l.id, l.status, l.error, l.raw, l.patientIds])).to.deep.equal(
        ids[old].map((id, i) => [id, 'invalid', 'bad', Buffer.from([0, 1, 2, i]).toString('base64'), [`P${i}^^^X`]]),
      );
      expect(await partitions()).not.to.include(partitionName('audit_events', old));
      for (const t of ['audit_event_patients', 'audit_event_types', 'audit_event_objects']) {
        expect((await client.query('SELECT to_regclass($1) AS r', [partitionName(t, old)])).rows[0].r).to.equal(null);
      }
      const left = await store.read((tx) => tx.audit.searchAudit({ sort: 'date', limit: 100, eventTypeCode: [['IHE0006']] }));
      expect(left.map((r: StoredAuditRecord) => r.id)).to.deep.equal(ids[kept]);
    });

    it('keeps a month whose archive could not be written', async () => {
      fs.writeFileSync(path.join(exportDir, 'blocked'), '');
      const j = new AuditRetentionJob(store.auditMonths, { months: 12, exportDir: path.join(exportDir, 'blocked', 'sub'), checkIntervalMs: 60_000, monthsAhead: 3 }, silentLogger);
      const error = await j.run().then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).to.match(/ENOTDIR|EEXIST/);
      expect(await partitions()).to.include(partitionName('audit_events', old));
      expect((await client.query(`SELECT count(*)::int AS n FROM ${partitionName('audit_event_patients', old)}`)).rows[0].n).to.equal(3);
    });

    it('runs once across two processes, and not again within the interval', async () => {
      const other = await PostgresStore.open({ url: cluster.url(db), poolSize: 3 });
      try {
        const runs = await Promise.all([job(store).run(), job(other).run()]);
        expect(runs.filter((r) => r !== undefined).map((r) => r!.archived.length)).to.deep.equal([1]);
        expect(await job(other).run(), 'within the interval').to.equal(undefined);
      } finally {
        await other.close();
      }
    });

    it('keeps everything with a retention of 0 months', async () => {
      const run = await job(store, 0).run();
      expect(run?.archived).to.deep.equal([]);
      expect(await partitions()).to.include(partitionName('audit_events', old));
    });
  });

  it('ITI-81 searches use the partitions\' indexes (EXPLAIN)', async () => {
    const store = await PostgresStore.open({ url: cluster.url(db), poolSize: 2 });
    await store.close();
    // 30,000 events over three months, each with a patient, as the store writes them.
    const months = [current, addMonths(current, 1), addMonths(current, 2)];
    for (const month of months) {
      await client.query(
        `WITH e AS (
           INSERT INTO audit_events(recorded_at, event_time, event_id, event_type_code, action, outcome, origin, xml)
           SELECT $1 || '-10T00:00:00.000Z', $1 || '-10T00:00:00.000Z', (110100 + n % 20)::text, 'ITI-' || (n % 50), 'E', 0, 'x', '<AuditMessage/>'
           FROM generate_series(1, 10000) AS n RETURNING id, recorded_at)
         INSERT INTO audit_event_patients(event_id, recorded_at, patient_id, id_value) SELECT id, recorded_at, 'P' || id || '^^^X', 'P' || id FROM e`,
        [month],
      );
    }
    await client.query('ANALYZE');
    const plans: string[] = [];
    const explaining = {
      all: async (sql: string, ...args: unknown[]) => {
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${numberPlaceholders(sql)}`, args);
        plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
        return [];
      },
    } as unknown as Sql;
    const repo = new PgAuditRepo(explaining);
    const q = { sort: 'date' as const, limit: 100 };
    await repo.searchAudit({ ...q, eventId: [['110105']], time: [{ op: 'ge', instant: `${current}-01T00:00:00.000Z` }] });
    await repo.searchAudit({ ...q, patient: [[{ value: 'P12345' }]] });
    await repo.searchAudit({ ...q, time: [{ op: 'ge', instant: `${current}-10T00:00:00.000Z` }] });
    await repo.searchAudit({ ...q, eventTypeCode: [['ITI-7']] });
    const [byEventId, byPatient, byDate, byType] = plans;
    const indexScan = (index: string) => new RegExp(`(Index Scan using|Bitmap Index Scan on) audit_\\w+_p\\d{4}_\\d\\d_${index}\\b`);
    expect(byEventId).to.match(indexScan('substr_event_time_idx1?'));
    expect(byPatient, 'the hash index of patient identifiers').to.match(indexScan('id_value_idx'));
    expect(byDate, 'each month in event_time order, merged').to.match(/Merge Append[^]*Index Scan using audit_events_p\d{4}_\d\d_event_time_idx/);
    // 1 in 50 events: in time order through event_time, or through the code's prefix index.
    expect(byType).to.match(indexScan('(event_time_idx|substr_event_time_idx1?)'));
    for (const plan of plans) {
      for (const m of months) expect(plan).not.to.match(new RegExp(`Seq Scan on audit_(events|event_patients)_p${m.replace('-', '_')} `));
    }
  });
});
