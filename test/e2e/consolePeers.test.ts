/**
 * The console's document lists with peer regions (issue 19 with issue 16): two real servers on
 * loopback, region A a Responding Gateway holding a patient's documents, region B whose console lists
 * that patient's documents from B and, through B's Initiating Gateway (ITI-38 to A with the patient's
 * token), from A, each marked with its community's name; a third configured community that is down
 * is named with its error, not left out. The operator's list and the patient's own "my records".
 */
import { expect } from 'chai';
import { hashPassword } from '../../src/console/auth/passwords.ts';
import { encodeMessage } from '../../src/hl7v2/charset.ts';
import { emptyTerms } from '../../src/consent/model.ts';
import { ConsoleClient } from '../helpers/consoleClient.ts';
import { hie } from '../helpers/hieCommand.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { feedRegionPatient, HOSPITAL, REGIONS, regionalPid, TOKEN_AUTHORITY, type RegionSpec } from '../helpers/xca.ts';
import { ACTIONS, XdsClient } from '../helpers/xds.ts';
import { provideAndRegisterRequest, uniqueOid } from '../helpers/xdsMetadata.ts';

const { a: A, b: B } = REGIONS;
const PASSWORD = 'peer console password';
const DOWN = { homeCommunityId: 'urn:oid:1.2.392.999.900.9', name: '停止中の地域', queryUrl: 'http://127.0.0.1:9/down', retrieveUrl: 'http://127.0.0.1:9/down', timeoutMs: 2000 };

const regionConfig = (r: RegionSpec, more: Record<string, unknown> = {}) => ({
  identity: { regional: { authority: { namespace: `REGION_${r.name.toUpperCase()}`, oid: r.regionalOid } }, token: { authority: TOKEN_AUTHORITY }, domains: [{ ...HOSPITAL, displayName: '登呂中央病院' }] },
  xds: { repository: { uniqueId: r.repositoryUniqueId } },
  ...more,
  xca: { homeCommunityId: r.homeCommunityId, ...((more.xca as object) ?? {}) },
});

describe('web console: documents held in peer regions (XCA, two real servers)', function () {
  this.timeout(120_000);
  let a: TestServer;
  let b: TestServer;
  let base: string;
  const titles = { a1: 'A地域の退院時要約', a2: 'A地域の検査結果', a3: 'A地域の検査結果メッセージ', b1: 'B地域の紹介状' };
  // An SS-MIX2 result as A's desk keeps it: HL7 v2.5 in ISO-2022-JP.
  const labMessage = encodeMessage(
    [
      'MSH|^~\\&|HIS|HOSP_A|SSMIX2|HOSP_A|20240507145859||OUL^R22^OUL_R22|0001|P|2.5||||||~ISO IR87||ISO 2022-1994',
      'PID|0001||PA-1^^^^PI||佐藤^直美^^^^^L^I||19900422|F',
      'OBX|1|NM|3C015000002327101^クレアチニン^JC10||0.88|mg/dL^mg/dL^ISO+|0.46-1.07|N|||F|||202405071258',
    ].join('\r'),
    'iso-2022-jp',
  );

  const provide = async (s: TestServer, r: RegionSpec, id: string, title: string, content: Buffer = Buffer.from(title)) => {
    const docs = [{ id: 'Document01', uniqueId: uniqueOid(), title, content }];
    const reply = await new XdsClient(s.app.ports.http!).mtom(s.config.xds.repository.path, ACTIONS.iti41, provideAndRegisterRequest({ patientId: regionalPid(id, r), docs }, 'xop'), [
      { contentId: 'Document01@test', contentType: 'text/plain', data: docs[0]!.content },
    ]);
    expect(reply.body.attrs.status, reply.xml.slice(0, 1500)).to.match(/Success$/);
  };

  before(async () => {
    // A answers B's gateway, which reaches it over loopback without TLS: the local identity plays a gateway too.
    a = await startTestServer(regionConfig(A, { access: { local: { roles: ['source', 'consumer', 'auditor', 'admin', 'gateway'] } } }) as never);
    b = await startTestServer(
      regionConfig(B, {
        xca: { communities: [{ homeCommunityId: A.homeCommunityId, name: 'A地域ネット', queryUrl: `http://127.0.0.1:${a.app.ports.http}/services/xca/responding`, retrieveUrl: `http://127.0.0.1:${a.app.ports.http}/services/xca/responding`, timeoutMs: 5000 }, DOWN] },
        console: { users: [{ name: 'sato', role: 'operator', passwordHash: await hashPassword(PASSWORD) }] },
      }) as never,
    );
    base = `http://127.0.0.1:${b.app.ports.http}`;
    // One person (one token): treated in A, now in B.
    const token = a.app.tokenIssuer.issue('123456789018');
    await feedRegionPatient(a, A, 'PA-1', token);
    await feedRegionPatient(b, B, 'PB-1', token);
    await provide(a, A, 'PA-1', titles.a1);
    await provide(a, A, 'PA-1', titles.a2);
    await provide(a, A, 'PA-1', titles.a3, labMessage);
    await provide(b, B, 'PB-1', titles.b1);
    // Consent decides what B's operator sees of B's own documents: the patient enrolled at B's desk.
    await b.app.store.write(async (tx) => {
      const person = await tx.identity.personByRegionalId('PB-1');
      await b.app.consent.set(tx, person!.id, { ...emptyTerms(), participation: 'opted-in' }, { who: 'desk', source: { kind: 'desk' } });
    });
    // A patient without a token: no link can name them, so no peer is asked.
    await b.send((await import('../helpers/messages.ts')).adt({ ids: [`PB-2^^^REGION_B&${B.regionalOid}&ISO`], event: 'A01' }));
  });
  after(async () => {
    await b?.stop();
    await a?.stop();
  });

  const peerRows = (body: string) => [...body.matchAll(/<tr data-community="([^"]+)"><td>[^<]*<\/td><td>(?:<a href="[^"]*">)?([^<]*)(?:<\/a>)?<\/td>/g)].map((m) => [m[1], m[2]]);

  it("lists the operator's patient documents from B and from A, marked with A's name, and names the community that is down", async () => {
    const c = new ConsoleClient(base);
    await c.get('/console/login');
    expect((await c.post('/console/login', { name: 'sato', password: PASSWORD })).status).to.equal(303);
    const r = await c.get('/console/patients/PB-1/documents');
    expect(r.status).to.equal(200);
    expect(r.body).to.include(titles.b1);
    expect(peerRows(r.body).sort()).to.deep.equal([
      [A.homeCommunityId, titles.a1],
      [A.homeCommunityId, titles.a2],
      [A.homeCommunityId, titles.a3],
    ].sort());
    expect(r.body.match(/<td>A地域ネット<\/td>/g)).to.have.length(3);
    const failure = /<div class="notice error peer-error" role="alert">([\s\S]*?)<\/div>/.exec(r.body);
    expect(failure, 'the down community is shown').to.not.equal(null);
    expect(failure![1]).to.include('停止中の地域').and.include(DOWN.homeCommunityId).and.include('XDSUnavailableCommunity');
    expect(r.body).not.to.include('123456789018');
    // Each peer asked is audited as an ITI-38 of B's Initiating Gateway, naming the regional ID, never the token.
    const iti38 = await b.app.store.read((tx) => tx.audit.auditEvents({ eventTypeCode: 'ITI-38', limit: 100 }));
    const own = iti38.filter((e) => e.transport === 'self');
    expect(own.length).to.be.at.least(2);
    expect(own.some((e) => e.outcome === 8 && e.xml.includes('127.0.0.1:9'))).to.equal(true);
    for (const e of own) expect(e.xml).to.include('PB-1').and.not.include(a.app.tokenIssuer.issue('123456789018'));
    // A patient no link can name: no peer part at all.
    const alone = await c.get('/console/patients/PB-2/documents');
    expect(alone.status).to.equal(200);
    expect(alone.body).not.to.include('peer-documents').and.not.to.include('peer-error');
  });

  const peerLinks = (body: string) => [...body.matchAll(/<tr data-community="[^"]+"><td>[^<]*<\/td><td><a href="([^"]+)">([^<]*)<\/a><\/td>/g)].map((m) => ({ href: m[1]!.replace(/&amp;/g, '&'), title: m[2]! }));

  it("opens A's document from B's console through B's Initiating Gateway (ITI-39 to A) and shows its text; a community that is down is an error page naming it", async () => {
    const c = new ConsoleClient(base);
    await c.get('/console/login');
    expect((await c.post('/console/login', { name: 'sato', password: PASSWORD })).status).to.equal(303);
    const list = await c.get('/console/patients/PB-1/documents');
    const link = peerLinks(list.body).find((l) => l.title === titles.a1);
    expect(link, 'the peer document is a link').to.not.equal(undefined);
    const before = await b.app.store.read((tx) => tx.audit.auditEvents({ eventTypeCode: 'ITI-39', limit: 100 }));
    const doc = await c.get(link!.href);
    expect(doc.status, doc.body.slice(0, 500)).to.equal(200);
    expect(doc.body).to.include(`<pre>${titles.a1}</pre>`).and.include('A地域ネット');
    const raw = await c.get(`${link!.href}/raw`);
    expect(raw.status).to.equal(200);
    expect(raw.body).to.equal(titles.a1);
    // An HL7 v2 message from A is shown as the viewer shows a local one: tables with field names, in Japanese.
    const lab = await c.get(peerLinks(list.body).find((l) => l.title === titles.a3)!.href);
    expect(lab.status).to.equal(200);
    expect(lab.body).to.include('<caption>PID 患者識別</caption>').and.include('<td>OBX-7</td><td>基準値範囲</td><td>0.46-1.07</td>').and.include('クレアチニン');
    // B's side audits the retrieve as its gateway's ITI-39; A's Responding Gateway audits its own.
    const after = await b.app.store.read((tx) => tx.audit.auditEvents({ eventTypeCode: 'ITI-39', limit: 100 }));
    expect(after.filter((e) => e.transport === 'self').length - before.filter((e) => e.transport === 'self').length).to.equal(3);
    const atA = await a.app.store.read((tx) => tx.audit.auditEvents({ eventTypeCode: 'ITI-39', limit: 100 }));
    expect(atA.length).to.be.at.least(2);
    // A document A does not list for this patient is not found, not fetched.
    expect((await c.get(`/console/patients/PB-1/documents/peer/${encodeURIComponent(A.homeCommunityId)}/1.2.3.4.5`)).status).to.equal(404);
    const down = await c.get(`/console/patients/PB-1/documents/peer/${encodeURIComponent(DOWN.homeCommunityId)}/1.2.3.4.5`);
    expect(down.status).to.equal(502);
    expect(down.body).to.include('停止中の地域').and.include('peer-error').and.not.match(/at .*\.ts:\d+/);
  });

  it("shows the patient their documents from A on their own page (my records), marked with A's name", async () => {
    const issued = await hie(['consent', 'code', regionalPid('PB-1', B), '--data-dir', b.dataDir, '--format', 'json']);
    expect(issued.code, issued.stderr).to.equal(0);
    const { code, regionalId } = JSON.parse(issued.stdout) as { code: string; regionalId: string };
    const p = new ConsoleClient(base);
    await p.get('/console/me/activate');
    expect((await p.post('/console/me/activate', { id: regionalId, code, password: 'patient password 1', password2: 'patient password 1' })).status).to.equal(303);
    const mine = await p.get('/console/me');
    expect(mine.status).to.equal(200);
    expect(mine.body).to.include(titles.b1);
    expect(peerRows(mine.body).map(([, t]) => t).sort()).to.deep.equal([titles.a1, titles.a2, titles.a3].sort());
    expect(mine.body).to.include('停止中の地域');
    const link = peerLinks(mine.body).find((l) => l.title === titles.a2);
    expect(link?.href).to.match(/^\/console\/me\/documents\/peer\//);
    const doc = await p.get(link!.href);
    expect(doc.status, doc.body.slice(0, 500)).to.equal(200);
    expect(doc.body).to.include(`<pre>${titles.a2}</pre>`);
    const down = await p.get(`/console/me/documents/peer/${encodeURIComponent(DOWN.homeCommunityId)}/1.2.3.4.5`);
    expect(down.status).to.equal(502);
    expect(down.body).to.include('停止中の地域');
  });
});
