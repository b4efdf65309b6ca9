/**
 * PostgreSQL restarted under a loaded `hie serve` (issue 17, faults): ITI-8 feeds over real MLLP
 * connections and ITI-41/ITI-42 submissions keep coming while the database is restarted (pg_ctl
 * restart -m fast) and then stopped, left down, and started again. Requests meanwhile get the
 * protocol's error (ACK AE with ERR 207; RegistryResponse Failure with XDSRegistryError or
 * XDSRepositoryError; ITI-18 the same; ITI-43 a SOAP Receiver fault; FHIR 503 OperationOutcome),
 * never a dropped connection;
 * everything acknowledged (AA, Success) is in the database; the same process serves again.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import type { OperationOutcome } from 'fhir/r4.js';
import pg from 'pg';
import { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import { spawnServer, type ChildServer } from '../helpers/childServer.ts';
import { eventually } from '../helpers/fakeConsumer.ts';
import { fhir } from '../helpers/fhir.ts';
import { decodeReply, field, tempDir } from '../helpers/hieServer.ts';
import { adt, HOSP_A, HOSP_B } from '../helpers/messages.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { ACTIONS, envelope, errorCodes, faultOf, mtomBody, retrieveRequest, NIST_AFFINITY, pid, post, readReply, registryResponseOf, STATUS, XdsClient, type Reply } from '../helpers/xds.ts';
import { provideAndRegisterRequest, submitObjectsRequest, uniqueOid } from '../helpers/xdsMetadata.ts';
import { findDocuments } from '../helpers/xdsQuery.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fresh = new http.Agent({ keepAlive: false });

describe('hie serve while PostgreSQL is restarted under load (e2e)', function () {
  this.timeout(240_000);
  let cluster: PostgresCluster;
  let server: ChildServer;
  let url: string;

  before(async () => {
    cluster = await startPostgres();
    url = cluster.url(await cluster.createDatabase());
    const file = path.join(tempDir(), 'hie.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        identity: { regional: { authority: { namespace: 'AFFINITY', oid: NIST_AFFINITY } } },
        store: { engine: 'postgres', postgres: { url, poolSize: 6, connectTimeoutMs: 2000 } },
      }),
    );
    server = await spawnServer(tempDir(), ['--config', file]);
    server.process.stderr!.on('data', (d) => process.env.PGR_DEBUG && process.stderr.write(`[hie] ${d}`));
  });
  after(async () => {
    await server?.kill('SIGKILL');
    await cluster?.stop();
  });

  async function sql<T extends pg.QueryResultRow>(text: string, args: unknown[] = []): Promise<T[]> {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query<T>(text, args)).rows;
    } finally {
      await c.end();
    }
  }

  it('answers each request in flight with its protocol error, loses nothing acknowledged, and serves again without a restart', async () => {
    const xds = new XdsClient(server.httpPort!);
    const mllp = await MllpClient.connect({ host: '127.0.0.1', port: server.mllpPort, replyTimeoutMs: 30_000 });
    expect(field(decodeReply(await mllp.send(Buffer.from(adt({ ids: [`RS-PATIENT^^^AFFINITY&${NIST_AFFINITY}&ISO`], event: 'A01' })))), 'MSA', 1)).to.equal('AA');
    await mllp.close();

    const acked = { feeds: new Set<string>(), submissions: new Set<string>() };
    const refused = { feeds: [] as string[], submissions: [] as string[] };
    const unexpected: string[] = [];
    let stop = false;

    const feeder = async (worker: string) => {
      const c = await MllpClient.connect({ host: '127.0.0.1', port: server.mllpPort, replyTimeoutMs: 30_000 });
      try {
        for (let i = 0; !stop; i++) {
          const id = `${worker}-${i}`;
          const reply = decodeReply(await c.send(Buffer.from(adt({ ids: [`${id}^^^${HOSP_A}`, `${id}B^^^${HOSP_B}`], name: `再起動^${worker}^^^^^L^I`, controlId: id }))));
          const ack = field(reply, 'MSA', 1);
          if (ack === 'AA') acked.feeds.add(id);
          else if (ack === 'AE' && field(reply, 'ERR', 3).startsWith('207^')) refused.feeds.push(id);
          else unexpected.push(`ITI-8 ${id}: ${reply}`);
        }
      } finally {
        await c.close().catch(() => undefined);
      }
    };
    const submitter = async (worker: string, transaction: 'ITI-41' | 'ITI-42') => {
      for (let i = 0; !stop; i++) {
        const setUid = uniqueOid();
        let r: Reply;
        // A connection per request: a reused one the server closed meanwhile would fail on the client's side.
        if (transaction === 'ITI-41') {
          const body = provideAndRegisterRequest({ patientId: pid('RS-PATIENT'), submissionSetUniqueId: setUid, docs: [{ id: `urn:uuid:${randomUUID()}`, content: Buffer.from(`${worker} ${i} ${randomUUID()}`) }] }, 'inline');
          const pkg = mtomBody(envelope(ACTIONS.iti41, body), ACTIONS.iti41, []);
          r = await readReply(await post(server.httpPort!, xds.repositoryPath, pkg.contentType, pkg.body, fresh));
        } else {
          const body = submitObjectsRequest({ patientId: pid('RS-PATIENT'), submissionSetUniqueId: setUid, docs: [{ content: Buffer.from(`${worker} ${i}`) }] });
          r = await readReply(await post(server.httpPort!, xds.registryPath, `application/soap+xml; charset=UTF-8; action="${ACTIONS.iti42}"`, envelope(ACTIONS.iti42, body), fresh));
        }
        const response = registryResponseOf(r.body);
        const status = response?.attrs.status;
        if (r.status === 200 && status === STATUS.success) acked.submissions.add(setUid);
        else if (r.status === 200 && status === STATUS.failure && errorCodes(response).every((x) => x === 'XDSRegistryError' || x === 'XDSRepositoryError')) refused.submissions.push(setUid);
        else unexpected.push(`${transaction} ${setUid}: ${r.status} ${r.xml}`);
      }
    };
    const workers = [feeder('F1'), feeder('F2'), feeder('F3'), submitter('P1', 'ITI-41'), submitter('R1', 'ITI-42')];
    const acks = () => acked.feeds.size + acked.submissions.size;
    try {
      await eventually('load', () => (acked.feeds.size >= 60 && acked.submissions.size >= 10) || undefined, 60_000);

      await cluster.control('restart');
      let mark = acks();
      await eventually('service after the restart', () => acks() >= mark + 40 || undefined, 60_000);

      await cluster.control('halt');
      const refusedBefore = refused.feeds.length + refused.submissions.length;
      await pause(1500);
      // While the database is down: the query faces answer with their own errors too.
      const query = await xds.query(findDocuments(pid('RS-PATIENT')));
      expect(query.body.attrs.status, query.xml).to.equal(STATUS.failure);
      expect(errorCodes(query.body)).to.deep.equal(['XDSRegistryError']);
      // ITI-43 answers no registry error of its own for it: a Receiver fault that names it.
      const retrieve = await xds.soap(xds.repositoryPath, ACTIONS.iti43, retrieveRequest([{ repositoryUniqueId: '2.999.392.1.3', documentUniqueId: '1.2.3' }]));
      expect(faultOf(retrieve), retrieve.xml).to.deep.include({ code: 'env:Receiver', subcode: 'hie:StoreUnavailable' });
      const patient = await fhir(`http://127.0.0.1:${server.httpPort}/fhir/Patient?family=${encodeURIComponent('再起動')}`);
      expect(patient.status).to.equal(503);
      expect((patient.body as OperationOutcome).issue[0].code).to.equal('transient');
      expect(refused.feeds.length + refused.submissions.length, 'requests refused while the database was down').to.be.greaterThan(refusedBefore);
      await cluster.control('start');

      mark = acks();
      await eventually('service after the start', () => acks() >= mark + 40 || undefined, 60_000);
    } finally {
      stop = true;
      await Promise.all(workers);
    }

    expect(unexpected, 'answers other than the protocol\'s success or its error').to.deep.equal([]);
    expect(refused.feeds.length, 'feeds answered AE').to.be.greaterThan(0);
    const records = new Set((await sql<{ local_id: string }>("SELECT local_id FROM patient_records WHERE domain_key = '1.2.392.999.1'")).map((r) => r.local_id));
    expect([...acked.feeds].filter((id) => !records.has(id)), 'acknowledged feeds missing').to.deep.equal([]);
    const sets = new Set((await sql<{ unique_id: string }>("SELECT unique_id FROM xds_entries WHERE kind = 'SubmissionSet'")).map((r) => r.unique_id));
    expect([...acked.submissions].filter((uid) => !sets.has(uid)), 'acknowledged submissions missing').to.deep.equal([]);
    // Every feed whole or not at all: both its records, under one person.
    expect(await sql("SELECT person_id FROM patient_records WHERE domain_key IN ('1.2.392.999.1', '1.2.392.999.2') GROUP BY person_id HAVING count(*) <> 2")).to.deep.equal([]);

    // The same process serves on.
    expect(server.process.exitCode).to.equal(null);
    const after = await xds.query(findDocuments(pid('RS-PATIENT')));
    expect(after.body.attrs.status, after.xml).to.equal(STATUS.success);
    expect((await fhir(`http://127.0.0.1:${server.httpPort}/fhir/Patient?family=${encodeURIComponent('再起動')}`)).status).to.equal(200);
  });
});
