/**
 * ITI-20 over syslog, received by the Audit Record Repository: plain TCP and UDP here (TLS and node
 * authentication in atnaTls.test.ts). Octet-counted framing however the bytes are cut, RFC 5424
 * headers, validation, and what becomes of messages that fail anywhere: kept raw with their error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { StoredAuditRecord } from '../../src/store/types.ts';
import { conformanceDir } from '../helpers/conformance.ts';
import { receivedAuditXml } from '../helpers/auditMessages.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { octetCounted, openSyslogStream, sendSyslogDatagram, sendSyslogStream, syslogMessage } from '../helpers/syslog.ts';

describe('ATNA Audit Record Repository: syslog over TCP and UDP (ITI-20)', function () {
  this.timeout(30_000);
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ syslog: { tcp: { port: 0 }, udp: { port: 0 }, maxMessageBytes: 8192, frameTimeoutMs: 300 } } as never);
  });
  after(async () => {
    await s?.stop();
  });

  const received = async (): Promise<StoredAuditRecord[]> => {
    await s.app.atna.ingest.flushed();
    return (await s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100_000 }))).filter((e) => e.transport !== 'self');
  };
  const since = async (n: number) => (await received()).slice(n);

  it('stores valid DICOM audit messages with their index, however the stream is cut', async () => {
    const before = (await received()).length;
    const a = syslogMessage(receivedAuditXml({ patients: ['TCP1^^^HOSP_A&1.2.392.100.1&ISO'], user: 'HOSP_A|EHR', address: '10.1.2.3' }));
    const b = syslogMessage(receivedAuditXml({ patients: ['TCP2^^^HOSP_A&1.2.392.100.1&ISO'] }), { bom: true });
    const c = syslogMessage(receivedAuditXml({ patients: ['TCP3^^^HOSP_A&1.2.392.100.1&ISO'] }));
    const stream = octetCounted(a, b, c);
    // All three in one write, then split at every tenth byte.
    await sendSyslogStream(s.app.ports.syslogTcp!, [stream]);
    const pieces: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 10) pieces.push(stream.subarray(i, i + 10));
    await sendSyslogStream(s.app.ports.syslogTcp!, pieces);
    const got = await since(before);
    expect(got.map((e) => e.status)).to.deep.equal(['valid', 'valid', 'valid', 'valid', 'valid', 'valid']);
    expect(got.map((e) => e.patientIds[0])).to.deep.equal(['TCP1', 'TCP2', 'TCP3', 'TCP1', 'TCP2', 'TCP3'].map((p) => `${p}^^^HOSP_A&1.2.392.100.1&ISO`));
    const first = got[0];
    expect(first).to.include({ eventId: '110112', eventTypeCode: 'ITI-9', action: 'E', outcome: 0, sourceId: 'EHR_A', transport: 'syslog-tcp' });
    expect(first.eventTime).to.equal('2024-04-01T00:30:00.000Z');
    expect(first.origin).to.match(/^syslog-tcp 127\.0\.0\.1/);
    expect(JSON.parse(first.envelope!)).to.include({ facility: 10, severity: 5, hostname: 'ehr.hosp-a.example', appName: 'EHR', procId: '4242', msgId: 'IHE+RFC-3881' });
    expect(JSON.parse(got[1].envelope!).bom).to.equal(true);
    expect(first.xml).to.equal(receivedAuditXml({ patients: ['TCP1^^^HOSP_A&1.2.392.100.1&ISO'], user: 'HOSP_A|EHR', address: '10.1.2.3' }));
    expect(first.raw, 'a valid message needs no raw copy').to.equal(undefined);
    const byUser = await s.app.store.read((tx) => tx.audit.searchAudit({ sort: 'date', limit: 10, agent: [['HOSP_A|EHR']], patient: [[{ value: 'TCP1', oid: '1.2.392.100.1' }]] }));
    expect(byUser.map((e) => e.id)).to.deep.equal([got[0].id, got[3].id]);
  });

  it('keeps raw, with the error, what is not valid: RFC 3881 style, not XML, not RFC 5424, not UTF-8, oversize', async () => {
    const before = (await received()).length;
    const rfc3881 = fs.readFileSync(path.join(conformanceDir(), 'atna', 'openhim_syslog_ITI-9_RFC3881.txt'));
    const notXml = syslogMessage('user login failed for root');
    const bsd = Buffer.from('<85>Oct 11 22:14:15 host app: hello');
    const latin1 = Buffer.concat([syslogMessage(''), Buffer.from([0x3c, 0x41, 0xe9, 0x3e])]);
    const big = syslogMessage(receivedAuditXml({ patients: ['X'.repeat(9000)] }));
    const after = syslogMessage(receivedAuditXml({ patients: ['AFTER^^^HOSP_A'] }));
    await sendSyslogStream(s.app.ports.syslogTcp!, [octetCounted(rfc3881, notXml, bsd, latin1, big, after)]);
    const got = await since(before);
    expect(got.map((e) => e.status)).to.deep.equal(['invalid', 'unparsed', 'unparsed', 'unparsed', 'unparsed', 'valid']);
    const [r3881, text, b, l1, over] = got;
    // RFC 3881: indexed on a best-effort basis (code attributes read), kept raw with the schema error.
    expect(r3881.error).to.match(/attribute code is not allowed/);
    expect(r3881.raw!.equals(rfc3881)).to.equal(true);
    expect(r3881).to.include({ eventId: '110112', eventTypeCode: 'ITI-9' });
    expect(r3881.patientIds).to.deep.equal(['fc133984036647e^^^&1.3.6.1.4.1.21367.2005.13.20.3000&ISO']);
    expect(text.error).to.match(/not well-formed/);
    expect(text.raw!.equals(notXml)).to.equal(true);
    expect(b.error).to.match(/RFC 5424/);
    expect(l1.error).to.match(/not UTF-8/);
    expect(over.error).to.match(/exceeds the limit of 8192 bytes/);
    expect(over.raw!.length).to.equal(8192);
  });

  it('keeps the bytes of a stream that is not octet-counted, and closes it', async () => {
    const before = (await received()).length;
    const lineFramed = Buffer.concat([syslogMessage('<x/>'), Buffer.from('\n')]);
    await sendSyslogStream(s.app.ports.syslogTcp!, [octetCounted(syslogMessage(receivedAuditXml())), lineFramed]);
    const got = await since(before);
    expect(got.map((e) => e.status)).to.deep.equal(['valid', 'unparsed']);
    expect(got[1].error).to.match(/not octet-counted/);
    expect(got[1].raw!.equals(lineFramed)).to.equal(true);
  });

  it('a client that sends half a frame and hangs: closed after the frame timeout, the half kept', async () => {
    const before = (await received()).length;
    const whole = octetCounted(syslogMessage(receivedAuditXml({ patients: ['HALF^^^HOSP_A'] })));
    const socket = await openSyslogStream(s.app.ports.syslogTcp!);
    const closed = new Promise<number>((resolve) => {
      const t0 = Date.now();
      socket.once('close', () => resolve(Date.now() - t0));
    });
    socket.write(whole.subarray(0, 200));
    const tookMs = await closed;
    expect(tookMs).to.be.lessThan(5000);
    const got = await since(before);
    expect(got).to.have.length(1);
    expect(got[0].status).to.equal('unparsed');
    expect(got[0].error).to.match(/frame not completed within 300 ms after \d+ of \d+ bytes of a frame/);
    expect(whole.subarray(0, 200).toString()).to.contain(got[0].raw!.toString());
  });

  it('takes UDP datagrams, and keeps a truncated one raw with its error', async () => {
    const before = (await received()).length;
    const whole = syslogMessage(receivedAuditXml({ patients: ['UDP1^^^HOSP_A'] }));
    await sendSyslogDatagram(s.app.ports.syslogUdp!, whole);
    await sendSyslogDatagram(s.app.ports.syslogUdp!, whole.subarray(0, whole.length - 40));
    for (let i = 0; i < 50 && (await since(before)).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    const got = await since(before);
    expect(got.map((e) => [e.status, e.transport])).to.deep.equal([
      ['valid', 'syslog-udp'],
      ['unparsed', 'syslog-udp'],
    ]);
    expect(got[0].patientIds).to.deep.equal(['UDP1^^^HOSP_A']);
    expect(got[1].error).to.match(/not well-formed/);
  });

  it('never stores an individual number a sender names a patient by: masked, in text and in base64', async () => {
    const before = (await received()).length;
    const number = '123456789018';
    const xml = receivedAuditXml({ patients: [`${number}^^^&2.999.392.1.9&ISO`, 'MN1^^^HOSP_A'], query: `QPD|Q|T|${number}^^^&2.999.392.1.9&ISO` });
    await sendSyslogStream(s.app.ports.syslogTcp!, [octetCounted(syslogMessage(xml))]);
    const [e] = await since(before);
    expect(e.status).to.equal('valid');
    expect(e.error).to.match(/individual numbers masked/);
    const everything = [e.xml, e.raw?.toString() ?? '', ...e.patientIds, ...e.xml.match(/>([A-Za-z0-9+/=]{8,})</g)!.map((b) => Buffer.from(b.slice(1, -1), 'base64').toString())].join('\n');
    expect(everything).to.not.contain(number);
    expect(e.patientIds).to.include('MN1^^^HOSP_A');
  });
});
