import { expect } from 'chai';
import { field, segments, startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { adt, HOSP_A, HOSP_B, INDIVIDUAL_NUMBER, pixQuery, REGION, TOKEN } from '../helpers/messages.ts';

const pid3 = (reply: string) => field(reply, 'PID', 3).split('~');

describe('PIX Manager over MLLP (ITI-8, ITI-9)', function () {
  let s: TestServer;
  beforeEach(async () => {
    s = await startTestServer();
  });
  afterEach(async () => {
    await s.stop();
  });

  it('acknowledges a feed with AA only after it is stored, and cross-references several PID-3 ids', async () => {
    const ack = await s.send(adt({ ids: [`A100^^^${HOSP_A}`, `B200^^^${HOSP_B}`], controlId: 'CTL-1' }));
    expect(field(ack, 'MSA', 1)).to.equal('AA');
    expect(field(ack, 'MSA', 2)).to.equal('CTL-1');
    expect(field(ack, 'MSH', 9)).to.equal('ACK^A04^ACK');

    const rsp = await s.send(pixQuery({ key: `A100^^^${HOSP_A}`, domains: [`^^^${HOSP_B}`] }));
    expect(field(rsp, 'MSH', 9)).to.equal('RSP^K23^RSP_K23');
    expect(field(rsp, 'MSA', 1)).to.equal('AA');
    expect(field(rsp, 'QAK', 2)).to.equal('OK');
    expect(pid3(rsp)).to.deep.equal([`B200^^^${HOSP_B}`]);
    expect(field(rsp, 'PID', 5)).to.equal('~^^^^^^S');
  });

  it('returns every other identifier, the regional ID among them, and never the queried one', async () => {
    await s.send(adt({ ids: [`A101^^^${HOSP_A}`, `B201^^^${HOSP_B}`] }));
    const rsp = await s.send(pixQuery({ key: `A101^^^${HOSP_A}` }));
    const ids = pid3(rsp);
    expect(ids).to.include(`B201^^^${HOSP_B}`);
    expect(ids.some((i) => i.endsWith(`^^^${REGION}`))).to.equal(true);
    expect(ids).to.not.include(`A101^^^${HOSP_A}`);
  });

  it('links records of two facilities that carry the same medical-field token, and does not disclose the token', async () => {
    const token = s.app.tokenIssuer.issue('123456789018');
    await s.send(adt({ ids: [`A102^^^${HOSP_A}`, `${token}^^^${TOKEN}`] }));
    await s.send(adt({ ids: [`B202^^^${HOSP_B}`, `${token}^^^${TOKEN}`], sendingFacility: 'HOSP_B', name: '別名^太郎^^^^^L' }));
    const rsp = await s.send(pixQuery({ key: `A102^^^${HOSP_A}` }));
    expect(pid3(rsp)).to.include(`B202^^^${HOSP_B}`);
    expect(rsp).to.not.contain(token);
    // the token is a recognized domain, but not given out: NF
    const onlyToken = await s.send(pixQuery({ key: `A102^^^${HOSP_A}`, domains: [`^^^${TOKEN}`] }));
    expect(field(onlyToken, 'MSA', 1)).to.equal('AA');
    expect(field(onlyToken, 'QAK', 2)).to.equal('NF');
  });

  it('answers an organization pseudonym domain with the keyed pseudonym of the token, never the token', async () => {
    await s.stop();
    s = await startTestServer({ identity: { pseudonymDomains: [{ namespace: 'STUDY1', oid: '2.999.392.7.1', key: 'study-one-key-0123456789' }] } });
    const token = s.app.tokenIssuer.issue('123456789018');
    await s.send(adt({ ids: [`A120^^^${HOSP_A}`, `${token}^^^${TOKEN}`] }));
    const rsp = await s.send(pixQuery({ key: `A120^^^${HOSP_A}`, domains: ['^^^STUDY1&2.999.392.7.1&ISO'] }));
    const [pseudonym] = pid3(rsp);
    expect(pseudonym).to.match(/^[A-Z2-7]{32}\^\^\^STUDY1&2\.999\.392\.7\.1&ISO$/);
    expect(pseudonym).to.not.contain(token);
    // a patient without a token has no pseudonym
    await s.send(adt({ ids: [`A121^^^${HOSP_A}`] }));
    const none = await s.send(pixQuery({ key: `A121^^^${HOSP_A}`, domains: ['^^^STUDY1&2.999.392.7.1&ISO'] }));
    expect(field(none, 'QAK', 2)).to.equal('NF');
    // pseudonyms are issued here, not fed
    const fed = await s.send(adt({ ids: [`A122^^^${HOSP_A}`, `X^^^STUDY1&2.999.392.7.1&ISO`] }));
    expect(field(fed, 'MSA', 1)).to.equal('AE');
    expect(field(fed, 'ERR', 2)).to.equal('PID^1^3^2^4');
  });

  it('takes a regional (affinity domain) ID fed by a Patient Identity Source as the patient\'s, as XDS sources feed it', async () => {
    const ack = await s.send(adt({ ids: [`NIST-1^^^${REGION}`], event: 'A01' }));
    expect(field(ack, 'MSA', 1)).to.equal('AA');
    await s.send(adt({ ids: [`A130^^^${HOSP_A}`, `NIST-1^^^${REGION}`], event: 'A08' }));
    const rsp = await s.send(pixQuery({ key: `NIST-1^^^${REGION}` }));
    expect(pid3(rsp)).to.deep.equal([`A130^^^${HOSP_A}`]);
    const merged = await s.send(adt({ event: 'A40', ids: [`NIST-2^^^${REGION}`], mrg: [`NIST-1^^^${REGION}`] }));
    expect(field(merged, 'MSA', 1)).to.equal('AA');
    const viaOld = await s.send(pixQuery({ key: `NIST-1^^^${REGION}` }));
    expect(pid3(viaOld)).to.include(`A130^^^${HOSP_A}`).and.include(`NIST-2^^^${REGION}`);
    // generated regional IDs never collide with fed ones
    await s.send(adt({ ids: [`A131^^^${HOSP_A}`] }));
    const gen = pid3(await s.send(pixQuery({ key: `A131^^^${HOSP_A}` })));
    expect(gen).to.have.length(1);
    expect(gen[0]).to.match(/^R\d{10}\^\^\^/);
  });

  it('binds a namespace to one OID: completes a namespace-only domain, refuses a second OID', async () => {
    expect(field(await s.send(adt({ ids: ['N1^^^HZLN'] })), 'MSA', 1)).to.equal('AA');
    expect(field(await s.send(adt({ ids: ['N2^^^HZLN&1.9.9.1&ISO'] })), 'MSA', 1)).to.equal('AA');
    // one domain, reachable by namespace, by OID, or both
    for (const key of ['N1^^^HZLN', 'N1^^^&1.9.9.1&ISO', 'N2^^^HZLN', 'N2^^^HZLN&1.9.9.1&ISO']) {
      const r = await s.send(pixQuery({ key }));
      expect(field(r, 'MSA', 1), key).to.equal('AA');
    }
    const conflict = await s.send(adt({ ids: [`A140^^^${HOSP_A}`, 'N3^^^HZLN&1.9.9.2&ISO'] }));
    expect(field(conflict, 'MSA', 1)).to.equal('AE');
    expect(field(conflict, 'ERR', 2)).to.equal('PID^1^3^2^4');
    expect(field(conflict, 'ERR', 8)).to.contain('namespace HZLN');
  });

  it('refuses a feed whose tokens contradict an existing link, storing nothing', async () => {
    const t1 = s.app.tokenIssuer.issue('123456789018');
    const t2 = s.app.tokenIssuer.issue('000000000019');
    await s.send(adt({ ids: [`A103^^^${HOSP_A}`, `${t1}^^^${TOKEN}`] }));
    const ack = await s.send(adt({ ids: [`A103^^^${HOSP_A}`, `B203^^^${HOSP_B}`, `${t2}^^^${TOKEN}`] }));
    expect(field(ack, 'MSA', 1)).to.equal('AE');
    expect(field(ack, 'ERR', 3)).to.match(/^205\^/);
    // Not even HOSP_B's first appearance was kept: its domain is as unknown as its ID.
    const rsp = await s.send(pixQuery({ key: `B203^^^${HOSP_B}` }));
    expect(field(rsp, 'MSA', 1)).to.equal('AE');
    expect(field(rsp, 'ERR', 2)).to.equal('QPD^1^3^1^4');
  });

  it('updates demographics with A08 without changing cross-references', async () => {
    await s.send(adt({ ids: [`A104^^^${HOSP_A}`] }));
    const ack = await s.send(adt({ event: 'A08', ids: [`A104^^^${HOSP_A}`], name: 'SUZUKI^HANAKO^^^^^L', sex: 'F' }));
    expect(field(ack, 'MSA', 1)).to.equal('AA');
    const rec = await s.app.store.read(async (tx) => {
      const d = await s.app.identity.domains.find(tx, { namespace: 'HOSP_A', oid: '1.2.392.999.1' });
      return tx.identity.record(d!.key, 'A104');
    });
    expect(rec!.demographics.fields[5][0][0][0]).to.equal('SUZUKI');
    expect(rec!.demographics.fields[8][0][0][0]).to.equal('F');
  });

  it('merges with A40: the prior ID then resolves to the survivor', async () => {
    await s.send(adt({ ids: [`OLD1^^^${HOSP_A}`, `B300^^^${HOSP_B}`] }));
    await s.send(adt({ ids: [`NEW1^^^${HOSP_A}`] }));
    const ack = await s.send(adt({ event: 'A40', ids: [`NEW1^^^${HOSP_A}`], mrg: [`OLD1^^^${HOSP_A}`] }));
    expect(field(ack, 'MSA', 1)).to.equal('AA');
    expect(field(ack, 'MSH', 9)).to.equal('ACK^A40^ACK');
    const viaOld = await s.send(pixQuery({ key: `OLD1^^^${HOSP_A}`, domains: [`^^^${HOSP_B}`] }));
    expect(field(viaOld, 'QAK', 2)).to.equal('OK');
    expect(pid3(viaOld)).to.deep.equal([`B300^^^${HOSP_B}`]);
    const viaNew = await s.send(pixQuery({ key: `NEW1^^^${HOSP_A}`, domains: [`^^^${HOSP_A}`, `^^^${HOSP_B}`] }));
    expect(pid3(viaNew)).to.deep.equal([`B300^^^${HOSP_B}`]);
  });

  it('merges an MRG-1 id never fed before as an alias of the survivor', async () => {
    await s.send(adt({ event: 'A40', ids: [`NEW2^^^${HOSP_A}`, `B301^^^${HOSP_B}`], mrg: [`GHOST^^^${HOSP_A}`] }));
    const rsp = await s.send(pixQuery({ key: `GHOST^^^${HOSP_A}`, domains: [`^^^${HOSP_B}`] }));
    expect(pid3(rsp)).to.deep.equal([`B301^^^${HOSP_B}`]);
  });

  it('refuses an A40 whose MRG-1 is in another domain than PID-3 (AE 204 at MRG-1.4), changing nothing, audited as a failed ITI-8', async () => {
    await s.send(adt({ ids: [`XA1^^^${HOSP_A}`] }));
    await s.send(adt({ ids: [`XB1^^^${HOSP_B}`], sendingFacility: 'HOSP_B' }));
    const before = await s.app.store.read(async (tx) => (await tx.identity.domains()).length);
    const ack = await s.send(adt({ event: 'A40', ids: [`XA1^^^${HOSP_A}`], mrg: [`XB1^^^${HOSP_B}`], controlId: 'XMERGE' }));
    expect(field(ack, 'MSA', 1)).to.equal('AE');
    expect(field(ack, 'MSA', 2)).to.equal('XMERGE');
    expect(field(ack, 'ERR', 2)).to.equal('MRG^1^1^1^4');
    expect(field(ack, 'ERR', 3)).to.equal('204^Unknown key identifier^HL70357');
    // Still two patients: neither ID reaches the other.
    const viaA = await s.send(pixQuery({ key: `XA1^^^${HOSP_A}`, domains: [`^^^${HOSP_B}`] }));
    expect(field(viaA, 'QAK', 2)).to.equal('NF');
    const viaB = await s.send(pixQuery({ key: `XB1^^^${HOSP_B}`, domains: [`^^^${HOSP_A}`] }));
    expect(field(viaB, 'QAK', 2)).to.equal('NF');
    expect(await s.app.store.read(async (tx) => (await tx.identity.domains()).length)).to.equal(before);
    const failed = (await s.app.store.read((tx) => tx.audit.auditEvents({}))).filter((e) => e.eventTypeCode === 'ITI-8' && e.outcome === 8);
    expect(failed.map((e) => e.patientIds).flat()).to.include(`XA1^^^${HOSP_A}`);
  });

  it('refuses an A40 merging an ID into itself (AE 205 at MRG-1), changing nothing', async () => {
    await s.send(adt({ ids: [`SELF1^^^${HOSP_A}`, `SELFB^^^${HOSP_B}`] }));
    const ack = await s.send(adt({ event: 'A40', ids: [`SELF1^^^${HOSP_A}`], mrg: [`OTHER^^^${HOSP_A}`, `SELF1^^^${HOSP_A}`] }));
    expect(field(ack, 'MSA', 1)).to.equal('AE');
    expect(field(ack, 'ERR', 2)).to.equal('MRG^1^1^2');
    expect(field(ack, 'ERR', 3)).to.equal('205^Duplicate key identifier^HL70357');
    // OTHER, the first prior, was not kept as an alias either: the whole merge was refused.
    const viaOther = await s.send(pixQuery({ key: `OTHER^^^${HOSP_A}` }));
    expect(field(viaOther, 'MSA', 1)).to.equal('AE');
    const still = await s.send(pixQuery({ key: `SELF1^^^${HOSP_A}`, domains: [`^^^${HOSP_B}`] }));
    expect(pid3(still)).to.deep.equal([`SELFB^^^${HOSP_B}`]);
  });

  it('answers the ITI-9 error cases with the TF locations and code 204', async () => {
    await s.send(adt({ ids: [`A105^^^${HOSP_A}`, `B205^^^${HOSP_B}`] }));
    const unknownId = await s.send(pixQuery({ key: `NOPE^^^${HOSP_A}` }));
    expect(field(unknownId, 'MSA', 1)).to.equal('AE');
    expect(field(unknownId, 'QAK', 2)).to.equal('AE');
    expect(field(unknownId, 'ERR', 2)).to.equal('QPD^1^3^1^1');
    expect(field(unknownId, 'ERR', 3)).to.equal('204^Unknown key identifier^HL70357');
    expect(segments(unknownId, 'PID')).to.have.length(0);
    expect(field(unknownId, 'QPD', 3)).to.equal(`NOPE^^^${HOSP_A}`);

    const unknownDomain = await s.send(pixQuery({ key: 'A105^^^NOWHERE&9.9.9&ISO' }));
    expect(field(unknownDomain, 'MSA', 1)).to.equal('AE');
    expect(field(unknownDomain, 'ERR', 2)).to.equal('QPD^1^3^1^4');

    const unknownWhat = await s.send(pixQuery({ key: `A105^^^${HOSP_A}`, domains: [`^^^${HOSP_B}`, '^^^X&8.8.8&ISO', '^^^Y&7.7.7&ISO'] }));
    expect(field(unknownWhat, 'MSA', 1)).to.equal('AE');
    expect(segments(unknownWhat, 'ERR').map((e) => e[2])).to.deep.equal(['QPD^1^4^2', 'QPD^1^4^3']);
    expect(segments(unknownWhat, 'ERR').map((e) => e[3])).to.deep.equal(['204^Unknown key identifier^HL70357', '204^Unknown key identifier^HL70357']);
  });

  it('answers NF when the patient has no identifier in the requested domains', async () => {
    await s.send(adt({ ids: [`A106^^^${HOSP_A}`] }));
    await s.send(adt({ ids: [`B999^^^${HOSP_B}`] }));
    const rsp = await s.send(pixQuery({ key: `A106^^^${HOSP_A}`, domains: [`^^^${HOSP_B}`] }));
    expect(field(rsp, 'MSA', 1)).to.equal('AA');
    expect(field(rsp, 'QAK', 2)).to.equal('NF');
    expect(segments(rsp, 'PID')).to.have.length(0);
  });

  it('refuses an individual number with AR, without repeating it, and stores nothing', async () => {
    const number = '123456789018';
    const ack = await s.send(adt({ ids: [`A107^^^${HOSP_A}`, `${number}^^^${INDIVIDUAL_NUMBER}`], controlId: 'MN-1' }));
    expect(field(ack, 'MSA', 1)).to.equal('AR');
    expect(field(ack, 'ERR', 2)).to.equal('PID^1^3^2');
    expect(ack).to.not.contain(number);
    const byType = await s.send(adt({ ids: [`A107^^^${HOSP_A}`, `${number}^^^^MN`] }));
    expect(field(byType, 'MSA', 1)).to.equal('AR');
    expect(byType).to.not.contain(number);
    const query = await s.send(pixQuery({ key: `${number}^^^${INDIVIDUAL_NUMBER}` }));
    expect(field(query, 'MSA', 1)).to.equal('AR');
    expect(query).to.not.contain(number);
    const stored = await s.app.store.read(async (tx) => ({
      domains: await tx.identity.domains(),
      audit: await tx.audit.auditEvents({}),
      record: await tx.identity.searchRecords({ keys: [{ kind: 'family', key: 'YAMADA', prefix: false }] }, 10).then((p) => p.matches),
    }));
    expect(stored.record).to.have.length(0);
    expect(JSON.stringify(stored)).to.not.contain(number);
    expect(stored.audit.filter((a) => a.eventTypeCode === 'ITI-8' && a.outcome === 8)).to.have.length(2);
  });

  it('refuses a feed of 10,000 PID-3 repetitions with AR 207 and stores nothing (pix.maxIdentifiers)', async () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `FLOOD${i}^^^${HOSP_A}`);
    const ack = await s.send(adt({ ids, controlId: 'FLOOD-1' }));
    expect(field(ack, 'MSA', 1)).to.equal('AR');
    expect(field(ack, 'ERR', 2)).to.equal('PID^1^3^21');
    expect(field(ack, 'ERR', 3).split('^')[0]).to.equal('207');
    const stored = await s.app.store.read(async (tx) => ({
      records: await tx.identity.searchRecords({ keys: [{ kind: 'family', key: 'YAMADA', prefix: false }] }, 10).then((p) => p.matches),
      audit: (await tx.audit.auditEvents({})).filter((a) => a.eventTypeCode === 'ITI-8'),
    }));
    expect(stored.records).to.have.length(0);
    expect(stored.audit).to.have.length(1);
    expect(stored.audit[0].outcome).to.equal(8);
    expect(stored.audit[0].patientIds.length).to.be.at.most(20);
    const ok = await s.send(adt({ ids: ids.slice(0, 20) }));
    expect(field(ok, 'MSA', 1)).to.equal('AA');
  });

  it('uses a source\'s configured default authority when CX-4 is empty, and refuses unknown ones in reject mode', async () => {
    await s.stop();
    s = await startTestServer({
      identity: {
        unknownDomains: 'reject',
        domains: [{ namespace: 'HOSP_A', oid: '1.2.392.999.1', sourceApplication: 'EHR', sourceFacility: 'HOSP_A' }],
      },
    });
    const ok = await s.send(adt({ ids: ['A108'] }));
    expect(field(ok, 'MSA', 1)).to.equal('AA');
    const rsp = await s.send(pixQuery({ key: `A108^^^${HOSP_A}` }));
    expect(field(rsp, 'MSA', 1)).to.equal('AA');
    const unknown = await s.send(adt({ ids: [`A109^^^${HOSP_A}`, 'Z1^^^ZZZ&9.9.9.9&ISO'] }));
    expect(field(unknown, 'MSA', 1)).to.equal('AE');
    expect(field(unknown, 'ERR', 2)).to.equal('PID^1^3^2^4');
    expect(field(unknown, 'ERR', 3)).to.match(/^204\^/);
    const none = await s.send(pixQuery({ key: `A109^^^${HOSP_A}` }));
    expect(field(none, 'ERR', 2)).to.equal('QPD^1^3^1^1');
    const noDefault = await s.send(adt({ ids: ['A110'], sendingApp: 'OTHER' }));
    expect(field(noDefault, 'MSA', 1)).to.equal('AE');
    expect(field(noDefault, 'ERR', 2)).to.equal('PID^1^3^1^4');
    expect(field(noDefault, 'ERR', 3)).to.match(/^101\^/);
  });

  it('proposes a link on a demographic match but never merges on its own, and links on review', async () => {
    const kana = (family: string, given: string) => `患者^太郎^^^^^L^I~${family}^${given}^^^^^L^P`;
    await s.send(adt({ ids: [`A200^^^${HOSP_A}`], name: kana('カンジャ', 'タロウ'), birthDate: '19480405', phone: '^PRN^PH^^^^^^^^^054-000-0000' }));
    await s.send(adt({ ids: [`B400^^^${HOSP_B}`], name: kana('ｶﾝｼﾞｬ', 'ﾀﾛｳ'), birthDate: '19480405', phone: '^PRN^PH^^^^^^^^^0540000000', sendingFacility: 'HOSP_B' }));
    const before = await s.send(pixQuery({ key: `A200^^^${HOSP_A}`, domains: [`^^^${HOSP_B}`] }));
    expect(field(before, 'QAK', 2)).to.equal('NF');
    const proposals = await s.app.store.read((tx) => tx.identity.proposals('pending'));
    expect(proposals).to.have.length(1);
    expect(proposals[0].reasons).to.include.members(['birthDate', 'kanaName', 'name', 'phone']);
    await s.app.store.write((tx) => s.app.identity.acceptProposal(tx, proposals[0].id));
    const after = await s.send(pixQuery({ key: `A200^^^${HOSP_A}`, domains: [`^^^${HOSP_B}`] }));
    expect(pid3(after)).to.deep.equal([`B400^^^${HOSP_B}`]);
  });

  it('records the ITI-8 and ITI-9 audit events with the patient and the query', async () => {
    await s.send(adt({ ids: [`A300^^^${HOSP_A}`], controlId: 'AUD-1' }));
    await s.send(pixQuery({ key: `A300^^^${HOSP_A}`, controlId: 'AUD-2' }));
    const events = await s.app.store.read((tx) => tx.audit.auditEvents({}));
    const feed = events.find((e) => e.eventTypeCode === 'ITI-8')!;
    expect(feed.action).to.equal('C');
    expect(feed.outcome).to.equal(0);
    expect(feed.patientIds).to.deep.equal([`A300^^^HOSP_A&1.2.392.999.1&ISO`]);
    expect(feed.xml).to.contain('csd-code="110110"').and.contain('UserID="HOSP_A|EHR"');
    expect(feed.xml).to.contain(`value="${Buffer.from('AUD-1').toString('base64')}"`);
    const query = events.find((e) => e.eventTypeCode === 'ITI-9')!;
    expect(query.action).to.equal('E');
    expect(query.xml).to.contain('ParticipantObjectTypeCodeRole="24"').and.contain('<ParticipantObjectQuery>');
  });
});
