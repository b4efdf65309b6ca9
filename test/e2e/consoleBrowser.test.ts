/**
 * The web console in a real browser: Debian's chromium driven by playwright-core, over the demo's
 * SS-MIX2 samples. Every page visited is screenshotted (test-artifacts/console/) and checked by
 * axe-core: no serious or critical violations.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { expect } from 'chai';
import Encoding from 'encoding-japanese';
import { chromium, type Browser, type Page } from 'playwright-core';
import { hashPassword } from '../../src/console/auth/passwords.ts';
import { loadDemo } from '../../src/ingest/demo.ts';
import { withDemoFacilities } from '../../src/server/config/demo.ts';
import type { Config } from '../../src/kernel/config.ts';
import { field, startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { adt, pixQuery } from '../helpers/messages.ts';
import { hie } from '../helpers/hieCommand.ts';
import { XdsClient } from '../helpers/xds.ts';
import { findDocuments } from '../helpers/xdsQuery.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/console');
const PASSWORD = 'browser test password';
/** Script for every text field (at most 64 characters, the fields' maxlength). */
const XSS = `"><img src=x onerror="window.__xss=1"><script>__xss=1</script>`;

describe('web console in a real browser (chromium, playwright-core, axe-core)', function () {
  this.timeout(180_000);
  const dataDir = tempDir('hie-console-browser-');
  let config: Config;
  let s: TestServer | undefined;
  let browser: Browser;
  let page: Page;
  let base: string;
  let patient: { regionalId: string; kana: string; facilities: string[] };
  /** Another patient, never enrolled: only break-glass shows them to a facility. */
  let other: { regionalId: string; localId: string; domain: { namespace: string; oid: string } };

  const start = async (local?: Record<string, unknown>, access: Record<string, unknown> = {}) => {
    s = await startTestServer({ ...config, ...(local ? { access: { local, ...access } } : {}) } as never, dataDir);
    base = `http://127.0.0.1:${s.app.ports.http}`;
    return s;
  };
  const stop = async () => {
    await s?.stop();
    s = undefined;
  };

  /** A screenshot kept as an artifact, and axe-core: no serious or critical violation. */
  const check = async (name: string) => {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
    const r = await new AxeBuilder({ page }).analyze();
    const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), name).to.deep.equal([]);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), `${name}: no injected script ran`).to.equal(undefined);
  };

  before(async function () {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const first = await startTestServer({}, dataDir);
    const demo = withDemoFacilities(first.config);
    await first.stop();
    config = { ...demo, console: { ...demo.console, maxFailures: 3, users: [{ name: 'sato', displayName: '佐藤 運用', role: 'admin', passwordHash: await hashPassword(PASSWORD) }] } };
    await start();
    const loaded = await loadDemo(s!.config, { store: s!.app.store, identity: s!.app.identity, audit: s!.app.audit, xds: s!.app.xds });
    for (const l of loaded) expect(l.report.rejected).to.deep.equal([]);
    // A patient with records at two facilities or more, whose documents come from more than one.
    patient = await s!.app.store.read(async (tx) => {
      const domains = new Map((config.identity.domains ?? []).map((d) => [d.oid, d.namespace]));
      for (let id = 1; id < 200; id++) {
        const recs = await tx.identity.recordsOfPerson(id);
        if (recs.length < 2) continue;
        const person = (await tx.identity.person(id))!;
        const kana = recs[0]!.demographics.fields[5]?.[1]?.[0]?.[0] ?? '';
        return { regionalId: person.regionalId, kana, facilities: recs.map((r) => domains.get(r.domainKey) ?? r.domainKey) };
      }
      throw new Error('no patient at two facilities in the demo');
    });
    other = await s!.app.store.read(async (tx) => {
      for (let id = 1; id < 200; id++) {
        const person = await tx.identity.person(id);
        if (!person || person.regionalId === patient.regionalId || person.mergedInto !== null) continue;
        const rec = (await tx.identity.recordsOfPerson(id))[0];
        const domain = rec ? config.identity.domains.find((d) => d.oid === rec.domainKey) : undefined;
        if (rec && domain) return { regionalId: person.regionalId, localId: rec.localId, domain };
      }
      throw new Error('no second patient in the demo');
    });
    // Two records that demographic matching proposes to link (kana in full and half width).
    const name = (family: string, given: string) => `連携^花子^^^^^L^I~${family}^${given}^^^^^L^P`;
    await s!.send(adt({ ids: ['LINK-1^^^HOSP01&' + config.identity.domains[0]!.oid + '&ISO'], name: name('レンケイ', 'ハナコ'), birthDate: '19610203', sex: 'F', phone: '^PRN^PH^^^^^^^^^054-111-2222', sendingFacility: 'HOSP01' }));
    await s!.send(adt({ ids: ['LINK-2^^^HOSP02&' + config.identity.domains[1]!.oid + '&ISO'], name: name('ﾚﾝｹｲ', 'ﾊﾅｺ'), birthDate: '19610203', sex: 'F', phone: '^PRN^PH^^^^^^^^^0541112222', sendingFacility: 'HOSP02' }));
    expect(await s!.app.store.read((tx) => tx.identity.proposals('pending'))).to.have.length(1);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } }); // a phone
    page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
  });
  after(async () => {
    await browser?.close();
    await stop();
  });

  const signIn = async (name: string, password: string) => {
    await page.goto(`${base}/console/login`);
    await page.fill('#name', name);
    await page.fill('#password', password);
    await page.click('button[type=submit]');
  };

  it('signs in (wrong passwords lock the account, script in the user name is shown as text)', async () => {
    await signIn(XSS, 'wrong');
    expect(await page.textContent('[role=alert]')).to.include('パスワードが違います');
    expect(await page.inputValue('#name')).to.equal(XSS);
    await check('login-failed');
    await signIn('sato', PASSWORD);
    expect(page.url()).to.equal(`${base}/console/patients`);
    expect(await page.textContent('header')).to.include('佐藤 運用');
    await check('patients');
  });

  it('finds a patient by kana in half width, and shows their identifiers across facilities', async () => {
    const half = Encoding.toHankanaCase(patient.kana);
    expect(half).not.to.equal(patient.kana);
    await page.fill('#family', half);
    await page.click('form[role=search] button[type=submit]');
    await check('patient-search');
    await page.click(`a[href="/console/patients/${encodeURIComponent(patient.regionalId)}"]`);
    const text = await page.textContent('main');
    for (const f of patient.facilities) expect(text).to.include(config.identity.domains.find((d) => d.namespace === f)?.displayName ?? f);
    await check('patient');
    await page.goto(`${base}/console/patients?family=${encodeURIComponent(XSS)}&given=${encodeURIComponent(XSS)}&id=${encodeURIComponent(XSS)}`);
    expect(await page.inputValue('#family')).to.equal(XSS);
    await check('patient-search-script');
  });

  it('accepts a link proposal with a reason', async () => {
    await page.goto(`${base}/console/links`);
    await check('links');
    const row = page.locator('tr[id^=proposal-]').first();
    await row.locator('input[name=reason]').first().fill(`保険証で確認 ${XSS}`);
    await row.locator('button', { hasText: '同一人物としてリンク' }).click();
    expect(await page.textContent('[role=status]')).to.include('リンクしました');
    await check('links-accepted');
    expect(await s!.app.store.read((tx) => tx.identity.proposals('pending'))).to.have.length(0);
  });

  it('merges a patient ID into another and undoes the merge, each with its reason recorded', async () => {
    const hosp = config.identity.domains[0]!;
    const name = '取消^太郎^^^^^L^I~トリケシ^タロウ^^^^^L^P';
    await s!.send(adt({ ids: [`UNM-1^^^${hosp.namespace}&${hosp.oid}&ISO`], name, birthDate: '19700301', sex: 'M', sendingFacility: hosp.namespace }));
    await s!.send(adt({ ids: [`UNM-2^^^${hosp.namespace}&${hosp.oid}&ISO`], name, birthDate: '19700302', sex: 'M', sendingFacility: hosp.namespace }));
    const record = (id: string) => s!.app.store.read(async (tx) => (await tx.identity.record(hosp.oid, id))!);
    const before = await record('UNM-2');
    const rid = (await s!.app.store.read(async (tx) => tx.identity.person((await record('UNM-1')).personId)))!.regionalId;
    await page.goto(`${base}/console/patients/${encodeURIComponent(rid)}`);
    await page.fill('#m-prior', 'UNM-2');
    await page.fill('#m-reason', `生年月日の誤入力 ${XSS}`);
    await page.click('form[action$="/merge"] button[type=submit]');
    expect(await page.textContent('[role=status]')).to.include('統合しました');
    expect((await record('UNM-2')).mergedInto).to.equal((await record('UNM-1')).id);
    await page.goto(`${base}/console/patients/${encodeURIComponent(rid)}`);
    await check('patient-unmerge-form');
    await page.selectOption('#u-domain', hosp.namespace);
    await page.fill('#u-prior', 'UNM-2');
    await page.fill('#u-reason', `別人と判明 ${XSS}`);
    await page.click('form[action$="/unmerge"] button[type=submit]');
    expect(await page.textContent('[role=status]')).to.include('統合を取り消しました');
    await check('patient-unmerged');
    const after = await record('UNM-2');
    expect(after.mergedInto).to.equal(null);
    expect(after.personId, 'back on its own patient').to.equal(before.personId);
    const events = await s!.app.store.read((tx) => tx.audit.auditEvents({ eventTypeCode: 'CONSOLE-unmerge' }));
    expect(events).to.have.length(1);
    expect(events[0]!.xml).to.include('別人と判明');
    // The patient it was separated into opens on its own again.
    const priorRid = (await s!.app.store.read((tx) => tx.identity.person(after.personId)))!.regionalId;
    await page.click(`main a[href="/console/patients/${encodeURIComponent(priorRid)}"]`);
    expect(await page.textContent('main')).to.include('UNM-2');
  });

  it('opens an SS-MIX2 document (ISO-2022-JP HL7 v2) and reads its fields in Japanese', async () => {
    // Consent decides what an operator sees: the patient enrolls (opts in) at the desk first.
    await page.goto(`${base}/console/patients/${encodeURIComponent(patient.regionalId)}/consent`);
    await page.click('form[action$="/participation"] button:has-text("参加する")');
    expect(await page.textContent('[role=status]')).to.include('変更しました');
    await page.goto(`${base}/console/patients/${encodeURIComponent(patient.regionalId)}/documents`);
    await check('documents');
    const links = page.locator('main table a');
    expect(await links.count()).to.be.greaterThan(0);
    await links.first().click();
    await check('document');
    const text = (await page.textContent('main'))!;
    expect(text).to.include('MSH メッセージヘッダ').and.include('PID 患者識別');
    expect(text).to.include('患者氏名');
    expect(text).to.include(patient.kana.split(/\s/)[0]!);
    expect(text).not.to.include('\u001b');
  });

  it('withholds a class: another facility\'s ITI-18 no longer returns it', async () => {
    const consentUrl = () => `${base}/console/patients/${encodeURIComponent(patient.regionalId)}/consent`;
    await page.goto(consentUrl());
    await check('consent');
    await page.click('form[action$="/participation"] button:has-text("参加する")');
    expect(await page.textContent('[role=status]')).to.include('変更しました');
    const classCode = (await page.inputValue('#wclass')).split('^^')[0]!;
    // As the first facility (a consumer node): the class is there, from the other facilities too.
    const asFacility = async () => {
      await stop();
      await start({ name: 'hosp-node', facilities: [patient.facilities[0]], roles: ['consumer'] });
      const c = new XdsClient(s!.app.ports.http!);
      const r = await c.query(findDocuments(`${patient.regionalId}^^^&${config.identity.regional.authority.oid}&ISO`));
      const classes: string[] = [];
      const visit = (n: { local?: string; attrs?: Record<string, string>; children?: unknown[] }) => {
        if (n.local === 'Classification' && n.attrs?.classificationScheme === 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a') classes.push(n.attrs.nodeRepresentation ?? '');
        for (const ch of (n.children ?? []) as (typeof n)[]) visit(ch);
      };
      visit(r.body as never);
      await stop();
      await start();
      return classes;
    };
    const before = await asFacility();
    expect(before).to.include(classCode);
    await signIn('sato', PASSWORD);
    await page.goto(consentUrl());
    await page.selectOption('#wclass', { index: 0 });
    await page.click('form[action$="/withhold"] button:has-text("文書種別を非開示にする")');
    expect(await page.textContent('[role=status]')).to.include('変更しました');
    expect(await page.textContent('#withheld')).to.include(classCode);
    await check('consent-withheld');
    const after = await asFacility();
    expect(after.length).to.be.lessThan(before.length);
    // What is left of the class is the facility's own (consent withholds from every facility but the maker).
    expect(after.filter((c) => c === classCode).length).to.be.lessThan(before.filter((c) => c === classCode).length);
  });

  it('a patient signs in with the desk\'s one-time code (which works once), reads their records, and sees an emergency access', async () => {
    await stop();
    // An emergency department's node, allowed break-glass: a PIX query with EMERGENCY in QPD-9 finds the patient who never enrolled.
    const er = config.identity.domains.find((d) => d.oid !== other.domain.oid)!;
    await start({ name: 'er-node', facilities: [er.namespace], roles: ['consumer'], breakGlass: ['EMERGENCY'] }, { hl7v2PurposeOfUse: 'QPD-9' });
    const query = pixQuery({ key: `${other.localId}^^^${other.domain.namespace}&${other.domain.oid}&ISO` }).replace(/^(QPD\|[^\r]*)/m, (q) => `${q}|||||EMERGENCY`);
    expect(field(await s!.send(query), 'MSA', 1)).to.equal('AA');
    await stop();
    await start();
    const issued = await hie(['consent', 'code', other.regionalId, '--data-dir', dataDir, '--format', 'json']);
    expect(issued.code, issued.stderr).to.equal(0);
    const { code } = JSON.parse(issued.stdout) as { code: string };
    await page.goto(`${base}/console/me/login`);
    await check('me-login');
    await page.click('a[href="/console/me/activate"]');
    const activate = async (id: string, c: string, pw: string) => {
      await page.fill('#rid', id);
      await page.fill('#code', c);
      await page.fill('#pw1', pw);
      await page.fill('#pw2', pw);
      await page.click('main button[type=submit]');
    };
    await activate(other.regionalId, code, 'my own password 1');
    expect(page.url()).to.equal(`${base}/console/me`);
    const records = (await page.textContent('main'))!;
    expect(records).to.include('検査結果').and.include('処方').and.include('受診歴');
    // The records page says an emergency access is unread; the notifications page shows it unread once, then read.
    expect(await page.textContent('main .banner')).to.include('未読 1');
    await check('me-records');
    await page.click('main .banner a[href="/console/me/notifications"]');
    expect(await page.textContent('#notifications')).to.include('緊急アクセス').and.include('EMERGENCY').and.include('er-node');
    expect(await page.locator('#notifications tr.unread').count()).to.equal(1);
    await check('me-notifications');
    await page.reload();
    expect(await page.locator('#notifications tr.emergency').count()).to.equal(1);
    expect(await page.locator('#notifications tr.unread').count(), 'read once opened').to.equal(0);
    await page.goto(`${base}/console/me`);
    expect(await page.locator('main .banner').count()).to.equal(0);
    await page.click('a[href="/console/me/access"]');
    expect(await page.locator('#access tr.emergency').count()).to.be.greaterThan(0);
    await check('me-access');
    await page.click('a[href="/console/me/sharing"]');
    await check('me-sharing');
    // The patient's session does not open the operators' pages.
    await page.goto(`${base}/console/patients`);
    expect(page.url()).to.match(/\/console\/login/);
    // The same code a second time is refused.
    await page.goto(`${base}/console/me/activate`);
    await activate(other.regionalId, code, 'someone else pw 2');
    expect(await page.textContent('[role=alert]')).to.include('このコードは使えません');
    await check('me-code-used');
    await page.goto(`${base}/console/me/login`);
    await page.fill('#rid', other.regionalId);
    await page.fill('#password', 'my own password 1');
    await page.click('main button[type=submit]');
    expect(page.url()).to.equal(`${base}/console/me`);
    await page.click('header button[type=submit]');
  });

  it('refuses a forged CSRF token and an expired or ended session', async () => {
    await signIn('sato', PASSWORD);
    await page.goto(`${base}/console/links`);
    const status = await page.evaluate(async () => {
      const r = await fetch('/console/links/1/reject', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '_csrf=forged&reason=x' });
      return r.status;
    });
    expect(status).to.equal(403);
    await page.goto(`${base}/console/audit?from=2020-01-01&agent=sato`);
    expect(await page.textContent('main')).to.include('CONSOLE-');
    await check('audit');
    await page.goto(`${base}/console/audit/patients/${encodeURIComponent(patient.regionalId)}/access-report`);
    await check('access-report');
    await page.goto(`${base}/console/operations`);
    expect(await page.textContent('#ingest-runs')).to.include('HOSP01').and.include('HOSP03'); // the demo load's runs
    await check('operations');
    await page.goto(`${base}/console/patients?lang=en`);
    expect(await page.getAttribute('html', 'lang')).to.equal('en');
    await check('patients-en');
    await page.click('header button[type=submit]'); // sign out
    await page.goto(`${base}/console/patients`);
    expect(page.url()).to.match(/\/console\/login/);
    await check('signed-out');
  });
});
