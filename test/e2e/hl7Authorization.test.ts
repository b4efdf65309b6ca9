/**
 * Node authorization on the HL7 v2 side (issue 14), end to end over MLLP with TLS client certificates
 * made by `hie certs`: two hospital nodes (hosp-a for HOSP_A, hosp-b for HOSP_B), a consumer-only
 * node, and a node of the same CA that no `nodes` entry names. Each attack is refused with ACK AR,
 * ERR-3 207, ERR-5 NOTAUTH^Not authorized^HIE, leaves the store as it was, and leaves a Security Alert
 * naming the certificate; what each node may do still works.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { encodeMessage } from '../../src/hl7v2/charset.ts';
import { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import type { StoredAuditRecord } from '../../src/store/types.ts';
import { hie } from '../helpers/hieCommand.ts';
import { decodeReply, field, startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { adt, cancelQuery, pdqQuery, pixQuery, REGION, TOKEN } from '../helpers/messages.ts';
import { samples } from '../helpers/ssmix2.ts';
import { conformanceDir, missingMessage } from '../helpers/conformance.ts';
import { xmllintValidate } from '../helpers/xmllint.ts';
import { Status } from '../../src/xds/registry/schemes.ts';
import { children, parseXml } from '../helpers/xml.ts';

const A = { namespace: 'HOSP_A', oid: '1.2.392.999.1' };
const B = { namespace: 'HOSP_B', oid: '1.2.392.999.2' };
const HA = `${A.namespace}&${A.oid}&ISO`;
const HB = `${B.namespace}&${B.oid}&ISO`;
const NOTAUTH = 'NOTAUTH^Not authorized^HIE';
const ERR3 = '207^Application internal error^HL70357';

type Node = 'hosp-a' | 'hosp-b' | 'viewer' | 'stranger';

describe('HL7 v2 node authorization over MLLP with TLS (issue 14)', function () {
  this.timeout(120_000);
  let dir: string;
  let s: TestServer;
  const clients = new Map<Node, MllpClient>();

  before(async () => {
    dir = path.join(tempDir(), 'certs');
    const made = await hie(['certs', '--out', dir, 'server', 'hosp-a', 'hosp-b', 'viewer', 'stranger']);
    expect(made.code, made.stderr).to.equal(0);
    s = await startTestServer({
      mllp: { tls: { cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key'), ca: path.join(dir, 'ca.pem'), requireClientCert: true } },
      identity: { domains: [A, B] },
      nodes: [
        { name: 'hosp-a', subject: 'CN=hosp-a', facility: 'HOSP_A', roles: ['source', 'consumer'] },
        { name: 'hosp-b', subject: 'CN=hosp-b', facility: B.oid, roles: ['source', 'consumer'] },
        { name: 'viewer', subject: 'CN=viewer', facility: 'HOSP_B', roles: ['consumer'] },
      ],
    } as never);
    // hosp-b's patients, and hosp-a's own.
    expect(field(await send('hosp-b', adt({ ids: [`2000001^^^${HB}`], name: 'SUZUKI^HANAKO^^^^^L', sendingFacility: 'HOSP_B' })), 'MSA', 1)).to.equal('AA');
    expect(field(await send('hosp-b', adt({ ids: [`2000002^^^${HB}`], name: 'SATO^JIRO^^^^^L', sendingFacility: 'HOSP_B' })), 'MSA', 1)).to.equal('AA');
    expect(field(await send('hosp-a', adt({ ids: [`1000001^^^${HA}`], name: 'TANAKA^ICHIRO^^^^^L', sendingFacility: 'HOSP_A' })), 'MSA', 1)).to.equal('AA');
  });
  after(async () => {
    for (const c of clients.values()) await c.close().catch(() => undefined);
    await s?.stop();
  });

  async function send(node: Node, text: string, encoding: 'utf-8' | 'iso-2022-jp' = 'utf-8'): Promise<string> {
    let c = clients.get(node);
    if (!c) {
      const file = (f: string) => fs.readFileSync(path.join(dir, f));
      c = await MllpClient.connect({
        host: '127.0.0.1',
        port: s.mllpPort,
        replyTimeoutMs: 10_000,
        tls: { ca: file('ca.pem'), cert: file(`${node}.pem`), key: file(`${node}.key`), servername: 'localhost' },
      });
      clients.set(node, c);
    }
    return decodeReply(await c.send(encoding === 'utf-8' ? Buffer.from(text, 'utf8') : encodeMessage(text, encoding)));
  }

  /** What the store holds of every patient record and person: compared before and after each attack. */
  const snapshot = () =>
    s.app.store.read(async (tx) => {
      const out: unknown[] = [await tx.identity.domains()];
      for (const [key, id] of [[A.oid, '1000001'], [A.oid, '1000002'], [A.oid, '1000009'], [B.oid, '2000001'], [B.oid, '2000002'], [B.oid, '2000009']]) {
        const r = await tx.identity.record(key, id);
        out.push(r && { ...r, updatedAt: undefined, person: await tx.identity.person(r.personId) });
      }
      return JSON.stringify(out);
    });
  const regionalIdOf = (key: string, id: string) =>
    s.app.store.read(async (tx) => (await tx.identity.person((await tx.identity.record(key, id))!.personId))!.regionalId);
  const events = (): Promise<StoredAuditRecord[]> => s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }));
  const requester = (e: StoredAuditRecord) => children(parseXml(e.xml as string), 'ActiveParticipant').find((p) => p.attrs.UserID.startsWith('CN='));

  /** The reply is the refusal this server gives for authorization, located where expected. */
  function expectRefused(reply: string, location: string, text: string | RegExp): void {
    expect(field(reply, 'MSA', 1), reply).to.equal('AR');
    expect(field(reply, 'ERR', 2)).to.equal(location);
    expect(field(reply, 'ERR', 3)).to.equal(ERR3);
    expect(field(reply, 'ERR', 4)).to.equal('E');
    expect(field(reply, 'ERR', 5)).to.equal(NOTAUTH);
    if (typeof text === 'string') expect(field(reply, 'ERR', 8)).to.equal(text);
    else expect(field(reply, 'ERR', 8)).to.match(text);
    expect(reply).to.not.match(/at .*\.ts:\d+/);
  }

  /** An attack: refused as expected, the store unchanged, a Security Alert and the transaction's own failure audit naming the certificate. */
  async function attack(node: Node, text: string, location: string, reason: string | RegExp, ownFailure: { eventId: string } | undefined, encoding?: 'iso-2022-jp') {
    const before = await snapshot();
    const seen = (await events()).length;
    expectRefused(await send(node, text, encoding), location, reason);
    expect(await snapshot(), 'the store is unchanged').to.equal(before);
    const fresh = (await events()).slice(seen);
    const alert = fresh.find((e) => e.eventId === '110113');
    expect(alert, 'a Security Alert').to.not.equal(undefined);
    expect(alert).to.include({ eventTypeCode: '110132', outcome: 4 });
    expect(requester(alert!)?.attrs.UserID).to.equal(`CN=${node}`);
    expect(alert!.xml).to.contain(`refused for ${node === 'stranger' ? 'CN=stranger' : node}`);
    if (ownFailure) {
      const own = fresh.find((e) => e.eventId === ownFailure.eventId);
      expect(own, `the ${ownFailure.eventId} failure audit`).to.include({ outcome: 8 });
      expect(requester(own!)?.attrs.UserID).to.equal(`CN=${node}`);
    }
  }

  const PATIENT_RECORD = { eventId: '110110' };
  const QUERY = { eventId: '110112' };

  it('refuses hosp-a rewriting hosp-b\'s demographics under MSH-4 HOSP_B (ADT^A08)', async () => {
    await attack('hosp-a', adt({ event: 'A08', ids: [`2000001^^^${HB}`], name: 'EVIL^NAME^^^^^L', sendingFacility: 'HOSP_B' }), 'MSH^1^4', "node hosp-a does not act for sending facility 'HOSP_B'", PATIENT_RECORD);
    const rsp = await send('hosp-b', pixQuery({ key: `2000001^^^${HB}` }));
    expect(field(rsp, 'MSA', 1)).to.equal('AA');
    const rec = await s.app.store.read((tx) => tx.identity.record(B.oid, '2000001'));
    expect(rec!.demographics.fields[5][0][0][0]).to.equal('SUZUKI');
  });

  it('refuses hosp-a feeding, under its own MSH-4, an identifier of HOSP_B\'s domain, located at its PID-3 repetition', async () => {
    await attack('hosp-a', adt({ event: 'A08', ids: [`1000001^^^${HA}`, `2000001^^^${HB}`], name: 'EVIL^NAME^^^^^L', sendingFacility: 'HOSP_A' }), 'PID^1^3^2', 'node hosp-a may not feed identifiers of HOSP_B: not its facility', PATIENT_RECORD);
    // As hosp-b sees it: its patient is linked to nobody of HOSP_A.
    const rsp = await send('hosp-b', pixQuery({ key: `2000001^^^${HB}`, domains: [`^^^${HA}`] }));
    expect(field(rsp, 'QAK', 2)).to.equal('NF');
  });

  it('refuses hosp-a merging hosp-b\'s patients (A40 with MRG-1 in HOSP_B)', async () => {
    await attack('hosp-a', adt({ event: 'A40', ids: [`1000001^^^${HA}`], mrg: [`2000002^^^${HB}`], sendingFacility: 'HOSP_A' }), 'MRG^1^1^1', 'node hosp-a may not feed identifiers of HOSP_B: not its facility', PATIENT_RECORD);
    await attack('hosp-a', adt({ event: 'A40', ids: [`2000001^^^${HB}`], mrg: [`2000002^^^${HB}`], sendingFacility: 'HOSP_A' }), 'PID^1^3^1', 'node hosp-a may not feed identifiers of HOSP_B: not its facility', PATIENT_RECORD);
    const rec = await s.app.store.read((tx) => tx.identity.record(B.oid, '2000002'));
    expect(rec!.mergedInto).to.equal(null);
  });

  it('refuses hosp-a attaching its own ID to hosp-b\'s person through that person\'s regional ID', async () => {
    const regional = await regionalIdOf(B.oid, '2000001');
    const reason = 'node hosp-a may feed a regional ID only with its own local ID of the same patient';
    // A new ID of its own, and one it already has for another person: both refused.
    await attack('hosp-a', adt({ event: 'A04', ids: [`1000009^^^${HA}`, `${regional}^^^${REGION}`], sendingFacility: 'HOSP_A' }), 'PID^1^3^2', reason, PATIENT_RECORD);
    await attack('hosp-a', adt({ event: 'A08', ids: [`1000001^^^${HA}`, `${regional}^^^${REGION}`], sendingFacility: 'HOSP_A' }), 'PID^1^3^2', reason, PATIENT_RECORD);
    const rsp = await send('hosp-b', pixQuery({ key: `${regional}^^^${REGION}`, domains: [`^^^${HA}`] }));
    expect(field(rsp, 'QAK', 2)).to.equal('NF');
  });

  it('refuses hosp-a feeding an identifier of an assigning authority it would register', async () => {
    await attack('hosp-a', adt({ ids: [`1000002^^^${HA}`, 'X1^^^NEWDOMAIN&1.2.3.4.5&ISO'], sendingFacility: 'HOSP_A' }), 'PID^1^3^2', 'node hosp-a may not feed identifiers of an unknown assigning authority', PATIENT_RECORD);
  });

  it('refuses every transaction of a node that no entry names, though the CA signed its certificate', async () => {
    const reason = 'certificate CN=stranger is not a configured node';
    await attack('stranger', adt({ ids: [`1000002^^^${HA}`], sendingFacility: 'HOSP_A' }), '', reason, PATIENT_RECORD);
    await attack('stranger', pixQuery({ key: `2000001^^^${HB}` }), '', reason, QUERY);
    await attack('stranger', pdqQuery({ params: ['@PID.5.1^SUZUKI'] }), '', reason, QUERY);
    await attack('stranger', cancelQuery('T1'), '', reason, undefined);
    await attack('stranger', samples.rde('1000001', '500').replace('|HIS|HOSP|', '|HIS|HOSP_A|'), '', reason, undefined, 'iso-2022-jp');
  });

  it('refuses a consumer-only node that feeds (ITI-8, the clinical feed), and lets it query as its role allows', async () => {
    await attack('viewer', adt({ ids: [`2000009^^^${HB}`], sendingFacility: 'HOSP_B' }), '', 'node viewer may not use ITI-8: it needs the role source', PATIENT_RECORD);
    await attack('viewer', samples.rde('2000001', '501').replace('|HIS|HOSP|', '|HIS|HOSP_B|'), '', 'node viewer may not use SS-MIX2 clinical feed: it needs the role source', undefined, 'iso-2022-jp');
    // The viewer queries, as its role allows.
    expect(field(await send('viewer', pixQuery({ key: `2000001^^^${HB}` })), 'MSA', 1)).to.equal('AA');
  });

  it('refuses hosp-a sharing a clinical message in HOSP_B\'s name, and shares its own, recording its facility', async () => {
    const documents = (key: string, id: string) =>
      s.app.store.read(async (tx) => {
        const personId = (await tx.identity.record(key, id))!.personId;
        return tx.registry.findEntries({ kind: 'DocumentEntry', personIds: [personId], statuses: [Status.approved] }, 100);
      });
    await attack('hosp-a', samples.rde('2000001', '502').replace('|HIS|HOSP|', '|HIS|HOSP_B|'), 'MSH^1^4', "node hosp-a does not act for facility 'HOSP_B'", undefined, 'iso-2022-jp');
    expect(await documents(B.oid, '2000001')).to.have.length(0);
    const ok = await send('hosp-a', samples.rde('1000001', '503').replace('|HIS|HOSP|', '|HIS|HOSP_A|'), 'iso-2022-jp');
    expect(field(ok, 'MSA', 1), ok).to.equal('AA');
    const docs = await documents(A.oid, '1000001');
    expect(docs).to.have.length(1);
    expect(docs[0].facility).to.equal(A.oid);
  });

  it('accepts hosp-a feeding its own patient, and audits it naming hosp-a\'s certificate', async () => {
    const seen = (await events()).length;
    const ack = await send('hosp-a', adt({ event: 'A08', ids: [`1000001^^^${HA}`], name: 'TANAKA^ICHIRO^^^^^L', address: 'Tokyo', sendingFacility: 'HOSP_A' }));
    expect(field(ack, 'MSA', 1)).to.equal('AA');
    const audit = (await events()).slice(seen).find((e) => e.eventId === '110110');
    expect(audit).to.include({ outcome: 0 });
    const p = requester(audit!)!;
    expect(p.attrs).to.include({ UserID: 'CN=hosp-a', AlternativeUserID: 'hosp-a', UserIsRequestor: 'true', NetworkAccessPointID: '127.0.0.1' });
    expect(p.attrs.UserName).to.match(/^SHA-256:([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    // Its own regional ID with its own local ID: accepted.
    const regional = await regionalIdOf(A.oid, '1000001');
    expect(field(await send('hosp-a', adt({ event: 'A08', ids: [`1000001^^^${HA}`, `${regional}^^^${REGION}`], sendingFacility: 'HOSP_A' })), 'MSA', 1)).to.equal('AA');
    // MSH-4 as the facility's OID names it too.
    expect(field(await send('hosp-a', adt({ event: 'A08', ids: [`1000001^^^${HA}`], sendingFacility: `^${A.oid}^ISO` })), 'MSA', 1)).to.equal('AA');
  });

  it('links hosp-a\'s and hosp-b\'s records of one patient by the medical-field token, as before', async () => {
    const token = s.app.tokenIssuer.issue('123456789018');
    expect(field(await send('hosp-a', adt({ ids: [`1000005^^^${HA}`, `${token}^^^${TOKEN}`], sendingFacility: 'HOSP_A' })), 'MSA', 1)).to.equal('AA');
    expect(field(await send('hosp-b', adt({ ids: [`2000005^^^${HB}`, `${token}^^^${TOKEN}`], sendingFacility: 'HOSP_B' })), 'MSA', 1)).to.equal('AA');
    const rsp = await send('hosp-b', pixQuery({ key: `2000005^^^${HB}`, domains: [`^^^${HA}`] }));
    expect(field(rsp, 'PID', 3)).to.equal(`1000005^^^${HA}`);
  });

  it('refuses in enhanced acknowledgement mode with a CR accept acknowledgement carrying the same ERR', async () => {
    const msg = adt({ event: 'A08', ids: [`2000001^^^${HB}`], sendingFacility: 'HOSP_B' }).replace('|P|2.3.1', '|P|2.5|||AL|AL');
    const reply = await send('hosp-a', msg);
    expect(field(reply, 'MSA', 1)).to.equal('CR');
    expect(field(reply, 'ERR', 5)).to.equal(NOTAUTH);
  });

  it('leaves audit messages (refusals, alerts, accepted feeds) that all validate against the DICOM schema', async () => {
    const schema = path.join(conformanceDir(), 'schemas', 'atna', 'dicom2017c.xsd');
    if (!fs.existsSync(schema)) throw new Error(missingMessage(schema));
    const out = tempDir('hie-authz-audit-');
    const files = (await events()).map((e) => {
      const f = path.join(out, `audit-${e.id}.xml`);
      fs.writeFileSync(f, e.xml);
      return f;
    });
    expect(files.length).to.be.greaterThan(20);
    const invalid = [...xmllintValidate(schema, files)].filter(([, v]) => !v.valid).map(([f, v]) => `${f}: ${v.errors.join('; ')}`);
    expect(invalid, invalid.join('\n')).to.deep.equal([]);
  });
});
