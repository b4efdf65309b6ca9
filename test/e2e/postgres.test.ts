/**
 * The server on PostgreSQL (store.engine postgres) against a throwaway cluster: ITI-8 feeds, ITI-9
 * queries, ITI-42 registration and ITI-18 queries over real sockets; then two servers on one
 * database, as two `hie serve` processes behind a load balancer would be: one token fed to both at
 * once makes one person, and one SubmissionSet uniqueId submitted to both at once is registered once.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { field, startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { individualNumber } from '../helpers/individualNumbers.ts';
import { adt, HOSP_A, HOSP_B, pixQuery, TOKEN } from '../helpers/messages.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { affinityConfig, errorCodes, expectSuccess, feedPatient, pid, registryResponseOf, STATUS, XdsClient } from '../helpers/xds.ts';
import { submitObjectsRequest, uniqueOid } from '../helpers/xdsMetadata.ts';
import { findDocuments, idsOf, storedQuery, QUERY } from '../helpers/xdsQuery.ts';

const AFFINITY = `AFFINITY&${'1.3.6.1.4.1.21367.2005.3.7'}&ISO`;
const pid3 = (reply: string) => field(reply, 'PID', 3).split('~');

describe('the server on PostgreSQL (e2e)', function () {
  this.timeout(120_000);
  let cluster: PostgresCluster;
  const servers: TestServer[] = [];

  before(async () => {
    cluster = await startPostgres();
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });
  after(async () => {
    await cluster?.stop();
  });

  /** A server of the NIST affinity domain on this database. */
  async function serverOn(database: string): Promise<TestServer> {
    const s = await startTestServer({ ...affinityConfig(), store: { engine: 'postgres', postgres: { url: cluster.url(database), poolSize: 4 } } });
    servers.push(s);
    return s;
  }

  it('feeds (ITI-8), cross-references (ITI-9), registers (ITI-42) and finds (ITI-18) with everything in PostgreSQL', async () => {
    const s = await serverOn(await cluster.createDatabase());
    expect(s.app.store.engine).to.equal('postgres');
    const ack = await s.send(adt({ ids: [`PG-1^^^${AFFINITY}`, `A-1^^^${HOSP_A}`], controlId: 'PG-CTL-1' }));
    expect(field(ack, 'MSA', 1)).to.equal('AA');
    const rsp = await s.send(pixQuery({ key: `A-1^^^${HOSP_A}` }));
    expect(field(rsp, 'QAK', 2)).to.equal('OK');
    expect(pid3(rsp)).to.include(`PG-1^^^${AFFINITY}`);

    const c = new XdsClient(s.app.ports.http!);
    const doc = `urn:uuid:${randomUUID()}`;
    expectSuccess(await c.register(submitObjectsRequest({ patientId: pid('PG-1'), docs: [{ id: doc, title: '退院時サマリー' }] })));
    const found = await c.query(findDocuments(pid('PG-1')));
    expectSuccess(found);
    expect(idsOf(found)).to.deep.equal([doc]);
    const none = await c.query(findDocuments(pid('PG-1'), { $XDSDocumentEntryStatus: ['urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated'] }));
    expect(idsOf(none)).to.deep.equal([]);

    const audited = await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100 }));
    expect(audited.map((e) => e.eventTypeCode)).to.include.members(['ITI-8', 'ITI-9', 'ITI-42', 'ITI-18']);
  });

  it('makes one person of one token fed to two servers on one database at once', async () => {
    const database = await cluster.createDatabase();
    const [one, two] = [await serverOn(database), await serverOn(database)];
    const tokens = [1, 2, 3, 4, 5].map((i) => one.app.tokenIssuer.issue(individualNumber(`1234567890${i}`)));
    const acks = await Promise.all(
      tokens.flatMap((token, i) => [
        one.send(adt({ ids: [`TA-${i}^^^${HOSP_A}`, `${token}^^^${TOKEN}`] })),
        two.send(adt({ ids: [`TB-${i}^^^${HOSP_B}`, `${token}^^^${TOKEN}`], sendingFacility: 'HOSP_B', name: '別名^太郎^^^^^L' })),
      ]),
    );
    expect(acks.map((a) => field(a, 'MSA', 1))).to.deep.equal(acks.map(() => 'AA'));
    for (const [i, token] of tokens.entries()) {
      const person = await one.app.store.read((tx) => tx.identity.personByToken(token));
      const records = await one.app.store.read((tx) => tx.identity.recordsOfPerson(person!.id));
      expect(records.map((r) => r.localId).sort(), `token ${i}`).to.include.members([`TA-${i}`, `TB-${i}`]);
      const rsp = await two.send(pixQuery({ key: `TA-${i}^^^${HOSP_A}`, domains: [`^^^${HOSP_B}`] }));
      expect(pid3(rsp)).to.deep.equal([`TB-${i}^^^${HOSP_B}`]);
    }
  });

  it('registers each SubmissionSet uniqueId once when two servers on one database are given it at once', async () => {
    const database = await cluster.createDatabase();
    const [one, two] = [await serverOn(database), await serverOn(database)];
    const patients = [1, 2, 3, 4, 5].map((i) => `PG-DUP-${i}`);
    for (const p of patients) await feedPatient(one, p);
    const submit = (s: TestServer, patient: string, submissionSetUniqueId: string) =>
      new XdsClient(s.app.ports.http!).register(submitObjectsRequest({ patientId: pid(patient), submissionSetUniqueId, docs: [{ id: `urn:uuid:${randomUUID()}` }] }));
    const rounds = await Promise.all(
      patients.map((p) => {
        const uid = uniqueOid();
        return Promise.all([submit(one, p, uid), submit(two, p, uid)]);
      }),
    );
    for (const [i, replies] of rounds.entries()) {
      const statuses = replies.map((r) => registryResponseOf(r.body).attrs.status);
      expect(statuses.filter((x) => x === STATUS.success), `${patients[i]}: ${replies.map((r) => r.xml).join('\n')}`).to.have.length(1);
      const refused = replies.find((r) => registryResponseOf(r.body).attrs.status === STATUS.failure)!;
      expect(errorCodes(registryResponseOf(refused.body)), refused.xml).to.deep.equal(['XDSDuplicateUniqueIdInRegistry']);
      const sets = await new XdsClient(two.app.ports.http!).query(
        storedQuery(QUERY.FindSubmissionSets, { $XDSSubmissionSetPatientId: pid(patients[i]), $XDSSubmissionSetStatus: ['urn:oasis:names:tc:ebxml-regrep:StatusType:Approved'] }),
      );
      expectSuccess(sets);
      expect(idsOf(sets), patients[i]).to.have.length(1);
    }
  });
});
