import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { hashPassword } from '../../src/console/auth/passwords.ts';
import { ConsoleClient } from '../helpers/consoleClient.ts';
import { IngestRunLog } from '../../src/ingest/runLog.ts';
import { hie } from '../helpers/hieCommand.ts';
import { startTestServer, type TestServer } from '../helpers/hieServer.ts';
import { adt, HOSP_A, HOSP_B } from '../helpers/messages.ts';

const PASSWORD = 'correct horse battery';

describe('web console: sign-in, sessions, CSRF, roles, patients, links (HTTP)', function () {
  let s: TestServer;
  let base: string;
  before(async () => {
    const hash = await hashPassword(PASSWORD);
    s = await startTestServer({
      identity: {
        domains: [
          { namespace: 'HOSP_A', oid: '1.2.392.999.1', displayName: '登呂中央病院' },
          { namespace: 'HOSP_B', oid: '1.2.392.999.2', displayName: 'ひまわりクリニック' },
        ],
      },
      xca: { homeCommunityId: 'urn:oid:2.999.77.1', communities: [{ homeCommunityId: 'urn:oid:2.999.77.2', name: '隣の地域', queryUrl: 'http://127.0.0.1:9/q', retrieveUrl: 'http://127.0.0.1:9/r' }] },
      console: {
        sessionIdleMs: 1500,
        maxFailures: 3,
        lockoutMs: 60_000,
        users: [
          { name: 'sato', displayName: '佐藤 運用', role: 'operator', passwordHash: hash },
          { name: 'ito', role: 'viewer', passwordHash: hash },
          { name: 'locky', role: 'viewer', passwordHash: hash },
          { name: 'adm', displayName: '監査 担当', role: 'admin', passwordHash: hash },
        ],
      },
    } as never);
    base = `http://127.0.0.1:${s.app.ports.http}`;
    await s.send(adt({ ids: [`P1^^^${HOSP_A}`], name: '山田^太郎^^^^^L^I~ヤマダ^タロウ^^^^^L^P', birthDate: '19700101', address: '^^^^100-0001^JPN^H^東京都千代田区' }));
    await s.send(adt({ ids: [`P2^^^${HOSP_A}`], name: '<script>alert(1)</script>^花子^^^^^L^I~ヤマダ^ハナコ^^^^^L^P', birthDate: '19750505', sex: 'F' }));
    const kana = (family: string, given: string) => `患者^太郎^^^^^L^I~${family}^${given}^^^^^L^P`;
    await s.send(adt({ ids: [`A200^^^${HOSP_A}`], name: kana('カンジャ', 'タロウ'), birthDate: '19480405', phone: '^PRN^PH^^^^^^^^^054-000-0000' }));
    await s.send(adt({ ids: [`B400^^^${HOSP_B}`], name: kana('ｶﾝｼﾞｬ', 'ﾀﾛｳ'), birthDate: '19480405', phone: '^PRN^PH^^^^^^^^^0540000000', sendingFacility: 'HOSP_B' }));
  });
  after(async () => {
    await s.stop();
  });

  const audits = () => s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100000 })).then((l) => l.filter((e) => e.transport === 'self').map((e) => e.xml));

  it('asks for sign-in, in Japanese first, with English available', async () => {
    const c = new ConsoleClient(base);
    const r = await c.get('/console/patients');
    expect(r.status).to.equal(303);
    expect(r.res.headers.get('location')).to.equal('/console/login');
    const login = await c.get('/console/login');
    expect(login.body).to.include('<html lang="ja">').and.include('ログイン');
    expect(login.res.headers.get('content-security-policy')).to.include("script-src 'self'");
    const en = await c.get('/console/login?lang=en');
    expect(en.body).to.include('<html lang="en">').and.include('Operator sign-in');
  });

  it('signs in with a session cookie that is HttpOnly and SameSite=Strict, and audits it naming the user', async () => {
    const c = new ConsoleClient(base);
    await c.get('/console/login');
    const r = await c.post('/console/login', { name: 'sato', password: PASSWORD });
    expect(r.status).to.equal(303);
    const set = r.res.headers.getSetCookie().find((x) => x.startsWith('hie_console='))!;
    expect(set).to.include('HttpOnly').and.include('SameSite=Strict').and.include('Path=/console');
    expect(set).not.to.include('Secure'); // no TLS here
    const p = await c.get('/console/patients');
    expect(p.status).to.equal(200);
    expect(p.body).to.include('佐藤 運用');
    const login = (await audits()).filter((x) => x.includes('csd-code="110122"') || x.includes('code="110122"'));
    expect(login.some((x) => x.includes('sato&lt;sato@hie-console&gt;') && x.includes('EventOutcomeIndicator="0"'))).to.equal(true);
  });

  it('refuses wrong passwords, then locks the account: even the right password is refused while locked', async () => {
    const c = new ConsoleClient(base);
    for (let i = 0; i < 2; i++) {
      const r = await c.signIn('locky', 'wrong password');
      expect(r.status).to.equal(401);
      expect(r.body).to.include('ユーザー名またはパスワードが違います');
    }
    expect((await c.signIn('locky', 'wrong again')).status).to.equal(429);
    const right = await c.signIn('locky', PASSWORD);
    expect(right.status).to.equal(429);
    expect(right.body).to.include('ロック');
    expect(c.cookies.has('hie_console')).to.equal(false);
    // An unknown account answers like a wrong password.
    expect((await c.signIn('nobody', PASSWORD)).status).to.equal(401);
  });

  it('refuses a POST with a forged, missing or other session\'s CSRF token, and a sign-in without the form\'s token', async () => {
    const a = new ConsoleClient(base);
    await a.signIn('sato', PASSWORD);
    await a.get('/console/links');
    const b = new ConsoleClient(base);
    await b.signIn('sato', PASSWORD);
    await b.get('/console/links');
    for (const csrf of [null, '', 'forged', b.csrf]) {
      const r = await a.post('/console/links/1/reject', { reason: 'x' }, { csrf });
      expect(r.status, String(csrf)).to.equal(403);
      expect(r.body).to.include('不正な送信');
    }
    const fresh = new ConsoleClient(base);
    await fresh.get('/console/login');
    expect((await fresh.post('/console/login', { name: 'sato', password: PASSWORD }, { csrf: 'forged' })).status).to.equal(403);
    const proposals = await s.app.store.read((tx) => tx.identity.proposals('pending'));
    expect(proposals).to.have.length(1); // nothing was decided
  });

  it('expires an idle session: the next page asks to sign in again', async () => {
    const c = new ConsoleClient(base);
    await c.signIn('ito', PASSWORD);
    expect((await c.get('/console/patients')).status).to.equal(200);
    await new Promise((r) => setTimeout(r, 1600));
    const r = await c.get('/console/patients');
    expect(r.status).to.equal(303);
    expect(r.res.headers.get('location')).to.equal('/console/login?expired=1');
    expect((await c.get('/console/login?expired=1')).body).to.include('有効期限');
    const post = await c.post('/console/links/1/accept', {});
    expect(post.status).to.equal(401);
  });

  it('keeps a viewer out of what needs an operator (403, audited)', async () => {
    const c = new ConsoleClient(base);
    await c.signIn('ito', PASSWORD);
    expect((await c.get('/console/links')).status).to.equal(403);
    expect((await c.get('/console/patients')).status).to.equal(200);
  });

  it('finds a patient by kana in either width and shows identifiers across facilities; script in names and fields is escaped', async () => {
    // An operator: these patients never enrolled, and only the role that links, merges and records consent finds them (consoleSecurity.test.ts).
    const c = new ConsoleClient(base);
    await c.signIn('sato', PASSWORD);
    for (const kana of ['ヤマダ', 'ﾔﾏﾀﾞ', 'やまだ']) {
      const r = await c.get(`/console/patients?family=${encodeURIComponent(kana)}`);
      expect(r.status).to.equal(200);
      expect(r.body, kana).to.include('山田 太郎');
      expect(r.body).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(r.body).not.to.include('<script>alert(1)');
    }
    const evil = await c.get(`/console/patients?family=${encodeURIComponent('"><script>alert(2)</script>')}`);
    expect(evil.body).not.to.include('<script>alert(2)');
    expect(evil.body).to.include('&quot;&gt;&lt;script&gt;alert(2)');
    const byId = await c.get('/console/patients?id=P1');
    expect(byId.body).to.include('山田 太郎');
    // An ID of a facility the config does not name (registered from its feed) is found too.
    await s.send(adt({ ids: ['U77^^^OTHER&1.2.392.999.77&ISO'], name: '他院^患者^^^^^L^I', sendingFacility: 'OTHER' }));
    expect((await c.get('/console/patients?id=U77')).body).to.include('他院 患者');
    const link = /href="(\/console\/patients\/[^"]+)"/.exec(byId.body)![1]!;
    const patient = await c.get(link);
    expect(patient.status).to.equal(200);
    expect(patient.body).to.include('登呂中央病院').and.include('P1');
  });

  it('lets an operator accept a link proposal; the reason is audited with the reviewer', async () => {
    const c = new ConsoleClient(base);
    await c.signIn('sato', PASSWORD);
    const list = await c.get('/console/links');
    expect(list.body).to.include('患者 太郎').and.include('ひまわりクリニック');
    const [p] = await s.app.store.read((tx) => tx.identity.proposals('pending'));
    const r = await c.post(`/console/links/${p!.id}/accept`, { reason: '受付で保険証を確認 <b>' });
    expect(r.status).to.equal(200);
    expect(r.body).to.include('リンクしました');
    expect(await s.app.store.read((tx) => tx.identity.proposals('pending'))).to.have.length(0);
    const reviewed = (await audits()).filter((x) => x.includes('CONSOLE-link-accept'));
    expect(reviewed).to.have.length(1);
    expect(reviewed[0]).to.include('受付で保険証を確認 &lt;b&gt;').and.include('sato&lt;sato@hie-console&gt;');
    const again = await c.post(`/console/links/${p!.id}/accept`, {});
    expect(again.status).to.equal(409);
  });

  it('lets an admin search the audit trail (ITI-81 parameters) and read a patient\'s access report; an operator may not', async () => {
    const c = new ConsoleClient(base);
    await c.signIn('adm', PASSWORD);
    const today = new Date().toISOString().slice(0, 10);
    const r = await c.get(`/console/audit?from=${today}&agent=sato`);
    expect(r.status).to.equal(200);
    expect(r.body).to.include('CONSOLE-link-accept');
    const bad = await c.get(`/console/audit?patient=${encodeURIComponent('<script>x</script>')}&outcome=99`);
    expect(bad.body).not.to.include('<script>x');
    const byId = await c.get('/console/patients?id=P1');
    const link = /href="(\/console\/patients\/[^"]+)"/.exec(byId.body)![1]!;
    const report = await c.get(`${link.replace('/console/patients/', '/console/audit/patients/')}/access-report`);
    expect(report.status).to.equal(200);
    expect(report.body).to.match(/<td>[^<]*sato[^<]*<\/td>/); // the operator who opened P1's page
    const op = new ConsoleClient(base);
    await op.signIn('sato', PASSWORD);
    expect((await op.get('/console/audit?from=2020-01-01')).status).to.equal(403);
    expect((await op.get(`${link.replace('/console/patients/', '/console/audit/patients/')}/access-report`)).status).to.equal(403);
  });

  it('pages the audit search: 50 events a page, newest first, a next link continuing after the last one shown (keyset), none twice', async () => {
    const c = new ConsoleClient(base);
    await c.signIn('adm', PASSWORD);
    const today = new Date().toISOString().slice(0, 10);
    // Each search is itself audited naming adm: 60 more events of this user.
    for (let i = 0; i < 60; i++) expect((await c.get(`/console/audit?from=${today}&agent=nobody-${i}`)).status).to.equal(200);
    const ids = (body: string) => [...body.matchAll(/<tr data-id="(\d+)">/g)].map((m) => Number(m[1]));
    const nextOf = (body: string) => /<a href="([^"]+)" rel="next" id="audit-next">/.exec(body)?.[1]?.replace(/&amp;/g, '&');
    const seen: number[] = [];
    let url: string | undefined = `/console/audit?from=${today}&agent=adm`;
    let pages = 0;
    while (url && pages < 10) {
      const r = await c.get(url);
      expect(r.status, r.body.slice(0, 300)).to.equal(200);
      const page = ids(r.body);
      expect(page.length).to.be.at.most(50);
      if (nextOf(r.body)) expect(page).to.have.length(50);
      seen.push(...page);
      url = nextOf(r.body);
      if (url) expect(url).to.match(/^\/console\/audit\?from=[^&]+&agent=adm&after=[A-Za-z0-9_-]+$/);
      pages++;
    }
    expect(pages).to.be.at.least(2);
    expect(seen.length).to.be.at.least(60);
    expect(new Set(seen).size).to.equal(seen.length);
    expect(seen).to.deep.equal([...seen].sort((x, y) => y - x));
    // A cursor that is not one of this server's is a 400 with the form, not a stack trace.
    const bad = await c.get(`/console/audit?agent=adm&after=${encodeURIComponent('<b>x')}`);
    expect(bad.status).to.equal(400);
    expect(bad.body).not.to.include('<b>x').and.not.match(/at .*\.ts:\d+/);
  });

  it('lets an operator merge another ID of the same facility into a patient, the reason audited; a viewer may not', async () => {
    await s.send(adt({ ids: [`MRG-1^^^${HOSP_A}`], name: '統合^一^^^^^L^I~トウゴウ^ハジメ^^^^^L^P', birthDate: '19500101' }));
    await s.send(adt({ ids: [`MRG-2^^^${HOSP_A}`], name: '統合^一^^^^^L^I~トウゴウ^ハジメ^^^^^L^P', birthDate: '19500102' }));
    const person = (id: string) => s.app.store.read(async (tx) => (await tx.identity.record('1.2.392.999.1', id))!);
    const survivor = await person('MRG-1');
    const rid = (await s.app.store.read((tx) => tx.identity.person(survivor.personId)))!.regionalId;
    const c = new ConsoleClient(base);
    await c.signIn('sato', PASSWORD);
    const pageOf = await c.get(`/console/patients/${encodeURIComponent(rid)}`);
    expect(pageOf.body).to.include('統合(マージ)');
    const unknown = await c.post(`/console/patients/${encodeURIComponent(rid)}/merge`, { into: 'HOSP_A|MRG-1', prior: '<script>alert(3)</script>', reason: '<script>alert(4)</script>' });
    expect(unknown.status).to.equal(409);
    expect(unknown.body).not.to.include('<script>alert(');
    expect(unknown.body).to.include('&lt;script&gt;alert(3)');
    expect((await c.post(`/console/patients/${encodeURIComponent(rid)}/merge`, { into: 'HOSP_A|MRG-1', prior: 'MRG-2', reason: '' })).status).to.equal(400);
    const viewer = new ConsoleClient(base);
    await viewer.signIn('ito', PASSWORD);
    await viewer.get(`/console/patients/${encodeURIComponent(rid)}`);
    expect((await viewer.post(`/console/patients/${encodeURIComponent(rid)}/merge`, { into: 'HOSP_A|MRG-1', prior: 'MRG-2', reason: 'x' })).status).to.equal(403);
    const r = await c.post(`/console/patients/${encodeURIComponent(rid)}/merge`, { into: 'HOSP_A|MRG-1', prior: 'MRG-2', reason: '同一人物(生年月日の誤入力) <i>' });
    expect(r.status).to.equal(200);
    expect(r.body).to.include('統合しました');
    const merged = await person('MRG-2');
    expect(merged.mergedInto).to.equal(survivor.id);
    const audit = (await audits()).filter((x) => x.includes('CONSOLE-merge'));
    expect(audit).to.have.length(1);
    expect(audit[0]).to.include('MRG-2 merged into MRG-1 (HOSP_A): 同一人物(生年月日の誤入力) &lt;i&gt;').and.include('sato&lt;sato@hie-console&gt;');
  });

  it('lets an operator undo that merge, the reason audited; refuses a viewer, a missing reason, an ID not merged', async () => {
    const record = (id: string) => s.app.store.read(async (tx) => (await tx.identity.record('1.2.392.999.1', id))!);
    const survivor = await record('MRG-1');
    const rid = (await s.app.store.read((tx) => tx.identity.person(survivor.personId)))!.regionalId;
    const c = new ConsoleClient(base);
    await c.signIn('sato', PASSWORD);
    const url = `/console/patients/${encodeURIComponent(rid)}/unmerge`;
    expect((await c.get(`/console/patients/${encodeURIComponent(rid)}`)).body).to.include('統合の取り消し');
    expect((await c.post(url, { domain: 'HOSP_A', prior: 'MRG-2', reason: '' })).status).to.equal(400);
    const notMerged = await c.post(url, { domain: 'HOSP_A', prior: 'MRG-1', reason: '<b>x</b>' });
    expect(notMerged.status).to.equal(409);
    const viewer = new ConsoleClient(base);
    await viewer.signIn('ito', PASSWORD);
    await viewer.get(`/console/patients/${encodeURIComponent(rid)}`);
    expect((await viewer.post(url, { domain: 'HOSP_A', prior: 'MRG-2', reason: 'x' })).status).to.equal(403);
    expect((await record('MRG-2')).mergedInto, 'nothing undone yet').to.equal(survivor.id);
    const r = await c.post(url, { domain: 'HOSP_A', prior: 'MRG-2', reason: '別人でした <i>' });
    expect(r.status).to.equal(200);
    expect(r.body).to.include('統合を取り消しました');
    const back = await record('MRG-2');
    expect(back.mergedInto).to.equal(null);
    expect(back.personId).not.to.equal(survivor.personId);
    const audit = (await audits()).filter((x) => x.includes('CONSOLE-unmerge'));
    expect(audit).to.have.length(1);
    expect(audit[0]).to.include('MRG-2 (HOSP_A) unmerged from').and.include('別人でした &lt;i&gt;').and.include('sato&lt;sato@hie-console&gt;');
    expect((await c.post(url, { domain: 'HOSP_A', prior: 'MRG-2', reason: 'again' })).status, 'once').to.equal(409);
  });

  it('shows operations to an admin: nodes and last contact from the audit trail, queues, transaction counters', async () => {
    // A run of the SS-MIX2 ingest on this data folder, with a rejected file whose name carries markup.
    const counts = { files: 2, unchanged: 0, patients: 1, documents: 0, deprecated: 0, replacing: 0, removed: 0, alreadyRegistered: 0, rejected: 1 };
    new IngestRunLog(s.dataDir).append('/srv/ssmix2/HOSP_A', 'HOSP_A', { counts, elapsedMs: 12, rejected: [{ path: '000/<b>x</b>_OML-11', reason: 'bad-name' as never, detail: 'not an SS-MIX2 file name' }] });
    const c = new ConsoleClient(base);
    await c.signIn('adm', PASSWORD);
    const r = await c.get('/console/operations');
    const runs = r.body.slice(r.body.indexOf('id="ingest-runs"'));
    expect(runs).to.include('/srv/ssmix2/HOSP_A').and.include('000/&lt;b&gt;x&lt;/b&gt;_OML-11: bad-name not an SS-MIX2 file name');
    expect(r.status).to.equal(200);
    const nodes = r.body.slice(r.body.indexOf('接続ノード'), r.body.indexOf('連携地域'));
    expect(nodes).to.include('<td>local</td>').and.match(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    expect(r.body).to.include('iti10-notifications').and.include('audit-forwarding');
    const peers = r.body.slice(r.body.indexOf('id="peers"'), r.body.indexOf('</table>', r.body.indexOf('id="peers"')));
    expect(peers).to.include('隣の地域').and.include('urn:oid:2.999.77.2').and.include('✓ なし'); // asked nothing yet
    expect(r.body).to.include('<td>ITI-8</td>');
    await new Promise((res) => setTimeout(res, 1100));
    await s.send(adt({ ids: [`RATE1^^^${HOSP_A}`] }));
    const again = await c.get('/console/operations');
    expect(/<td>ITI-8<\/td><td>\d+<\/td><td>[^<]*<\/td><td>(\d+\.\d\d)<\/td>/.exec(again.body)?.[1]).to.not.equal('0.00');
    const op = new ConsoleClient(base);
    await op.signIn('sato', PASSWORD);
    expect((await op.get('/console/operations')).status).to.equal(403);
  });

  it('patients: the desk\'s code works once, wrong codes lock, script in the fields is escaped, and a patient changes only their own sharing', async () => {
    const p1 = await s.app.store.read(async (tx) => (await tx.identity.record('1.2.392.999.1', 'P1'))!.personId);
    const rid = (await s.app.store.read((tx) => tx.identity.person(p1)))!.regionalId;
    const issued = await hie(['consent', 'code', `P1^^^${HOSP_A}`, '--data-dir', s.dataDir, '--format', 'json']);
    expect(issued.code, issued.stderr).to.equal(0);
    const { code, regionalId } = JSON.parse(issued.stdout) as { code: string; regionalId: string };
    expect(regionalId).to.equal(rid);
    const c = new ConsoleClient(base);
    const activate = async (id: string, cd: string, pw = 'patient password 1') => {
      await c.get('/console/me/activate');
      return c.post('/console/me/activate', { id, code: cd, password: pw, password2: pw });
    };
    const evil = await activate('"><script>alert(1)</script>', 'x');
    expect(evil.status).to.equal(401);
    expect(evil.body).not.to.include('<script>alert(1)');
    expect(evil.body).to.include('&quot;&gt;&lt;script&gt;');
    expect((await activate(rid, code, 'short')).status).to.equal(400);
    expect((await activate(rid, 'AAAA-AAAA-AAAA')).status).to.equal(401);
    const ok = await activate(rid, code);
    expect(ok.status).to.equal(303);
    expect(ok.res.headers.get('location')).to.equal('/console/me');
    const me = await c.get('/console/me');
    expect(me.status).to.equal(200);
    expect(me.body).to.include('山田 太郎');
    // Operators' pages are not a patient's.
    expect((await c.get('/console/patients')).status).to.equal(303);
    // Sharing: withhold a facility; a forged token changes nothing.
    await c.get('/console/me/sharing');
    expect((await c.post('/console/me/sharing/withhold', { kind: 'facilities', value: 'HOSP_B' }, { csrf: 'forged' })).status).to.equal(403);
    const w = await c.post('/console/me/sharing/withhold', { kind: 'facilities', value: 'HOSP_B' });
    expect(w.status).to.equal(200);
    expect(w.body).to.include('変更しました').and.include('ひまわりクリニック');
    const history = (await hie(['consent', 'history', `P1^^^${HOSP_A}`, '--data-dir', s.dataDir])).stdout;
    // Recorded as the patient's own change (source portal), in the CLI's history and on the page's.
    expect(history).to.match(new RegExp(`withhold by patient ${rid} \\(portal\\)\\n`));
    expect(history).not.to.include('(admin)');
    expect(w.body).to.include('<td data-source="portal">患者本人(患者ページ)</td>');
    const json = JSON.parse((await hie(['consent', 'history', `P1^^^${HOSP_A}`, '--data-dir', s.dataDir, '--format', 'json'])).stdout) as { history: { who: string; source: { kind: string } }[] };
    expect(json.history.at(-1)).to.deep.include({ who: `patient ${rid}`, source: { kind: 'portal' } });
    // The code a second time: refused, and with wrong ones the sign-in locks (maxFailures 3).
    const other = new ConsoleClient(base);
    const again = async (cd: string) => {
      await other.get('/console/me/activate');
      return other.post('/console/me/activate', { id: rid, code: cd, password: 'another password 2', password2: 'another password 2' });
    };
    expect((await again(code)).body).to.include('このコードは使えません');
    expect((await again(code)).status).to.equal(401);
    expect((await again(code)).status).to.equal(429); // the third failure in a row since the last sign-in
    await other.get('/console/me/login');
    expect((await other.post('/console/me/login', { id: rid, password: 'patient password 1' })).status).to.equal(429);
  });

  it('hie console-user add writes an account that can sign in at once', async () => {
    const r = await hie(['console-user', 'add', 'kato', '--role', 'admin', '--display-name', '加藤', '--data-dir', s.dataDir], 'kato password 123\n');
    expect(r.code, r.stderr).to.equal(0);
    const file = JSON.parse(fs.readFileSync(path.join(s.dataDir, 'console-users.json'), 'utf8'));
    expect(file[0].passwordHash).to.match(/^scrypt\$/);
    expect(JSON.stringify(file)).not.to.include('kato password');
    const c = new ConsoleClient(base);
    expect((await c.signIn('kato', 'kato password 123')).status).to.equal(303);
    expect((await hie(['console-user', 'add', 'x', '--role', 'admin', '--data-dir', s.dataDir], 'short\n')).code).to.not.equal(0);
  });
});
