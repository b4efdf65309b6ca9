/**
 * `hie serve` on a throwaway PostgreSQL with a real streaming replica (pg_basebackup -R, a hot standby
 * on another port, store.postgres.replicas): ITI-18, PDQ (ITI-21) and ITI-81 are answered by the
 * replica (shown by an answer only the replica could give: its replay paused, it lacks what the
 * primary has since taken in; and by hie_store_reads_total), feeds and submissions go to the
 * primary; a request that wrote reads from the primary afterwards; with the replica stopped, the
 * same queries are answered by the primary, none fails.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Bundle } from 'fhir/r4.js';
import pg from 'pg';
import { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import { PostgresStore } from '../../src/store/postgres/pgStore.ts';
import { spawnServer, type ChildServer } from '../helpers/childServer.ts';
import { eventually } from '../helpers/fakeConsumer.ts';
import { fhir } from '../helpers/fhir.ts';
import { decodeReply, field, segments, tempDir } from '../helpers/hieServer.ts';
import { adt, pdqQuery } from '../helpers/messages.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { ACTIONS, NIST_AFFINITY, pid, registryResponseOf, STATUS, XdsClient } from '../helpers/xds.ts';
import { provideAndRegisterRequest, uniqueOid } from '../helpers/xdsMetadata.ts';
import { findDocuments, idsOf } from '../helpers/xdsQuery.ts';

describe('hie serve with a PostgreSQL read replica (e2e)', function () {
  this.timeout(180_000);
  let primary: PostgresCluster;
  let standby: PostgresCluster;
  let server: ChildServer;
  let client: MllpClient;
  let db: string;

  before(async () => {
    primary = await startPostgres();
    db = await primary.createDatabase();
    // Migrated before the base backup, which copies it.
    await (await PostgresStore.open({ url: primary.url(db), poolSize: 1 })).close();
    standby = await primary.startStandby();
    const file = path.join(tempDir(), 'hie.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        identity: { regional: { authority: { namespace: 'AFFINITY', oid: NIST_AFFINITY } } },
        // A generous lag bound: the replica paused below stays in use, which shows who answered.
        // ITI-41 as well, to show where the reads of a request go after it wrote.
        store: {
          engine: 'postgres',
          postgres: {
            url: primary.url(db),
            poolSize: 4,
            replicas: [{ url: standby.url(db), poolSize: 4 }],
            replicaMaxLagMs: 60_000,
            replicaCheckMs: 100,
            replicaTransactions: ['ITI-18', 'ITI-21', 'ITI-81', 'ITI-41'],
          },
        },
      }),
    );
    server = await spawnServer(tempDir(), ['--config', file]);
    client = await MllpClient.connect({ host: '127.0.0.1', port: server.mllpPort, replyTimeoutMs: 20_000 });
  });
  after(async () => {
    await client?.close().catch(() => undefined);
    await server?.kill('SIGKILL');
    await standby?.stop();
    await primary?.stop();
  });

  const send = async (m: string) => decodeReply(await client.send(Buffer.from(m)));
  const xds = () => new XdsClient(server.httpPort!);
  const sql = async <T extends pg.QueryResultRow>(c: PostgresCluster, text: string, args: unknown[] = []) => {
    const conn = new pg.Client({ connectionString: c.url(db) });
    await conn.connect();
    try {
      return (await conn.query<T>(text, args)).rows;
    } finally {
      await conn.end();
    }
  };
  /** Until the standby has replayed everything the primary has written so far. */
  const caughtUp = async () => {
    const [{ lsn }] = await sql<{ lsn: string }>(primary, 'SELECT pg_current_wal_lsn()::text AS lsn');
    await eventually('the standby caught up', async () => (await sql<{ ok: boolean }>(standby, 'SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [lsn]))[0].ok || undefined, 30_000);
  };
  /** hie_store_reads_total by target:reason. */
  const reads = async (): Promise<Record<string, number>> => {
    const res = await fetch(`http://127.0.0.1:${server.httpPort}/metrics`);
    const text = await res.text();
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^hie_store_reads_total\{target="(\w+)",reason="([\w-]+)"\} (\d+)$/gm)) out[`${m[1]}:${m[2]}`] = Number(m[3]);
    return out;
  };
  const provide = async (patient: string) => {
    const body = provideAndRegisterRequest({ patientId: pid(patient), submissionSetUniqueId: uniqueOid(), docs: [{ id: `urn:uuid:${randomUUID()}`, content: Buffer.from(`文書 ${randomUUID()}`) }] }, 'inline');
    const r = await xds().mtom(xds().repositoryPath, ACTIONS.iti41, body, []);
    expect(registryResponseOf(r.body).attrs.status, r.xml).to.equal(STATUS.success);
  };
  const documentsOf = async (patient: string) => {
    const r = await xds().query(findDocuments(pid(patient)));
    expect(r.body.attrs.status, r.xml).to.equal(STATUS.success);
    return idsOf(r).length;
  };
  const pdqMatches = async (family: string) => segments(await send(pdqQuery({ params: [`@PID.5.1.1^${family}`] })), 'PID').length;
  const affinity = (id: string) => `${id}^^^AFFINITY&${NIST_AFFINITY}&ISO`;

  it('answers ITI-18, PDQ and ITI-81 from the replica, feeds and submissions on the primary', async () => {
    expect(field(await send(adt({ ids: [affinity('REP-1')], name: 'レプリカ^一郎^^^^^L', event: 'A01' })), 'MSA', 1)).to.equal('AA');
    await provide('REP-1');
    await caughtUp();
    expect(await documentsOf('REP-1')).to.equal(1);
    expect(await pdqMatches('レプリカ')).to.equal(1);

    // The replica stops replaying: what the primary takes in now, only the primary has.
    await sql(standby, 'SELECT pg_wal_replay_pause()');
    try {
      expect(field(await send(adt({ ids: [affinity('REP-2')], name: 'レプリカ^二郎^^^^^L', event: 'A01' })), 'MSA', 1)).to.equal('AA');
      expect(field(await send(adt({ ids: [affinity('REP-1')], name: 'レプリカ^一郎^^^^^L', event: 'A08' })), 'MSA', 1)).to.equal('AA');
      await provide('REP-1');
      const [{ n: onPrimary }] = await sql<{ n: number }>(primary, "SELECT count(*)::int AS n FROM patient_records WHERE local_id LIKE 'REP-%'");
      expect(onPrimary, 'the primary has both patients').to.equal(2);

      const before = await reads();
      expect(await documentsOf('REP-1'), 'ITI-18: the replica, without the second document').to.equal(1);
      expect(await pdqMatches('レプリカ'), 'ITI-21: the replica, without the second patient').to.equal(1);
      const events: Bundle = (await fhir(`http://127.0.0.1:${server.httpPort}/fhir/AuditEvent?_count=1000`)).body;
      const [{ n: auditOnPrimary }] = await sql<{ n: number }>(primary, "SELECT count(*)::int AS n FROM audit_events WHERE status <> 'unparsed'");
      expect(events.entry?.length ?? 0, 'ITI-81: the replica, without the newest events').to.be.below(auditOnPrimary);
      const again: Bundle = (await fhir(`http://127.0.0.1:${server.httpPort}/fhir/AuditEvent?_count=1000`)).body;
      expect(again.entry?.length ?? 0, 'ITI-81 again: still the paused replica, without the audit of the search before').to.equal(events.entry?.length ?? 0);
      const after = await reads();
      expect((after['replica:none'] ?? 0) - (before['replica:none'] ?? 0), 'reads the replica answered').to.be.at.least(3);
    } finally {
      await sql(standby, 'SELECT pg_wal_replay_resume()');
    }
    await caughtUp();
    expect(await documentsOf('REP-1')).to.equal(2);
    expect(await pdqMatches('レプリカ')).to.equal(2);
  });

  it('reads from the primary once the request wrote (read-your-writes within one request)', async () => {
    // The replica stale, within the bound: a read after the write would find what the primary no longer has.
    await sql(standby, 'SELECT pg_wal_replay_pause()');
    try {
      const before = await reads();
      // ITI-41 for a patient the registry does not know: its write fails after the document bytes were
      // kept, and the repository then asks the store whether anything refers to them (to remove them).
      const body = provideAndRegisterRequest({ patientId: pid('NOBODY'), submissionSetUniqueId: uniqueOid(), docs: [{ id: `urn:uuid:${randomUUID()}`, content: Buffer.from(`孤児 ${randomUUID()}`) }] }, 'inline');
      const r = await xds().mtom(xds().repositoryPath, ACTIONS.iti41, body, []);
      expect(registryResponseOf(r.body).attrs.status, r.xml).to.equal(STATUS.failure);
      const after = await reads();
      expect((after['primary:wrote'] ?? 0) - (before['primary:wrote'] ?? 0), 'reads of the request after its write, on the primary').to.be.at.least(1);
    } finally {
      await sql(standby, 'SELECT pg_wal_replay_resume()');
    }
  });

  it('answers from the primary, failing nothing, while the replica is down', async () => {
    await standby.control('halt');
    try {
      expect(field(await send(adt({ ids: [affinity('REP-3')], name: 'レプリカ^三郎^^^^^L', event: 'A01' })), 'MSA', 1)).to.equal('AA');
      await provide('REP-3');
      const before = await reads();
      expect(await documentsOf('REP-3')).to.equal(1);
      expect(await pdqMatches('レプリカ')).to.equal(3);
      const events = await fhir(`http://127.0.0.1:${server.httpPort}/fhir/AuditEvent?_count=10`);
      expect(events.status).to.equal(200);
      const after = await reads();
      expect((after['primary:down'] ?? 0) - (before['primary:down'] ?? 0), 'reads the primary answered for the replica').to.be.at.least(3);
      expect(after['replica:none'] ?? 0).to.equal(before['replica:none'] ?? 0);
    } finally {
      await standby.control('start');
    }
  });
});
