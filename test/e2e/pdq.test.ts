import { expect } from 'chai';
import { field, segments, startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { adt, cancelQuery, HOSP_A, HOSP_B, pdqQuery, REGION } from '../helpers/messages.ts';

const names = (reply: string) => segments(reply, 'PID').map((p) => p[5]);
const ids = (reply: string) => segments(reply, 'PID').map((p) => p[3]);

describe('PDQ Supplier over MLLP (ITI-21)', function () {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
    const feeds = [
      { ids: [`P1^^^${HOSP_A}`, `Q1^^^${HOSP_B}`], name: '山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P', birthDate: '19700101', sex: 'M', address: '^^^^100-0001^JPN^H^東京都千代田区千代田１－１', phone: '^PRN^PH^^^^^^^^^03-1234-5678' },
      { ids: [`P2^^^${HOSP_A}`], name: '山田^花子^^^^^L^I~ヤマダ^ハナコ^^^^^L^P', birthDate: '19750505', sex: 'F', address: '^^^^530-0001^JPN^H^大阪府大阪市北区梅田１－１' },
      { ids: [`P3^^^${HOSP_A}`], name: '山本^一郎^^^^^L^I~ヤマモト^イチロウ^^^^^L^P', birthDate: '19700101', sex: 'M' },
      { ids: [`P4^^^${HOSP_A}`], name: '髙橋^次郎^^^^^L^I~タカハシ^ジロウ^^^^^L^P', birthDate: '19800202', sex: 'M' },
      { ids: [`P5^^^${HOSP_A}`], name: 'SMITH^JOHN^^^^^L', birthDate: '19600606', sex: 'M', address: '1 MAIN ST^^SPRINGFIELD^IL^62701^USA^H' },
    ];
    for (const f of feeds) {
      const ack = await s.send(adt({ ...f, version: '2.5' }));
      expect(field(ack, 'MSA', 1)).to.equal('AA');
    }
    for (let i = 0; i < 25; i++) {
      await s.send(adt({ ids: [`M${i}^^^${HOSP_A}`], name: `前田^${i}^^^^^L^I~マエダ^${i}^^^^^L^P`, birthDate: '19900101', sex: i % 2 ? 'M' : 'F' }));
    }
  });
  after(async () => {
    await s.stop();
  });

  it('finds by kanji family name and returns the demographics as fed', async () => {
    const r = await s.send(pdqQuery({ params: ['@PID.5.1.1^山田'] }));
    expect(field(r, 'MSH', 9)).to.equal('RSP^K22^RSP_K21');
    expect(field(r, 'MSA', 1)).to.equal('AA');
    expect(field(r, 'QAK', 2)).to.equal('OK');
    expect(names(r)).to.have.members(['山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P', '山田^花子^^^^^L^I~ヤマダ^ハナコ^^^^^L^P']);
    expect(segments(r, 'PID').map((p) => p[1])).to.deep.equal(['1', '2']);
  });

  it('finds by kana in any width or script, and by a trailing * prefix', async () => {
    for (const q of ['ヤマダ', 'やまだ', 'ﾔﾏﾀﾞ']) {
      const r = await s.send(pdqQuery({ params: [`@PID.5.1.1^${q}`] }));
      expect(segments(r, 'PID'), q).to.have.length(2);
    }
    const prefix = await s.send(pdqQuery({ params: ['@PID.5.1.1^ヤマ*'] }));
    expect(segments(prefix, 'PID')).to.have.length(3);
    const exact = await s.send(pdqQuery({ params: ['@PID.5.1^ヤマ'] }));
    expect(field(exact, 'QAK', 2)).to.equal('NF');
    expect(field(exact, 'MSA', 1)).to.equal('AA');
  });

  it('folds kanji variants (髙/高) and combines family, given, birth date and sex', async () => {
    expect(segments(await s.send(pdqQuery({ params: ['@PID.5.1.1^高橋'] })), 'PID')).to.have.length(1);
    const r = await s.send(pdqQuery({ params: ['@PID.5.1.1^ヤマダ', '@PID.5.2^タロウ', '@PID.7^19700101', '@PID.8^M'] }));
    expect(names(r)).to.deep.equal(['山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P']);
    const none = await s.send(pdqQuery({ params: ['@PID.5.1.1^ヤマダ', '@PID.8^F', '@PID.7^19700101'] }));
    expect(field(none, 'QAK', 2)).to.equal('NF');
    const byDob = await s.send(pdqQuery({ params: ['@PID.7.1^19700101'] }));
    expect(segments(byDob, 'PID')).to.have.length(2);
  });

  it('finds by address parts, postal code and phone', async () => {
    expect(segments(await s.send(pdqQuery({ params: ['@PID.11.3^Springfield', '@PID.11.4^IL'] })), 'PID')).to.have.length(1);
    expect(segments(await s.send(pdqQuery({ params: ['@PID.11.5^1000001'] })), 'PID')).to.have.length(1);
    expect(segments(await s.send(pdqQuery({ params: ['@PID.11.8^東京都千代田区*'] })), 'PID')).to.have.length(1);
    expect(segments(await s.send(pdqQuery({ params: ['@PID.13^0312345678'] })), 'PID')).to.have.length(1);
  });

  it('finds by identifier, and returns one PID per patient with all its identifiers', async () => {
    const r = await s.send(pdqQuery({ params: ['@PID.3.1^Q1', '@PID.3.4.2^1.2.392.999.2', '@PID.3.4.3^ISO'] }));
    expect(segments(r, 'PID')).to.have.length(1);
    const list = ids(r)[0].split('~');
    expect(list).to.include(`P1^^^${HOSP_A}`).and.include(`Q1^^^${HOSP_B}`);
    expect(list.some((i) => i.endsWith(`^^^${REGION}`))).to.equal(true);
  });

  it('narrows identifier hits by the demographic parameters beside them', async () => {
    const ok = await s.send(pdqQuery({ params: ['@PID.3.1^Q1', '@PID.3.4.2^1.2.392.999.2', '@PID.5.1.1^ヤマ*', '@PID.7^19700101'] }));
    expect(segments(ok, 'PID')).to.have.length(1);
    const wrong = await s.send(pdqQuery({ params: ['@PID.3.1^Q1', '@PID.3.4.2^1.2.392.999.2', '@PID.7^19991231'] }));
    expect(field(wrong, 'QAK', 2)).to.equal('NF');
  });

  it('limits PID-3 to the what-domains of QPD-8 and drops patients with none there', async () => {
    const r = await s.send(pdqQuery({ params: ['@PID.5.1.1^ヤマダ'], domains: [`^^^${HOSP_B}`] }));
    expect(ids(r)).to.deep.equal([`Q1^^^${HOSP_B}`]);
    const bad = await s.send(pdqQuery({ params: ['@PID.5.1.1^ヤマダ'], domains: [`^^^${HOSP_B}`, '^^^NOWHERE&9.9.9&ISO'] }));
    expect(field(bad, 'MSA', 1)).to.equal('AE');
    expect(field(bad, 'QAK', 2)).to.equal('AE');
    expect(field(bad, 'ERR', 2)).to.equal('QPD^1^8^2');
    expect(field(bad, 'ERR', 3)).to.equal('204^Unknown key identifier^HL70357');
    expect(segments(bad, 'PID')).to.have.length(0);
  });

  it('continues interactively (RCP-2, DSC) until every match is returned, without repeats', async () => {
    const tag = 'CONT-1';
    const seen: string[] = [];
    let pointer: string | undefined;
    let rounds = 0;
    do {
      const r = await s.send(pdqQuery({ params: ['@PID.5.1.1^マエダ'], limit: 10, tag, pointer }));
      expect(field(r, 'MSA', 1)).to.equal('AA');
      expect(field(r, 'QAK', 1)).to.equal(tag);
      const pids = segments(r, 'PID');
      expect(pids.length).to.be.at.most(10);
      seen.push(...pids.map((p) => p[3]));
      pointer = field(r, 'DSC', 1) || undefined;
      if (pointer) expect(field(r, 'DSC', 2)).to.equal('I');
      rounds++;
    } while (pointer && rounds < 10);
    expect(rounds).to.equal(3);
    expect(seen).to.have.length(25);
    expect(new Set(seen).size).to.equal(25);
  });

  it('cancels an open query with QCN^J01, after which its pointer is unknown', async () => {
    const tag = 'CANCEL-1';
    const first = await s.send(pdqQuery({ params: ['@PID.5.1.1^マエダ'], limit: 5, tag }));
    const pointer = field(first, 'DSC', 1);
    expect(pointer).to.not.equal('');
    const ack = await s.send(cancelQuery(tag));
    expect(field(ack, 'MSH', 9)).to.equal('ACK^J01^ACK');
    expect(field(ack, 'MSA', 1)).to.equal('AA');
    const after = await s.send(pdqQuery({ params: ['@PID.5.1.1^マエダ'], limit: 5, tag, pointer }));
    expect(field(after, 'MSA', 1)).to.equal('AE');
    expect(field(after, 'ERR', 2)).to.equal('DSC^1^1');
  });

  it('does not let another consumer continue someone else\'s query', async () => {
    const first = await s.send(pdqQuery({ params: ['@PID.5.1.1^マエダ'], limit: 5, tag: 'MINE' }));
    const pointer = field(first, 'DSC', 1);
    const intruder = pdqQuery({ params: ['@PID.5.1.1^マエダ'], limit: 5, tag: 'MINE', pointer }).replace('PDQ_CONSUMER|HOSP_B', 'INTRUDER|ELSEWHERE');
    expect(field(await s.send(intruder), 'MSA', 1)).to.equal('AE');
    const owner = await s.send(pdqQuery({ params: ['@PID.5.1.1^マエダ'], limit: 5, tag: 'MINE', pointer }));
    expect(field(owner, 'MSA', 1)).to.equal('AA');
    expect(segments(owner, 'PID')).to.have.length(5);
  });

  it('answers unsupported parameters, a bad RCP-2 and an empty query with AE and a location', async () => {
    const unsupported = await s.send(pdqQuery({ params: ['@PID.5.1.1^ヤマダ', '@PID.99^x'] }));
    expect(field(unsupported, 'MSA', 1)).to.equal('AE');
    expect(field(unsupported, 'ERR', 2)).to.equal('QPD^1^3^2^1');
    const badLimit = await s.send(pdqQuery({ params: ['@PID.5.1.1^ヤマダ'] }).replace('RCP|I|', 'RCP|I|-3^RD'));
    expect(field(badLimit, 'MSA', 1)).to.equal('AE');
    expect(field(badLimit, 'ERR', 2)).to.equal('RCP^1^2');
    const empty = await s.send(pdqQuery({ params: [] }));
    expect(field(empty, 'MSA', 1)).to.equal('AE');
    expect(field(empty, 'ERR', 2)).to.equal('QPD^1^3');
  });

  it('answers in UTF-8 with MSH-18 UNICODE UTF-8 when the query was ASCII and the names are not', async () => {
    const r = await s.send(pdqQuery({ params: ['@PID.5.1.1^YAMADA*'] }).replace('@PID.5.1.1^YAMADA*', '@PID.3.1^P2~@PID.3.4.1^HOSP_A'));
    expect(field(r, 'MSH', 18)).to.equal('UNICODE UTF-8');
    expect(names(r)[0]).to.equal('山田^花子^^^^^L^I~ヤマダ^ハナコ^^^^^L^P');
  });

  it('records an ITI-21 audit event listing the returned patients', async () => {
    await s.send(pdqQuery({ params: ['@PID.5.1.1^タカハシ'], tag: 'AUDIT-PDQ' }));
    const events = await s.app.store.read((tx) => tx.audit.auditEvents({ eventTypeCode: 'ITI-21' }));
    const e = events.find((x) => x.xml.includes('ParticipantObjectID="AUDIT-PDQ"'))!;
    expect(e.outcome).to.equal(0);
    expect(e.patientIds).to.include(`P4^^^${HOSP_A}`);
  });
});
