import { expect } from 'chai';
import { encodeMessage } from '../../src/hl7v2/charset.ts';
import { frame } from '../../src/hl7v2/mllp/framing.ts';
import { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import { decodeReply, field, segments, startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { adt, HOSP_A, pdqQuery, pixQuery } from '../helpers/messages.ts';

describe('bad input over MLLP', function () {
  let s: TestServer;
  let c: MllpClient;
  beforeEach(async () => {
    s = await startTestServer({ mllp: { maxMessageBytes: 4096, idleTimeoutMs: 2000 } });
    c = await s.client();
  });
  afterEach(async () => {
    await c.close();
    await s.stop();
  });

  const reply = async (bytes: string | Buffer) => decodeReply(await c.send(typeof bytes === 'string' ? Buffer.from(bytes) : bytes));
  const nothingStored = async () => {
    const n = await s.app.store.read(async (tx) => (await tx.identity.domains()).filter((d) => d.kind === 'local').length);
    expect(n, 'no domain, hence no patient, was stored').to.equal(0);
  };

  it('answers a frame that holds no MSH with AR 100', async () => {
    for (const body of ['PID|1||X^^^A&1.2&ISO', 'hello world', 'MSX|^~\\&|A|B|C|D|||ADT^A04|1|P|2.5']) {
      const r = await reply(body);
      expect(field(r, 'MSA', 1), body).to.equal('AR');
      expect(field(r, 'ERR', 2)).to.equal('MSH^1');
      expect(field(r, 'ERR', 3)).to.match(/^100\^/);
    }
    await nothingStored();
  });

  it('answers a truncated header with AR 101 at the first missing field, echoing what it can', async () => {
    const r = await reply('MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101||ADT^A04');
    expect(field(r, 'MSA', 1)).to.equal('AR');
    expect(field(r, 'ERR', 2)).to.equal('MSH^1^10');
    expect(field(r, 'ERR', 3)).to.match(/^101\^/);
    expect(field(r, 'MSH', 5)).to.equal('EHR');
    const noType = await reply('MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101|||CTL|P|2.5');
    expect(field(noType, 'ERR', 2)).to.equal('MSH^1^9^1^1');
    expect(field(noType, 'MSA', 2)).to.equal('CTL');
  });

  it('answers a message cut short inside the body (no PID) with AE 100 at PID, storing nothing', async () => {
    const r = await reply('MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101||ADT^A01|CUT|P|2.3.1\rEVN|A01|20240101\rPV1|1|I');
    expect(field(r, 'MSA', 1)).to.equal('AE');
    expect(field(r, 'MSA', 2)).to.equal('CUT');
    expect(field(r, 'ERR', 2)).to.equal('PID^1');
    await nothingStored();
  });

  it('refuses unknown message types and trigger events with AR 200 and 201 at MSH-9', async () => {
    const type = await reply('MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101||DFT^P03^DFT_P03|T1|P|2.5\rPID|1');
    expect(field(type, 'MSA', 1)).to.equal('AR');
    expect(field(type, 'ERR', 2)).to.equal('MSH^1^9^1^1');
    expect(field(type, 'ERR', 3)).to.equal('200^Unsupported message type^HL70357');
    expect(field(type, 'MSH', 9)).to.equal('ACK^P03^ACK');
    const event = await reply('MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101||ADT^A99|T2|P|2.5\rPID|1');
    expect(field(event, 'ERR', 2)).to.equal('MSH^1^9^1^2');
    expect(field(event, 'ERR', 3)).to.equal('201^Unsupported event code^HL70357');
  });

  it('refuses unsupported versions, processing ids and character sets', async () => {
    const v = await reply('MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101||ADT^A04|V1|P|9.9');
    expect(field(v, 'ERR', 2)).to.equal('MSH^1^12');
    expect(field(v, 'ERR', 3)).to.match(/^203\^/);
    const cs = await reply('MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101||ADT^A04|C1|P|2.5||||||KLINGON');
    expect(field(cs, 'MSA', 1)).to.equal('AR');
    expect(field(cs, 'ERR', 2)).to.equal('MSH^1^18^1');
    expect(field(cs, 'ERR', 3)).to.match(/^103\^/);
    const bytes = Buffer.concat([Buffer.from(adt({ ids: [`A1^^^${HOSP_A}`], controlId: 'BYTES' })), Buffer.from([0xff, 0xfe, 0x0d])]);
    const badBytes = await reply(bytes);
    expect(field(badBytes, 'MSA', 1)).to.equal('AR');
    expect(field(badBytes, 'MSA', 2)).to.equal('BYTES');
    expect(field(badBytes, 'ERR', 3)).to.match(/^102\^/);
    await nothingStored();
  });

  it('refuses ISO-2022-JP whose JIS run does not return to ASCII (or has an unknown escape, or an odd byte count) with AR 102, storing nothing', async () => {
    const text = [
      'MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101120000||ADT^A04^ADT_A01|JIS-1|P|2.5||||||~ISO IR87',
      'EVN|A04|20240101120000',
      `PID|1||J1^^^${HOSP_A}||山田^太郎||19700101|M`,
      'PV1||O',
    ].join('\r');
    const jis = encodeMessage(text, 'iso-2022-jp').toString('latin1');
    const back = '\x1b(B';
    // Without the return to ASCII after the name, a decoder alone reads "||19700101|M" as kanji
    // (山田^太郎￤厩薫葦葦鑈): the message was taken, its birth date and sex lost.
    const noReturn = Buffer.from(jis.replace(`${back}||19700101`, '||19700101'), 'latin1');
    expect(new TextDecoder('iso-2022-jp', { fatal: true }).decode(noReturn)).to.not.contain('19700101');
    const r = await reply(noReturn);
    expect(field(r, 'MSA', 1)).to.equal('AR');
    expect(field(r, 'MSA', 2)).to.equal('JIS-1');
    expect(field(r, 'ERR', 2)).to.equal('PID^1^5');
    expect(field(r, 'ERR', 3)).to.equal('102^Data type error^HL70357');
    const badEscape = await reply(Buffer.from(jis.replace('\x1b$B', '\x1b$A'), 'latin1'));
    expect(field(badEscape, 'MSA', 1)).to.equal('AR');
    expect(field(badEscape, 'ERR', 2)).to.equal('PID^1^5');
    const odd = await reply(Buffer.from(jis.replace(`${back}|`, `!${back}|`), 'latin1'));
    expect(field(odd, 'ERR', 3)).to.match(/^102\^/);
    await nothingStored();
    // The same message whole is taken, its birth date and sex intact.
    expect(field(await reply(Buffer.from(jis, 'latin1')), 'MSA', 1)).to.equal('AA');
    const rec = await s.app.store.read(async (tx) => tx.identity.record((await s.app.identity.domains.find(tx, { namespace: 'HOSP_A', oid: '1.2.392.999.1' }))!.key, 'J1'));
    const f = rec!.demographics.fields;
    expect([f[5][0][0][0], f[7][0][0][0], f[8][0][0][0]]).to.deep.equal(['山田', '19700101', 'M']);
  });

  it('refuses processing ids outside hl7v2.processingIds when that is set', async () => {
    const strict = await startTestServer({ hl7v2: { processingIds: ['P', 'T', 'D'] } });
    try {
      const p = await strict.send('MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101||ADT^A04|P1|X|2.5');
      expect(field(p, 'MSA', 1)).to.equal('AR');
      expect(field(p, 'ERR', 2)).to.equal('MSH^1^11');
      expect(field(p, 'ERR', 3)).to.match(/^202\^/);
    } finally {
      await strict.stop();
    }
  });

  it('refuses two messages in one frame with AR 100 at the second MSH, storing neither', async () => {
    const two = adt({ ids: [`A2^^^${HOSP_A}`], controlId: 'TWO-1' }) + adt({ ids: [`A3^^^${HOSP_A}`], controlId: 'TWO-2' });
    const r = await reply(two);
    expect(field(r, 'MSA', 1)).to.equal('AR');
    expect(field(r, 'MSA', 2)).to.equal('TWO-1');
    expect(field(r, 'ERR', 2)).to.equal('MSH^2');
    await nothingStored();
  });

  it('answers an oversize frame with AR, echoing its MSH-10, and keeps serving the connection', async () => {
    const big = adt({ ids: [`A4^^^${HOSP_A}`], controlId: 'BIG', name: 'X'.repeat(10_000) + '^Y' });
    const r = await reply(big);
    expect(field(r, 'MSA', 1)).to.equal('AR');
    expect(field(r, 'MSA', 2)).to.equal('BIG');
    expect(field(r, 'ERR', 8)).to.contain('exceeds the limit of 4096 bytes');
    const ok = await reply(adt({ ids: [`A5^^^${HOSP_A}`] }));
    expect(field(ok, 'MSA', 1)).to.equal('AA');
  });

  it('echoes at most 199 characters of the MSH-10 of an oversize frame', async () => {
    const r = await reply(adt({ ids: [`A1^^^${HOSP_A}`], controlId: 'X'.repeat(8000) }));
    expect(field(r, 'MSA', 1)).to.equal('AR');
    expect(field(r, 'MSA', 2)).to.equal('X'.repeat(199));
  });

  it('answers a frame cut short by a new start block, then the next message', async () => {
    c.writeRaw(Buffer.concat([Buffer.from([0x0b]), Buffer.from('MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101||ADT^A04|CUT-1|P|2.5\rPID|1')]));
    const first = c.nextReply();
    const second = c.send(Buffer.from(adt({ ids: [`A6^^^${HOSP_A}`], controlId: 'AFTER' })));
    const r1 = decodeReply(await first);
    expect(field(r1, 'MSA', 1)).to.equal('AR');
    expect(field(r1, 'MSA', 2)).to.equal('CUT-1');
    const r2 = decodeReply(await second);
    expect(field(r2, 'MSA', 2)).to.equal('AFTER');
    expect(field(r2, 'MSA', 1)).to.equal('AA');
  });

  it('closes the connection on bytes that are not MLLP, since no ACK can be framed for them', async () => {
    c.writeRaw(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await c.closed();
    await nothingStored();
  });

  it('closes an idle connection that sent half a frame', async () => {
    c.writeRaw(Buffer.from('\x0bMSH|^~\\&|EHR|HOSP_A|HIE|REGION|2024'));
    const t0 = Date.now();
    await c.closed();
    expect(Date.now() - t0).to.be.below(5000);
    await nothingStored();
  });

  it('handles frames split across TCP writes and several frames in one write, answering in order', async () => {
    const msgs = [0, 1, 2, 3, 4].map((i) => adt({ ids: [`S${i}^^^${HOSP_A}`], controlId: `ORDER-${i}` }));
    const bytes = Buffer.concat(msgs.map((m) => frame(Buffer.from(m))));
    const replies = msgs.map(() => c.nextReply());
    for (let i = 0; i < bytes.length; i += 37) {
      c.writeRaw(bytes.subarray(i, i + 37));
      await new Promise((r) => setTimeout(r, 1));
    }
    const got = (await Promise.all(replies)).map(decodeReply);
    expect(got.map((r) => field(r, 'MSA', 2))).to.deep.equal(['ORDER-0', 'ORDER-1', 'ORDER-2', 'ORDER-3', 'ORDER-4']);
    expect(got.every((r) => field(r, 'MSA', 1) === 'AA')).to.equal(true);
  });

  it('never answers with a stack trace', async () => {
    const r = await reply('MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101||ADT^A04|ST|P|2.5\rEVN|A04\rPID|1||\\X00\\^^^&&\rPV1');
    expect(r).to.not.match(/at \w+ \(|\.ts:\d+/);
    expect(['AE', 'AR']).to.include(field(r, 'MSA', 1));
    expect(segments(r, 'ERR')).to.have.length.greaterThan(0);
  });
});

describe('field content over MLLP: control characters and dates that are not dates', function () {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer();
  });
  afterEach(async () => {
    await s.stop();
  });
  const localDomains = () => s.app.store.read(async (tx) => (await tx.identity.domains()).filter((d) => d.kind === 'local').length);

  it('refuses a NUL or another C0 control character in an identifier, raw or as a hex escape, with AE 102 at the component, storing nothing', async () => {
    for (const [ids, mrg, where] of [
      [[`A\x00B^^^${HOSP_A}`], undefined, 'PID^1^3^1^1'],
      [[`OK1^^^${HOSP_A}`, `B\\X00\\C^^^${HOSP_A}`], undefined, 'PID^1^3^2^1'],
      [[`OK2^^^${HOSP_A}`], [`M\x01^^^${HOSP_A}`], 'MRG^1^1^1^1'],
      [[`T\tAB^^^${HOSP_A}`], undefined, 'PID^1^3^1^1'],
      [[`OK3^^^HOSP\x1fA&1.2.392.999.1&ISO`], undefined, 'PID^1^3^1^4^1'],
    ] as [string[], string[] | undefined, string][]) {
      const ack = await s.send(adt({ ids, mrg, event: mrg ? 'A40' : 'A04', controlId: 'CC' }));
      expect(field(ack, 'MSA', 1), where).to.equal('AE');
      expect(field(ack, 'MSA', 2)).to.equal('CC');
      expect(field(ack, 'ERR', 2), JSON.stringify(ids)).to.equal(where);
      expect(field(ack, 'ERR', 3)).to.equal('102^Data type error^HL70357');
    }
    expect(await localDomains()).to.equal(0);
    // The refusal is audited as a failed ITI-8.
    const failed = (await s.app.store.read((tx) => tx.audit.auditEvents({}))).filter((e) => e.eventTypeCode === 'ITI-8' && e.outcome === 8);
    expect(failed.length).to.be.greaterThan(0);
  });

  it('refuses control characters in other fields too, but takes a tab in free text (an address)', async () => {
    const name = await s.send(adt({ ids: [`N1^^^${HOSP_A}`], name: 'YAMADA\x00^TARO' }));
    expect(field(name, 'ERR', 2)).to.equal('PID^1^5^1^1');
    expect(await localDomains()).to.equal(0);
    const tab = await s.send(adt({ ids: [`N2^^^${HOSP_A}`], address: '1-2-3\tChuo^^Tokyo' }));
    expect(field(tab, 'MSA', 1)).to.equal('AA');
  });

  it('refuses a birth date that is no date (99999999, Feb 31, month 13) with AE 102 at PID-7, storing nothing', async () => {
    for (const birthDate of ['99999999', '19700231', '19701301', '1970010', '19700101250000', 'yesterday']) {
      const ack = await s.send(adt({ ids: [`D1^^^${HOSP_A}`], birthDate }));
      expect(field(ack, 'MSA', 1), birthDate).to.equal('AE');
      expect(field(ack, 'ERR', 2), birthDate).to.equal('PID^1^7');
      expect(field(ack, 'ERR', 3)).to.equal('102^Data type error^HL70357');
    }
    expect(await localDomains()).to.equal(0);
    for (const birthDate of ['1970', '197001', '19700101', '197001011230', '20000229', '19700101123000.5+0900']) {
      expect(field(await s.send(adt({ ids: [`D2^^^${HOSP_A}`], birthDate })), 'MSA', 1), birthDate).to.equal('AA');
    }
  });

  it('refuses an MSH-10 longer than 199 characters with AR 102 at MSH-10, echoing only its first 199 in MSA-2', async () => {
    const long = 'C'.repeat(100 * 1024);
    const bytes = Buffer.from(adt({ ids: [`L1^^^${HOSP_A}`], controlId: long }));
    const reply = await s.send(bytes);
    expect(field(reply, 'MSA', 1)).to.equal('AR');
    expect(field(reply, 'MSA', 2)).to.equal('C'.repeat(199));
    expect(field(reply, 'ERR', 2)).to.equal('MSH^1^10');
    expect(field(reply, 'ERR', 3)).to.equal('102^Data type error^HL70357');
    expect(reply.length, 'the answer does not carry the 100 KB back').to.be.lessThan(1024);
    expect(field(await s.send(adt({ ids: [`L1^^^${HOSP_A}`], controlId: 'D'.repeat(200) })), 'MSA', 1)).to.equal('AR');
    expect(await localDomains()).to.equal(0);
    // As long as v2.7 allows, and as real v2.3.1 senders write them (ICW-MPI's _mpi_<uuid>): taken, echoed whole.
    for (const id of ['E'.repeat(199), '_mpi_1dd16f73-c85c-4540-857d-8b922f1732de']) {
      const ok = await s.send(adt({ ids: [`L2^^^${HOSP_A}`], controlId: id }));
      expect(field(ok, 'MSA', 1)).to.equal('AA');
      expect(field(ok, 'MSA', 2)).to.equal(id);
    }
  });

  it('refuses control characters in PIX and PDQ query parameters (QPD-3) with AE 102', async () => {
    const pix = await s.send(pixQuery({ key: `K\x00^^^${HOSP_A}` }));
    expect(field(pix, 'MSA', 1)).to.equal('AE');
    expect(field(pix, 'ERR', 2)).to.equal('QPD^1^3^1^1');
    const pdq = await s.send(pdqQuery({ params: ['@PID.5.1.1^YAMA\x00DA'] }));
    expect(field(pdq, 'MSA', 1)).to.equal('AE');
    expect(field(pdq, 'ERR', 2)).to.equal('QPD^1^3^1^2');
    expect(field(pdq, 'ERR', 3)).to.equal('102^Data type error^HL70357');
    const date = await s.send(pdqQuery({ params: ['@PID.7^99999999'] }));
    expect(field(date, 'MSA', 1)).to.equal('AE');
    expect(field(date, 'ERR', 3)).to.match(/^102\^/);
  });
});

describe('acknowledgement modes', function () {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s.stop();
  });

  const withModes = (m: string, accept: string, app: string) => {
    const lines = m.split('\r');
    const msh = lines[0].split('|');
    while (msh.length < 16) msh.push('');
    msh[14] = accept;
    msh[15] = app;
    lines[0] = msh.join('|');
    return lines.join('\r');
  };

  it('original mode: one ACK with AA', async () => {
    const r = await s.send(adt({ ids: [`E1^^^${HOSP_A}`] }));
    expect(field(r, 'MSA', 1)).to.equal('AA');
  });

  it('enhanced mode AL/NE: a commit ACK CA, and no application ACK', async () => {
    const c = await s.client();
    const r = decodeReply(await c.send(Buffer.from(withModes(adt({ ids: [`E2^^^${HOSP_A}`] }), 'AL', 'NE'))));
    expect(field(r, 'MSA', 1)).to.equal('CA');
    const next = decodeReply(await c.send(Buffer.from(adt({ ids: [`E3^^^${HOSP_A}`], controlId: 'NEXT' }))));
    expect(field(next, 'MSA', 2)).to.equal('NEXT');
    await c.close();
  });

  it('enhanced mode AL/AL: CA then AA', async () => {
    const c = await s.client();
    const first = decodeReply(await c.send(Buffer.from(withModes(adt({ ids: [`E4^^^${HOSP_A}`] }), 'AL', 'AL'))));
    const second = decodeReply(await c.nextReply());
    expect([field(first, 'MSA', 1), field(second, 'MSA', 1)]).to.deep.equal(['CA', 'AA']);
    await c.close();
  });

  it('enhanced mode ER (the IPF sample style): only the application answer on success; CE and AE on error', async () => {
    const c = await s.client();
    const ok = decodeReply(await c.send(Buffer.from(withModes(adt({ ids: [`E5^^^${HOSP_A}`] }), 'ER', ''))));
    expect(field(ok, 'MSA', 1)).to.equal('AA');
    const bad = withModes('MSH|^~\\&|EHR|HOSP_A|HIE|REGION|20240101||ADT^A01|ERR1|P|2.3.1\rEVN|A01\rPV1', 'ER', '');
    const ce = decodeReply(await c.send(Buffer.from(bad)));
    const ae = decodeReply(await c.nextReply());
    expect([field(ce, 'MSA', 1), field(ae, 'MSA', 1)]).to.deep.equal(['CE', 'AE']);
    await c.close();
  });
});
