/**
 * The Audit Record Repository on PostgreSQL over real sockets (issue 17): received messages whose
 * fields are longer than an index entry holds or carry NUL are kept (ITI TF-2 3.20.4.1: what cannot
 * be read is kept raw with its error) and found by ITI-81; the store's size is reported.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import type { StoredAuditRecord } from '../../src/store/types.ts';
import { receivedAuditXml } from '../helpers/auditMessages.ts';
import { fhir, postJson } from '../helpers/fhir.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.ts';
import { octetCounted, sendSyslogStream, syslogMessage } from '../helpers/syslog.ts';

const OID = '1.2.392.100.1';

describe('the Audit Record Repository on PostgreSQL (e2e)', function () {
  this.timeout(120_000);
  let cluster: PostgresCluster;
  let s: TestServer;
  let base: string;

  before(async () => {
    cluster = await startPostgres();
    s = await startTestServer({ syslog: { tcp: { port: 0 } }, store: { engine: 'postgres', postgres: { url: cluster.url(await cluster.createDatabase()), poolSize: 4 } } } as never);
    base = `http://127.0.0.1:${s.app.ports.http}/fhir`;
  });
  after(async () => {
    await s?.stop();
    await cluster?.stop();
  });

  const received = async (): Promise<StoredAuditRecord[]> => {
    await s.app.atna.ingest.flushed();
    return (await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((e) => e.transport !== 'self');
  };

  it('keeps and finds syslog messages with 10 kB codes and user IDs, and keeps one with a NUL byte raw with its error', async () => {
    const code = `C${randomBytes(7500).toString('base64')}`;
    const user = `U${randomBytes(7500).toString('base64')}`;
    const long = receivedAuditXml({ patients: [`LONG1^^^HOSP_A&${OID}&ISO`], eventType: { code, codeSystemName: 'IHE Transactions', originalText: 'long' }, user });
    const withNul = Buffer.concat([syslogMessage(receivedAuditXml({ patients: [`NUL1^^^HOSP_A&${OID}&ISO`] })).subarray(0, 60), Buffer.from([0]), Buffer.from('rest')]);
    await sendSyslogStream(s.app.ports.syslogTcp!, [octetCounted(syslogMessage(long), withNul)]);
    const got = await received();
    expect(got.map((e) => e.status)).to.deep.equal(['valid', 'unparsed']);
    expect(got[0]).to.include({ eventTypeCode: code, xml: long });
    expect(got[1].raw).to.deep.equal(withNul);
    expect(got[1].error).to.be.a('string').and.not.equal('');
    const byCode = await s.app.store.read((tx) => tx.audit.searchAudit({ sort: 'date', limit: 10, eventTypeCode: [[code]], agent: [[user]] }));
    expect(byCode.map((e) => e.id)).to.deep.equal([got[0].id]);
    // The first FHIR request compiles the FHIR schema: seconds on a busy machine.
    const a = await fhir(`${base}/AuditEvent?patient.identifier=urn:oid:${OID}|LONG1`);
    expect(a.status).to.equal(200);
    expect(a.body.entry.map((e: { resource: { id: string } }) => e.resource.id)).to.deep.equal([String(got[0].id)]);
  });

  it('stores an AuditEvent posted in FHIR form with NUL in its fields, and finds it by them', async () => {
    const before = (await received()).length;
    const body = JSON.stringify({
      resourceType: 'AuditEvent',
      type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110112' },
      subtype: [{ system: 'urn:ihe:event-type-code', code: 'ITI-67\u0000' }],
      action: 'E',
      recorded: '2024-05-01T10:00:00+09:00',
      outcome: '0',
      agent: [{ who: { identifier: { value: 'app\u0000one' } }, requestor: true, network: { address: '10.7.7.7', type: '2' } }],
      source: { observer: { display: 'MHD\u0000CONSUMER' } },
      entity: [{ what: { identifier: { system: `urn:oid:${OID}`, value: 'NULF' } }, type: { code: '1' }, role: { code: '1' } }],
    });
    const a = await fhir(`${base}/AuditEvent`, postJson(body));
    expect(a.status, 'stored, not an internal error').to.equal(201);
    const kept = (await received()).slice(before);
    expect(kept.map((e) => [e.transport, e.eventTypeCode, e.sourceId])).to.deep.equal([['fhir', 'ITI-67\uFFFD', 'MHD\uFFFDCONSUMER']]);
    const byAgent = await s.app.store.read((tx) => tx.audit.searchAudit({ sort: 'date', limit: 10, agent: [['app\u0000one']] }));
    expect(byAgent.map((e) => e.id)).to.deep.equal([kept[0].id]);
  });

  it('reports the size of the database, not 0', async () => {
    const m = await fetch(`http://127.0.0.1:${s.app.ports.http}/metrics`);
    const text = await m.text();
    const bytes = Number(/hie_store_bytes\{part="database"\} (\d+)/.exec(text)?.[1]);
    expect(bytes).to.be.above(1_000_000);
    expect(text).not.to.contain('part="wal"');
  });
});
