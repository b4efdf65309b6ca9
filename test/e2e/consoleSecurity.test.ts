/**
 * The web console's security and privacy: what operators and patients see is the consent service's
 * decision; a missing blob is an error page, not a crash; consent edits neither lose a concurrent
 * change nor opt a revoked patient back in; the individual number typed into a field is never shown
 * again or audited; link proposals are read through the scoped reader, audited and paged; a lockout
 * leaves open sessions alone; the patient's sharing page and `hie consent code` are audited.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { hashPassword } from '../../src/console/auth/passwords.ts';
import { PatientAccounts } from '../../src/console/me/accounts.ts';
import type { Requester } from '../../src/consent/administration.ts';
import { resolveFacility, ssmix2Ingest } from '../../src/ingest/assemble.ts';
import { createLogger } from '../../src/kernel/logger.ts';
import { internalContext } from '../../src/kernel/requestContext.ts';
import { consentAdministration } from '../../src/server/app.ts';
import { ConsoleClient } from '../helpers/consoleClient.ts';
import { hie } from '../helpers/hieCommand.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { individualNumber } from '../helpers/individualNumbers.ts';
import { writeVersionsTree } from '../helpers/ssmix2.ts';

const PASSWORD = 'correct horse battery';
const HOSP_A = { namespace: 'HOSP_A', oid: '1.2.392.999.1', displayName: '登呂中央病院' };
const HOSP_B = { namespace: 'HOSP_B', oid: '1.2.392.999.2', displayName: 'ひまわりクリニック' };
const DESK: Requester = { ctx: internalContext('desk'), source: 'desk', operator: 'desk' };

describe('web console: security and privacy (consent, blobs, consent edits, the individual number, links, lockout, audit)', function () {
  this.timeout(120_000);
  let s: TestServer;
  let base: string;
  let rid: string;
  /** The patient's documents (one class, approved and deprecated): the first is the one withheld. */
  let docs: { uuid: string; uniqueId: string; classCode: string; blob: string }[];
  const logs: string[] = [];
  const admin = () => consentAdministration(s.config, { store: s.app.store, identity: s.app.identity, audit: s.app.audit, consent: s.app.consent });
  const audits = () => s.app.store.read((tx) => tx.audit.auditEvents({ limit: 100000 })).then((l) => l.filter((e) => e.transport === 'self').map((e) => e.xml));
  const signedIn = async (name: string) => {
    const c = new ConsoleClient(base);
    expect((await c.signIn(name, PASSWORD)).status).to.equal(303);
    return c;
  };
  const docLinks = (body: string) => [...body.matchAll(/href="\/console\/(?:patients\/[^/"]+|me)\/documents\/([^"]+)"/g)].map((m) => decodeURIComponent(m[1]!));

  before(async () => {
    const hash = await hashPassword(PASSWORD);
    s = await startTestServer(
      {
        identity: { domains: [HOSP_A, HOSP_B] },
        console: {
          maxFailures: 3,
          users: [
            { name: 'op', role: 'operator', passwordHash: hash },
            { name: 'vw', role: 'viewer', passwordHash: hash },
            { name: 'adm', role: 'admin', passwordHash: hash },
          ],
        },
      } as never,
      tempDir(),
      createLogger('warn', (line) => logs.push(line)),
    );
    base = `http://127.0.0.1:${s.app.ports.http}`;
    const root = tempDir('hie-console-sec-ssmix-');
    writeVersionsTree(root);
    const deps = { store: s.app.store, identity: s.app.identity, audit: s.app.audit, xds: s.app.xds };
    const ingested = await ssmix2Ingest(s.config, deps, root).run({ root, facility: await resolveFacility(s.config, deps, 'HOSP_A'), concurrency: 1 });
    expect(ingested.counts.documents).to.be.greaterThan(1);
    const record = (await s.app.store.read((tx) => tx.identity.record(HOSP_A.oid, '1234567')))!;
    rid = (await s.app.store.read((tx) => tx.identity.person(record.personId)))!.regionalId;
    docs = await s.app.store.read(async (tx) => {
      const entries = await tx.registry.findEntries({ kind: 'DocumentEntry', personIds: [record.personId], statuses: ['urn:oasis:names:tc:ebxml-regrep:StatusType:Approved', 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated'] }, 100);
      const out = [];
      for (const e of entries) {
        const classCode = e.object.classifications.find((c) => c.classificationScheme === 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a')!;
        const scheme = classCode.slots.find((x) => x.name === 'codingScheme')!.values[0]!;
        const [stored] = await tx.repository.documents(s.app.xds.repository.cfg.repositoryUniqueId, [e.uniqueId!]);
        out.push({ uuid: e.uuid, uniqueId: e.uniqueId!, classCode: `${classCode.nodeRepresentation}^^${scheme}`, blob: s.app.xds.repository.blobs.pathOf(stored!.blob) });
      }
      return out;
    });
    expect(docs.length).to.be.greaterThan(1);
  });
  after(async () => {
    await s?.stop();
  });

  it('shows an operator only what the patient\'s consent shares with the network, a viewer not even a patient never enrolled, and a patient their own records whole', async () => {
    const op = await signedIn('op');
    const vw = await signedIn('vw');
    // Not enrolled (the region is opt-in): the operator finds the patient (to record consent) but sees no document.
    const none = await op.get(`/console/patients/${encodeURIComponent(rid)}/documents`);
    expect(none.status).to.equal(200);
    expect(docLinks(none.body)).to.deep.equal([]);
    expect((await op.get(`/console/patients/${encodeURIComponent(rid)}/documents/${encodeURIComponent(docs[0]!.uuid)}`)).status).to.equal(404);
    expect((await vw.get(`/console/patients/${encodeURIComponent(rid)}`)).status).to.equal(404);
    expect((await vw.get('/console/patients?id=1234567')).body).not.to.include(rid);
    // Enrolled at the desk: the documents are there, for the viewer too.
    await op.get(`/console/patients/${encodeURIComponent(rid)}/consent`);
    expect((await op.post(`/console/patients/${encodeURIComponent(rid)}/consent/participation`, { participation: 'opted-in' })).status).to.equal(200);
    const all = docLinks((await op.get(`/console/patients/${encodeURIComponent(rid)}/documents`)).body);
    expect(all.sort()).to.deep.equal(docs.map((d) => d.uuid).sort());
    expect((await vw.get(`/console/patients/${encodeURIComponent(rid)}`)).status).to.equal(200);
    // A document withheld: gone from the operator's list, and an audited access of what is left.
    await op.get(`/console/patients/${encodeURIComponent(rid)}/consent`);
    expect((await op.post(`/console/patients/${encodeURIComponent(rid)}/consent/withhold`, { kind: 'documents', value: docs[0]!.uniqueId })).status).to.equal(200);
    const left = docLinks((await op.get(`/console/patients/${encodeURIComponent(rid)}/documents`)).body);
    expect(left.sort()).to.deep.equal(docs.slice(1).map((d) => d.uuid).sort());
    expect((await op.get(`/console/patients/${encodeURIComponent(rid)}/documents/${encodeURIComponent(docs[0]!.uuid)}`)).status).to.equal(404);
    expect((await audits()).some((x) => x.includes('CONSOLE-documents-list') && x.includes('op&lt;op@hie-console&gt;'))).to.equal(true);
    // The patient: every one of their documents, the withheld one too.
    const { code } = await PatientAccounts.of(s.config.dataDir, s.config.console.patientAccountsFile).issueCode(rid, 60_000);
    const me = new ConsoleClient(base);
    await me.get('/console/me/activate');
    expect((await me.post('/console/me/activate', { id: rid, code, password: 'patient password 1', password2: 'patient password 1' })).status).to.equal(303);
    expect(docLinks((await me.get('/console/me')).body).sort()).to.deep.equal(docs.map((d) => d.uuid).sort());
    expect((await me.get(`/console/me/documents/${encodeURIComponent(docs[0]!.uuid)}`)).status).to.equal(200);
  });

  it('loses no change when two releases are made at once (one write reads and replaces the consent)', async () => {
    const op = await signedIn('op');
    const url = `/console/patients/${encodeURIComponent(rid)}/consent`;
    for (let round = 0; round < 3; round++) {
      await admin().withhold(rid, { facilities: ['HOSP_A', 'HOSP_B'] }, DESK);
      await op.get(url);
      const [a, b] = await Promise.all([op.post(`${url}/release`, { kind: 'facilities', value: HOSP_A.oid }), op.post(`${url}/release`, { kind: 'facilities', value: HOSP_B.oid })]);
      expect([a.status, b.status]).to.deep.equal([200, 200]);
      expect((await admin().show(rid)).consent!.withheld.facilities, `round ${round}`).to.deep.equal([]);
    }
  });

  it('refuses to share an item again on a revoked consent (no silent opt-in) and offers no such button', async () => {
    const op = await signedIn('op');
    const url = `/console/patients/${encodeURIComponent(rid)}/consent`;
    await admin().revoke(rid, DESK);
    const page = await op.get(url);
    expect(page.body).to.include(docs[0]!.uniqueId);
    expect(page.body).not.to.include('/consent/release');
    const r = await op.post(`${url}/release`, { kind: 'documents', value: docs[0]!.uniqueId });
    expect(r.status).to.equal(400);
    expect(r.body).to.include('revoked').and.include('opt in first');
    const after = (await admin().show(rid)).consent!;
    expect(after.revokedAt).to.be.a('string');
    expect(after.withheld.documents).to.deep.equal([docs[0]!.uniqueId]);
    // Opting in is the explicit way back.
    await op.get(url);
    expect((await op.post(`${url}/participation`, { participation: 'opted-in' })).status).to.equal(200);
    expect((await admin().show(rid)).shared).to.equal(true);
  });

  it('shows the patient release buttons only for what their page can release, and audits their sharing page', async () => {
    await admin().withhold(rid, { typeCodes: ['TYPE-X^^S'], classCodes: ['CLASS-Y^^S'] }, DESK);
    const me = new ConsoleClient(base);
    await me.get('/console/me/login');
    expect((await me.post('/console/me/login', { id: rid, password: 'patient password 1' })).status).to.equal(303);
    const page = (await me.get('/console/me/sharing')).body;
    expect(page).to.include('TYPE-X').and.include('CLASS-Y').and.include(docs[0]!.uniqueId);
    const kinds = [...page.matchAll(/action="\/console\/me\/sharing\/release"[^]*?name="kind" value="([^"]+)"/g)].map((m) => m[1]);
    expect(kinds).to.include('classCodes');
    expect(kinds).not.to.include('typeCodes');
    expect(kinds).not.to.include('documents');
    const viewed = (await audits()).filter((x) => x.includes('CONSOLE-patient-own-sharing'));
    expect(viewed.length).to.be.greaterThan(0);
    expect(viewed.at(-1)).to.include(`${rid}^^^`).and.include(`${rid}&lt;${rid}@hie-console&gt;`);
  });

  it('never shows again, audits or keeps an individual number typed into a sign-in or audit search field', async () => {
    const number = individualNumber('12345678901');
    const c = new ConsoleClient(base);
    const login = await c.signIn(number, 'whatever');
    expect(login.status).to.equal(401);
    expect(login.body).not.to.include(number);
    for (const form of ['/console/me/login', '/console/me/activate']) {
      await c.get(form);
      const r = await c.post(form, { id: number, password: 'whatever 12345', password2: 'whatever 12345', code: 'AAAA' });
      expect(r.status, form).to.equal(401);
      expect(r.body, form).not.to.include(number);
    }
    const adm = await signedIn('adm');
    for (const field of ['patient', 'agent']) {
      const r = await adm.get(`/console/audit?${field}=${number}`);
      expect(r.status, field).to.equal(400);
      expect(r.body, field).not.to.include(number);
      expect(r.body).to.include('個人番号');
    }
    expect((await audits()).filter((x) => x.includes(number))).to.deep.equal([]);
    expect(logs.filter((l) => l.includes(number))).to.deep.equal([]);
  });

  it('lists link proposals through the scoped reader, a page of at most 50 at a time, audited; a rejection is audited as a full CX', async () => {
    // 55 proposals of one new record against 55 candidate persons.
    const rec = (await s.app.store.read((tx) => tx.identity.record(HOSP_A.oid, '1234567')))!;
    await s.app.store.write(async (tx) => {
      for (let i = 0; i < 55; i++) {
        const p = await tx.identity.createPerson(null, { prefix: 'C' });
        await tx.identity.addProposal({ recordId: rec.id, candidatePersonId: p.id, score: 0.8, reasons: ['birthDate'] });
      }
    });
    const op = await signedIn('op');
    const first = await op.get('/console/links?all=1');
    expect(first.status).to.equal(200);
    expect(first.body.match(/<tr id="proposal-/g)).to.have.length(50);
    const next = /href="(\/console\/links\?all=1&amp;after=\d+)">»/.exec(first.body)![1]!.replace('&amp;', '&');
    const second = await op.get(next);
    expect(second.body.match(/<tr id="proposal-/g)).to.have.length(5);
    expect(second.body).not.to.match(/after=\d+">»/);
    const listed = (await audits()).filter((x) => x.includes('CONSOLE-link-proposals'));
    expect(listed).to.have.length(2);
    expect(listed[0]).to.include('op&lt;op@hie-console&gt;').and.include(`${rid}^^^`);
    const [p] = await s.app.store.read((tx) => tx.identity.proposals('pending', { limit: 1 }));
    await op.get('/console/links');
    expect((await op.post(`/console/links/${p!.id}/reject`, { reason: 'x' })).status).to.equal(200);
    const rejected = (await audits()).filter((x) => x.includes('CONSOLE-link-reject'));
    expect(rejected).to.have.length(1);
    expect(rejected[0]).to.include(`1234567^^^HOSP_A&amp;${HOSP_A.oid}&amp;ISO`);
  });

  it('a lockout refuses new sign-ins but leaves the account\'s open sessions alone', async () => {
    const open = await signedIn('vw');
    const attacker = new ConsoleClient(base);
    for (let i = 0; i < 3; i++) await attacker.signIn('vw', 'wrong password');
    expect((await attacker.signIn('vw', PASSWORD)).status).to.equal(429);
    expect((await open.get('/console/patients')).status).to.equal(200);
  });

  it('audits the one-time code `hie consent code` issues, naming the patient and the operator', async () => {
    const r = await hie(['consent', 'code', rid, '--data-dir', s.dataDir, '--format', 'json']);
    expect(r.code, r.stderr).to.equal(0);
    const issued = (await audits()).filter((x) => x.includes('110137'));
    expect(issued).to.have.length(1);
    expect(issued[0]).to.include(`${rid}^^^`).and.include('110151').and.include('EventOutcomeIndicator="0"');
    expect(issued[0]).not.to.include(JSON.parse(r.stdout).code);
  });

  it('answers a missing document blob with a not-found page, logs it, and keeps serving', async () => {
    const op = await signedIn('op');
    const shown = docs[1]!;
    fs.rmSync(shown.blob);
    const at = `/console/patients/${encodeURIComponent(rid)}/documents/${encodeURIComponent(shown.uuid)}`;
    for (const url of [`${at}/raw`, at]) {
      const r = await op.get(url);
      expect(r.status, url).to.equal(404);
      if (url === at) expect(r.body).to.include('見つかりません');
    }
    expect(logs.filter((l) => l.includes('console.blob-missing') && l.includes(shown.uniqueId))).to.have.length(2);
    const me = new ConsoleClient(base);
    await me.get('/console/me/login');
    await me.post('/console/me/login', { id: rid, password: 'patient password 1' });
    expect((await me.get(`/console/me/documents/${encodeURIComponent(shown.uuid)}/raw`)).status).to.equal(404);
    expect((await me.get('/console/me')).status).to.equal(200); // the record leaves the missing file out
    expect((await op.get('/console/patients')).status).to.equal(200);
  });
});
