/**
 * The access report as a patient reads it: times in the configured zone, facilities and nodes by the
 * names the config gives them, and never a URL, a file path or an anonymous address as a user (an
 * ITI-18 with WS-Addressing's anonymous ReplyTo, an SS-MIX2 tree taken in from a folder, audit
 * messages that name a URL or a path); a page that fits a phone and brings its own Japanese font,
 * served by the server with the right Content-Type.
 */
import { expect } from 'chai';
import { resolveFacility, ssmix2Ingest } from '../../src/ingest/assemble.ts';
import { receivedAuditXml } from '../helpers/auditMessages.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { adt } from '../helpers/messages.ts';
import { writeVersionsTree } from '../helpers/ssmix2.ts';
import { octetCounted, sendSyslogStream, syslogMessage } from '../helpers/syslog.ts';
import { ACTIONS, XdsClient } from '../helpers/xds.ts';
import { findDocuments } from '../helpers/xdsQuery.ts';

const HOSP_A = { namespace: 'HOSP_A', oid: '1.2.392.999.1', displayName: '登呂中央病院' };
const HOSP_B = { namespace: 'HOSP_B', oid: '1.2.392.999.2', displayName: '駿河総合病院' };

/** The code points a unicode-range (CSS Fonts 4) covers. */
function covers(range: string, cp: number): boolean {
  return range.split(',').some((r) => {
    const [lo, hi] = r.trim().replace(/^U\+/i, '').split('-');
    return cp >= parseInt(lo, 16) && cp <= parseInt(hi ?? lo, 16);
  });
}

describe('ATNA patient access report: what a patient reads (e2e)', function () {
  this.timeout(60_000);
  let s: TestServer;
  let base = '';
  let html = '';
  let report: { timeZone: string; entries: { time: string; users: string[]; who: string; facility: string; facilityName: string; transaction?: { code: string } }[] };

  before(async () => {
    s = await startTestServer({
      identity: { domains: [HOSP_A, HOSP_B] },
      nodes: [{ name: 'clinic-x', subject: 'CN=clinic-x', facility: 'HOSP_B', roles: ['consumer'], displayName: 'ひまわりクリニック' }],
      atna: { reportTimeZone: 'Asia/Tokyo' },
      syslog: { tcp: { port: 0 } },
    } as never);
    base = `http://127.0.0.1:${s.app.ports.http}`;
    // A storage tree taken in from a folder (its audit names the folder as a file: URL)...
    const root = tempDir('hie-report-ssmix-');
    writeVersionsTree(root);
    const deps = { store: s.app.store, identity: s.app.identity, audit: s.app.audit, xds: s.app.xds };
    const facility = await resolveFacility(s.config, deps, 'HOSP_A');
    const ingested = await ssmix2Ingest(s.config, deps, root).run({ root, facility, concurrency: 1 });
    expect(ingested.counts.documents).to.equal(3);
    // ... a feed from hospital B's EHR, an ITI-18 by this server's operator (ReplyTo anonymous) ...
    await s.send(adt({ ids: [`1234567^^^HOSP_B&${HOSP_B.oid}&ISO`, `1234567^^^HOSP_A&${HOSP_A.oid}&ISO`], sendingFacility: 'HOSP_B' }));
    const person = (await s.app.store.read((tx) => tx.identity.record(HOSP_A.oid, '1234567')))!;
    const regional = (await s.app.store.read((tx) => tx.identity.person(person.personId)))!.regionalId;
    const c = new XdsClient(s.app.ports.http!);
    await c.soap(c.registryPath, ACTIONS.iti18, findDocuments(`${regional}^^^&${s.config.identity.regional.authority.oid}&ISO`));
    // ... and audit messages others sent that name a URL, a path, an anonymous address, a node.
    const sent = (user: string, time: string, userName?: string) =>
      syslogMessage(receivedAuditXml({ patients: [`1234567^^^HOSP_A&${HOSP_A.oid}&ISO`], user, userName, time, sourceId: 'EHR_X', eventType: { code: 'ITI-18', codeSystemName: 'IHE Transactions', originalText: 'Registry Stored Query' } }));
    await sendSyslogStream(s.app.ports.syslogTcp!, [
      octetCounted(
        sent('http://10.3.3.3:8080/services/registry', '2024-03-02T15:30:00Z'),
        sent('/var/lib/ssmix2/storage/HOSP_B', '2024-03-03T01:00:00Z'),
        sent('http://www.w3.org/2005/08/addressing/anonymous', '2024-03-04T01:00:00Z'),
        sent('node:clinic-x', '2024-03-05T01:00:00Z'),
        sent('HOSP_B|EHR', '2024-03-06T01:00:00Z', 'Dr. Sato'),
      ),
    ]);
    await s.app.atna.ingest.flushed();
    const id = encodeURIComponent(`1234567^^^HOSP_A&${HOSP_A.oid}&ISO`);
    report = await (await fetch(`${base}/atna/patients/${id}/access-report`)).json();
    html = await (await fetch(`${base}/atna/patients/${id}/access-report.html`)).text();
  });
  after(async () => {
    await s?.stop();
  });

  it('never shows a URL, a file path or an anonymous address as a user', () => {
    const everyUser = report.entries.flatMap((e) => [...e.users, e.who]);
    for (const u of everyUser) expect(u).to.not.match(/:\/\/|^\/|anonymous/);
    const userCells = [...html.matchAll(/<td data-label="利用者 \/ User" class="who">(.*?)<\/td>/gs)].map((m) => m[1]);
    // The page was read after the JSON, whose reading is itself an access (Audit Log Used).
    expect(userCells.length).to.equal(report.entries.length + 1);
    for (const cell of userCells) expect(cell).to.not.match(/:\/\/|>\/|\/var\/|anonymous/);
    expect(html).to.not.match(/file:|https?:\/\/|anonymous/);
  });

  it('falls back to the facility, the node, or unknown; names facilities and nodes as the config does', () => {
    const whoAt = (time: string) => report.entries.find((e) => e.time.startsWith(time))?.who;
    const ingest = report.entries.find((e) => e.transaction?.code === 'ITI-41');
    expect(ingest, 'the ingest ITI-41').to.include({ facility: HOSP_A.oid, facilityName: '登呂中央病院', who: '登呂中央病院' });
    const query = report.entries.find((e) => e.transaction?.code === 'ITI-18' && e.time > '2025');
    expect(query?.who, "the operator's ITI-18").to.equal('HIE 運用者 / HIE operator');
    const feed = report.entries.find((e) => e.transaction?.code === 'ITI-8' && e.facility === 'HOSP_B');
    // The EHR by its facility's name; the connection it came over, this server's local identity.
    expect(feed).to.include({ facilityName: '駿河総合病院', who: '駿河総合病院・EHR, HIE 運用者 / HIE operator' });
    // Received over loopback: the sending node is this server's local identity, the only name left.
    for (const t of ['2024-03-02T15:30', '2024-03-03T01:00', '2024-03-04T01:00']) expect(whoAt(t), t).to.equal('HIE 運用者 / HIE operator');
    expect(whoAt('2024-03-05T01:00')).to.equal('ひまわりクリニック');
    expect(whoAt('2024-03-06T01:00')).to.equal('Dr. Sato (駿河総合病院・EHR)');
    expect(html).to.contain('<td data-label="施設 / Facility">駿河総合病院</td>');
    expect(html).to.match(/施設 \/ Facilities: [^<]*登呂中央病院/);
  });

  it('shows times in the configured zone (Asia/Tokyo), with the offset', () => {
    expect(report.timeZone).to.equal('Asia/Tokyo');
    expect(html).to.contain('<time datetime="2024-03-02T15:30:00.000Z">2024-03-03 00:30:00 (+09:00)</time>');
    expect(html).to.contain('日時 (Asia/Tokyo)');
  });

  it('fits a phone: a viewport, and cards of labelled lines below 720 px', () => {
    expect(html).to.contain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    const phone = html.slice(html.indexOf('@media screen and (max-width: 720px)'), html.indexOf('@page'));
    expect(phone).to.contain('table, tbody, tr, td { display: block; width: auto; }');
    expect(phone).to.contain('thead { display: none; }');
    expect(phone).to.contain('td::before { content: attr(data-label);');
    expect(html).to.match(/@media print/);
  });

  it('brings its own Japanese font: the stylesheets and the WOFF2 subsets of its characters, with the right types', async () => {
    for (const w of ['400', '700']) expect(html).to.contain(`<link rel="stylesheet" href="../../fonts/noto-sans-jp/${w}.css">`);
    expect(html).to.match(/font-family: 'Noto Sans JP'/);
    // The page's links resolve from /atna/patients/{id}/ to /atna/fonts/.
    const cssUrl = new URL('../../fonts/noto-sans-jp/400.css', `${base}/atna/patients/x/access-report.html`).href;
    const css = await fetch(cssUrl);
    expect(css.status).to.equal(200);
    expect(css.headers.get('content-type')).to.equal('text/css; charset=utf-8');
    const text = await css.text();
    expect(text).to.contain("font-family: 'Noto Sans JP'");
    expect(text).to.not.match(/\.woff\)/);
    const faces = [...text.matchAll(/src: url\(\.\/files\/([^)]+\.woff2)\) format\('woff2'\);\s*unicode-range: ([^;]+);/g)].map((m) => ({ file: m[1], range: m[2] }));
    expect(faces.length).to.be.greaterThan(50);
    // Every character of the page has a subset: アクセス記録, 登呂中央病院, 緊急.
    for (const ch of 'アクセス記録登呂中央病院緊急') {
      const face = faces.find((f) => covers(f.range, ch.codePointAt(0)!));
      expect(face, ch).to.not.equal(undefined);
      const font = await fetch(new URL(`files/${face!.file}`, cssUrl));
      expect(font.status, face!.file).to.equal(200);
      expect(font.headers.get('content-type')).to.equal('font/woff2');
      expect(Buffer.from(await font.arrayBuffer()).subarray(0, 4).toString('latin1')).to.equal('wOF2');
    }
    for (const bad of ['100.css', 'files/noto-sans-jp-0-400-normal.woff', 'files/..%2Fpackage.json', 'files/noto-sans-jp-999-400-normal.woff2']) {
      expect((await fetch(`${base}/atna/fonts/noto-sans-jp/${bad}`)).status, bad).to.equal(404);
    }
  });
});
