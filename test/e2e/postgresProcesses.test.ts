/**
 * Two `hie serve` processes on one throwaway PostgreSQL database, as behind a load balancer (issue 17,
 * "several processes on one database"): feeds of one token to both at once make one person; merges
 * (A40) given to both at once lose nothing; one SubmissionSet uniqueId provided (ITI-41) to both at
 * once is registered once; a PDQ query (ITI-21) opened on one is continued and cancelled on the other,
 * an ITI-81 next link of one followed on the other; each ITI-10 notification reaches the consumer
 * once, each audit message the Audit Record Repository once, and the notifications a process killed
 * mid-send had claimed are sent by the other; `kill -9` of one process under
 * an ITI-8 load loses no acknowledged feed and the other keeps serving.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Bundle } from 'fhir/r4.js';
import pg from 'pg';
import { message, msh, segment } from '../../src/hl7v2/builder.ts';
import { Hl7v2Message } from '../../src/hl7v2/message.ts';
import { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import { MllpServer } from '../../src/hl7v2/mllp/server.ts';
import { TokenIssuer } from '../../src/identity/token/issuer.ts';
import { makeCerts } from '../helpers/certs.ts';
import { spawnServer, type ChildServer } from '../helpers/childServer.ts';
import { eventually, FakeConsumer } from '../helpers/fakeConsumer.ts';
import { fhir } from '../helpers/fhir.ts';
import { decodeReply, field, segments, startTestServer, tempDir } from '../helpers/hieServer.ts';
import { individualNumber } from '../helpers/individualNumbers.ts';
import { adt, cancelQuery, HOSP_A, HOSP_B, pdqQuery, pixQuery, TOKEN } from '../helpers/messages.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { ACTIONS, errorCodes, NIST_AFFINITY, pid, registryResponseOf, STATUS, XdsClient } from '../helpers/xds.ts';
import { provideAndRegisterRequest, uniqueOid } from '../helpers/xdsMetadata.ts';

const TOKEN_KEY = 'test-issuer-key-0123456789abcdef';
const pid3 = (reply: string) => field(reply, 'PID', 3).split('~');

/** An ITI-10 consumer that can be told to take messages and never answer (its sender hangs mid-send). */
class HangingConsumer {
  readonly received: Hl7v2Message[] = [];
  hang = true;
  private release?: () => void;
  private readonly released = new Promise<void>((r) => (this.release = r));
  private server?: MllpServer;

  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.server = new MllpServer({ host: '127.0.0.1', port: this.port, maxMessageBytes: 1 << 20, idleTimeoutMs: 60_000, frameTimeoutMs: 30_000 }, async (ev) => {
      if (ev.kind !== 'message') return [];
      const m = Hl7v2Message.parse(ev.bytes.toString('utf8'));
      if (this.hang) {
        await this.released;
        return [];
      }
      this.received.push(m);
      const h = m.header;
      const ack = message([
        msh({ sendingApplication: 'CONSUMER', sendingFacility: 'HOSP_C', receivingApplication: h.sendingApplication, receivingFacility: h.sendingFacility, dateTime: '20240101', messageType: ['ACK', 'A31', 'ACK'], controlId: 'C' + h.controlId, processingId: 'P', version: '2.5' }),
        segment('MSA', ['AA', h.controlId]),
      ]);
      return [Buffer.from(ack)];
    });
    await this.server.listen();
  }

  async stop(): Promise<void> {
    this.release!();
    await this.server?.close();
  }
}

describe('two hie serve processes on one PostgreSQL (e2e)', function () {
  this.timeout(180_000);
  let cluster: PostgresCluster;
  const children: ChildServer[] = [];
  const clients: MllpClient[] = [];

  before(async () => {
    cluster = await startPostgres();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
    await Promise.all(children.splice(0).map((c) => c.kill('SIGKILL')));
  });
  after(async () => {
    await cluster?.stop();
  });

  /** Two processes on one new database, each with its own data folder, configured by a file. */
  async function twoProcesses(extra: Record<string, unknown> = {}): Promise<{ url: string; one: ChildServer; two: ChildServer }> {
    const url = cluster.url(await cluster.createDatabase());
    const dir = tempDir();
    const file = path.join(dir, 'hie.json');
    const config = {
      identity: { regional: { authority: { namespace: 'AFFINITY', oid: NIST_AFFINITY } } },
      store: { engine: 'postgres', postgres: { url, poolSize: 6, outboxClaimMs: 2000 } },
      ...extra,
    };
    fs.writeFileSync(file, JSON.stringify(config));
    // The first migrates; the second starts on the migrated database (they may also start together).
    const [one, two] = await Promise.all([1, 2].map(() => spawnServer(tempDir(), ['--config', file], { HIE_TOKEN_KEY: TOKEN_KEY })));
    children.push(one, two);
    for (const c of [one, two]) c.process.stderr!.on('data', (d) => process.env.PGM_DEBUG && process.stderr.write(`[${c.process.pid}] ${d}`));
    return { url, one, two };
  }

  /** Kills a process (kill -9) and forgets it. */
  async function kill9(s: ChildServer): Promise<void> {
    children.splice(children.indexOf(s), 1);
    await s.kill('SIGKILL');
  }

  async function mllp(s: ChildServer): Promise<(m: string) => Promise<string>> {
    const c = await MllpClient.connect({ host: '127.0.0.1', port: s.mllpPort, replyTimeoutMs: 20_000 });
    clients.push(c);
    return async (m) => decodeReply(await c.send(Buffer.from(m)));
  }

  async function sql<T extends pg.QueryResultRow>(url: string, text: string, args: unknown[] = []): Promise<T[]> {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query<T>(text, args)).rows;
    } finally {
      await c.end();
    }
  }

  it('makes one person of one token fed to both at once, and loses no merge given to both at once', async () => {
    const { one, two } = await twoProcesses();
    const [a, b] = [await mllp(one), await mllp(two)];
    const issuer = new TokenIssuer(Buffer.from(TOKEN_KEY, 'utf8'));
    const tokens = [1, 2, 3, 4, 5, 6].map((i) => issuer.issue(individualNumber(`2345678901${i}`)));
    const acks = await Promise.all(
      tokens.flatMap((token, i) => [
        a(adt({ ids: [`TA-${i}^^^${HOSP_A}`, `${token}^^^${TOKEN}`] })),
        b(adt({ ids: [`TB-${i}^^^${HOSP_B}`, `${token}^^^${TOKEN}`], sendingFacility: 'HOSP_B', name: '別名^太郎^^^^^L' })),
      ]),
    );
    expect(acks.map((r) => field(r, 'MSA', 1))).to.deep.equal(acks.map(() => 'AA'));
    for (const i of tokens.keys()) {
      expect(pid3(await b(pixQuery({ key: `TA-${i}^^^${HOSP_A}`, domains: [`^^^${HOSP_B}`] }))), `token ${i} via two`).to.deep.equal([`TB-${i}^^^${HOSP_B}`]);
      expect(pid3(await a(pixQuery({ key: `TB-${i}^^^${HOSP_B}`, domains: [`^^^${HOSP_A}`] }))), `token ${i} via one`).to.deep.equal([`TA-${i}^^^${HOSP_A}`]);
    }

    // Nine persons, each of a HOSP_A and a HOSP_B record; eight merged into the first, half through each process, at once.
    for (let i = 0; i < 9; i++) expect(field(await a(adt({ ids: [`M-${i}^^^${HOSP_A}`, `MB-${i}^^^${HOSP_B}`] })), 'MSA', 1)).to.equal('AA');
    const merges = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8].map((i) => (i % 2 ? a : b)(adt({ event: 'A40', ids: [`M-0^^^${HOSP_A}`], mrg: [`M-${i}^^^${HOSP_A}`] }))),
    );
    expect(merges.map((r) => field(r, 'MSA', 1))).to.deep.equal(merges.map(() => 'AA'));
    for (const ask of [a, b]) {
      const survivor = await ask(pixQuery({ key: `M-0^^^${HOSP_A}`, domains: [`^^^${HOSP_B}`] }));
      expect(pid3(survivor).sort()).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => `MB-${i}^^^${HOSP_B}`));
      for (const i of [3, 8]) expect(pid3(await ask(pixQuery({ key: `M-${i}^^^${HOSP_A}`, domains: [`^^^${HOSP_B}`] }))).sort(), `merged M-${i}`).to.have.length(9);
    }
  });

  it('registers each SubmissionSet uniqueId once when ITI-41 gives it to both at once', async () => {
    const { url, one, two } = await twoProcesses();
    const feed = await mllp(one);
    const patients = [1, 2, 3, 4].map((i) => `PGM-${i}`);
    for (const p of patients) expect(field(await feed(adt({ ids: [`${p}^^^AFFINITY&${NIST_AFFINITY}&ISO`], event: 'A01' })), 'MSA', 1)).to.equal('AA');
    const provide = (s: ChildServer, patient: string, submissionSetUniqueId: string) => {
      const c = new XdsClient(s.httpPort!);
      const body = provideAndRegisterRequest({ patientId: pid(patient), submissionSetUniqueId, docs: [{ id: `urn:uuid:${randomUUID()}`, content: Buffer.from(`文書 ${randomUUID()}`) }] }, 'inline');
      return c.mtom(c.repositoryPath, ACTIONS.iti41, body, []);
    };
    const rounds = await Promise.all(
      patients.map((p) => {
        const uid = uniqueOid();
        return Promise.all([provide(one, p, uid), provide(two, p, uid)]);
      }),
    );
    for (const [i, replies] of rounds.entries()) {
      const statuses = replies.map((r) => registryResponseOf(r.body).attrs.status);
      expect(statuses.filter((x) => x === STATUS.success), `${patients[i]}: ${replies.map((r) => r.xml).join('\n')}`).to.have.length(1);
      const refused = replies.find((r) => registryResponseOf(r.body).attrs.status === STATUS.failure)!;
      expect(errorCodes(registryResponseOf(refused.body)), refused.xml).to.deep.equal(['XDSDuplicateUniqueIdInRegistry']);
    }
    const duplicated = await sql(url, "SELECT kind, unique_id FROM xds_entries WHERE kind IN ('SubmissionSet', 'DocumentEntry') GROUP BY kind, unique_id HAVING count(*) > 1");
    expect(duplicated).to.deep.equal([]);
    const sets = await sql<{ n: number }>(url, "SELECT count(*)::int AS n FROM xds_entries WHERE kind = 'SubmissionSet'");
    expect(sets[0].n).to.equal(patients.length);
  });

  it('continues and cancels on one process a PDQ query (ITI-21) opened on the other, and follows an ITI-81 next link of one on the other', async () => {
    const { one, two } = await twoProcesses();
    const [a, b] = [await mllp(one), await mllp(two)];
    for (let i = 0; i < 25; i++) {
      const ack = await (i % 2 ? a : b)(adt({ ids: [`PD-${i}^^^${HOSP_A}`], name: `マエダ^名${i}^^^^^L` }));
      expect(field(ack, 'MSA', 1)).to.equal('AA');
    }
    const seen: string[] = [];
    let pointer: string | undefined;
    const asked: string[] = [];
    for (let round = 0; round < 5; round++) {
      const on = round % 2 ? b : a;
      asked.push(round % 2 ? 'two' : 'one');
      const r = await on(pdqQuery({ params: ['@PID.5.1.1^マエダ'], limit: 10, tag: 'PGM-CONT', pointer }));
      expect(field(r, 'MSA', 1), r).to.equal('AA');
      seen.push(...segments(r, 'PID').map((p) => p[3]));
      pointer = field(r, 'DSC', 1) || undefined;
      if (!pointer) break;
    }
    expect(asked).to.deep.equal(['one', 'two', 'one']);
    expect(seen).to.have.length(25);
    expect(new Set(seen).size).to.equal(25);

    const first = await b(pdqQuery({ params: ['@PID.5.1.1^マエダ'], limit: 5, tag: 'PGM-CANCEL' }));
    const open = field(first, 'DSC', 1);
    expect(open).to.not.equal('');
    expect(field(await a(cancelQuery('PGM-CANCEL')), 'MSA', 1)).to.equal('AA');
    const after = await b(pdqQuery({ params: ['@PID.5.1.1^マエダ'], limit: 5, tag: 'PGM-CANCEL', pointer: open }));
    expect(field(after, 'MSA', 1)).to.equal('AE');
    expect(field(after, 'ERR', 2)).to.equal('DSC^1^1');

    // ITI-81: the next link is the place in the search itself; any process answers it.
    const baseOf = (s: ChildServer) => `http://127.0.0.1:${s.httpPort}/fhir`;
    const all: Bundle = (await fhir(`${baseOf(one)}/AuditEvent?_count=1000&_sort=date`)).body;
    const ids = (all.entry ?? []).map((e) => e.resource!.id!);
    expect(ids.length).to.be.greaterThan(25);
    const paged: string[] = [];
    let url: string | undefined = `${baseOf(one)}/AuditEvent?_count=7&_sort=date`;
    for (let page = 0; url; page++) {
      const body: Bundle = (await fhir(url)).body;
      paged.push(...(body.entry ?? []).map((e) => e.resource!.id!));
      const next = body.link?.find((l) => l.relation === 'next')?.url;
      // Every other page from the other process.
      url = next && `${baseOf(page % 2 ? one : two)}${new URL(next).pathname.replace(/^\/fhir/, '')}${new URL(next).search}`;
    }
    // The searches are audited while paging: compare the events that existed before.
    expect(paged.filter((id) => ids.includes(id))).to.deep.equal(ids);
  });

  it('delivers each ITI-10 notification once though both processes dispatch the outbox', async () => {
    const consumer = new FakeConsumer(await FakeConsumer.freePort());
    await consumer.start();
    try {
      const { one, two } = await twoProcesses({
        pix: { consumers: [{ name: 'clinic', host: '127.0.0.1', port: consumer.port, application: 'CONSUMER', facility: 'HOSP_C', domains: ['1.2.392.999.2'] }], retry: { initialMs: 50, maxMs: 200 } },
      });
      const [a, b] = [await mllp(one), await mllp(two)];
      const ids = Array.from({ length: 40 }, (_, i) => `NB-${i}`);
      // Forty patients of forty names: feeds of one name at once would each look for the others as candidates (and retry).
      const acks = await Promise.all(ids.map((id, i) => (i % 2 ? a : b)(adt({ ids: [`NA-${i}^^^${HOSP_A}`, `${id}^^^${HOSP_B}`], name: `姓${i}^名${i}^^^^^L`, birthDate: `19${50 + i}0101` }))));
      expect(acks.filter((r) => field(r, 'MSA', 1) !== 'AA')).to.deep.equal([]);
      await eventually('every notification', () => consumer.received.length >= ids.length || undefined, 30_000);
      // Time for a second delivery, were there one.
      await new Promise((r) => setTimeout(r, 1500));
      const got = consumer.received.map((m) => m.first('PID')!.raw(3));
      expect([...got].sort()).to.deep.equal(ids.map((id) => `${id}^^^${HOSP_B}`).sort());
    } finally {
      await consumer.stop();
    }
  });

  it('forwards each audit message of both processes once to the Audit Record Repository', async () => {
    const certs = makeCerts();
    const port = await FakeConsumer.freePort();
    const arr = await startTestServer({ syslog: { tls: { port, cert: certs.serverCert, key: certs.serverKey, ca: certs.ca } } } as never);
    try {
      const { url, one, two } = await twoProcesses({
        atna: {
          repositories: [{ name: 'arr', host: '127.0.0.1', port, transport: 'tls', tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey, servername: 'localhost' } }],
          retry: { initialMs: 50, maxMs: 300 },
          forwardPollMs: 50,
        },
      });
      const [a, b] = [await mllp(one), await mllp(two)];
      const acks = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b)(adt({ ids: [`FW-${i}^^^${HOSP_A}`], name: `転送${i}^太郎^^^^^L` }))));
      expect(acks.filter((r) => field(r, 'MSA', 1) !== 'AA')).to.deep.equal([]);
      const unsent = async () => (await sql<{ n: number }>(url, "SELECT count(*)::int AS n FROM outbox WHERE channel = 'atna' AND sent_at IS NULL"))[0].n;
      await eventually('the audit outbox sent', async () => (await unsent()) === 0 || undefined, 30_000);
      const own = await sql<{ n: number }>(url, "SELECT count(*)::int AS n FROM outbox WHERE channel = 'atna'");
      expect(own[0].n, 'two starts and 20 feeds at least').to.be.at.least(22);
      const arrived = async () => {
        await arr.app.atna.ingest.flushed();
        return (await arr.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((e) => e.transport === 'syslog-tls');
      };
      await eventually('every message at the repository', async () => (await arrived()).length >= own[0].n || undefined, 30_000);
      await new Promise((r) => setTimeout(r, 500));
      const got = (await arrived()).map((e) => e.xml);
      expect(got).to.have.length(own[0].n);
      expect(new Set(got).size, 'none twice').to.equal(got.length);
    } finally {
      await arr.stop();
    }
  });

  it('sends again from the other process what a process killed mid-send had claimed (at least once, none lost)', async () => {
    const consumer = new HangingConsumer(await FakeConsumer.freePort());
    await consumer.start();
    try {
      const { url, one, two } = await twoProcesses({
        pix: { consumers: [{ name: 'clinic', host: '127.0.0.1', port: consumer.port, application: 'CONSUMER', facility: 'HOSP_C', domains: ['1.2.392.999.2'] }], retry: { initialMs: 50, maxMs: 200 } },
      });
      const a = await mllp(one);
      const ids = Array.from({ length: 5 }, (_, i) => `KB-${i}`);
      for (const [i, id] of ids.entries()) expect(field(await a(adt({ ids: [`KA-${i}^^^${HOSP_A}`, `${id}^^^${HOSP_B}`] })), 'MSA', 1)).to.equal('AA');
      // One process holds the consumer's messages and waits for an answer that does not come.
      const holder = await eventually('a claim', async () => {
        const rows = await sql<{ claimed_by: string }>(url, 'SELECT DISTINCT claimed_by FROM outbox WHERE sent_at IS NULL AND claimed_until > $1', [Date.now()]);
        return rows.length === 1 ? rows[0].claimed_by : undefined;
      });
      const pidOf = Number(holder.split(':').at(-2));
      const [dying, survivor] = one.process.pid === pidOf ? [one, two] : [two, one];
      expect(dying.process.pid).to.equal(pidOf);
      await kill9(dying);
      consumer.hang = false;
      await eventually('every notification from the survivor', () => consumer.received.length >= ids.length || undefined, 30_000);
      expect([...new Set(consumer.received.map((m) => m.first('PID')!.raw(3)))].sort()).to.deep.equal(ids.map((id) => `${id}^^^${HOSP_B}`));
      await eventually('the outbox empty', async () => (await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL'))[0].n === 0 || undefined);
      const b = await mllp(survivor);
      expect(field(await b(pixQuery({ key: `KA-0^^^${HOSP_A}`, domains: [`^^^${HOSP_B}`] })), 'QAK', 2)).to.equal('OK');
    } finally {
      await consumer.stop();
    }
  });

  it('loses no acknowledged ITI-8 feed when one process is killed (kill -9) under load, and the other keeps serving', async () => {
    const { url, one, two } = await twoProcesses();
    const acked = new Set<string>();
    const ackedByTwoAfterKill = new Set<string>();
    let killed = false;
    let stop = false;
    const sender = async (s: ChildServer, worker: string) => {
      const c = await MllpClient.connect({ host: '127.0.0.1', port: s.mllpPort, replyTimeoutMs: 20_000 });
      for (let i = 0; !stop; i++) {
        const id = `${worker}-${i}`;
        try {
          const r = decodeReply(await c.send(Buffer.from(adt({ ids: [`${id}^^^${HOSP_A}`, `${id}B^^^${HOSP_B}`], name: `山田^${worker}^^^^^L^I`, controlId: id }))));
          if (field(r, 'MSA', 1) === 'AA') {
            acked.add(id);
            if (killed && s === two) ackedByTwoAfterKill.add(id);
          }
        } catch {
          break; // the server died under us
        }
      }
      await c.close().catch(() => undefined);
    };
    const workers = [sender(one, 'O1'), sender(one, 'O2'), sender(two, 'T1'), sender(two, 'T2')];
    await eventually('load on both', () => acked.size >= 200 || undefined, 60_000);
    await kill9(one);
    killed = true;
    await eventually('the other serving on', () => ackedByTwoAfterKill.size >= 50 || undefined, 60_000);
    stop = true;
    await Promise.all(workers);
    expect([...acked].some((id) => id.startsWith('O'))).to.equal(true);

    const stored = new Set((await sql<{ local_id: string }>(url, "SELECT local_id FROM patient_records WHERE domain_key = '1.2.392.999.1'")).map((r) => r.local_id));
    expect([...acked].filter((id) => !stored.has(id)), 'acknowledged feeds missing').to.deep.equal([]);
    // Every feed whole: both its records, under one person.
    const split = await sql(url, 'SELECT person_id FROM patient_records GROUP BY person_id HAVING count(*) <> 2');
    expect(split, 'half-stored feeds').to.deep.equal([]);
    const b = await mllp(two);
    expect(field(await b(adt({ ids: [`AFTER^^^${HOSP_A}`] })), 'MSA', 1)).to.equal('AA');
  });
});
