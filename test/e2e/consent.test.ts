/**
 * Patient consent end to end: a BPPC consent document through ITI-41 records the consent, the admin
 * API shows and changes it (admins only), disasters are declared and ended, and the desk CLI does the
 * same on the data folder. Real server, real sockets, the audit trail read back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { hie } from '../helpers/hieCommand.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/hieServer.ts';
import { ACTIONS, affinityConfig, expectFailure, expectSuccess, feedPatient, NIST_AFFINITY, pid, XdsClient } from '../helpers/xds.ts';
import { provideAndRegisterRequest, type DocSpec } from '../helpers/xdsMetadata.ts';

const POLICY = '1.2.392.999.77';
const HOSP_A = { namespace: 'HOSP_A', oid: '1.2.392.999.1' };
const HOSP_B = { namespace: 'HOSP_B', oid: '1.2.392.999.2' };
const config = {
  identity: { ...affinityConfig().identity, domains: [HOSP_A, HOSP_B] },
  consent: {
    bppcPolicies: [
      { code: 'OPT-IN', codingScheme: POLICY, participation: 'opted-in' as const, facilities: ['HOSP_A', 'HOSP_B'] },
      { code: 'NO-PSY', codingScheme: POLICY, withhold: { practiceSettingCodes: [{ code: 'PSY', codingScheme: 'S' }] } },
      { code: 'OPT-OUT', codingScheme: POLICY, participation: 'opted-out' as const },
    ],
  },
};

/** An ITI-41 of one BPPC consent document acknowledging these policies. */
function bppc(patient: string, policies: string[], doc: Partial<DocSpec> = {}): string {
  return provideAndRegisterRequest({ patientId: pid(patient), docs: [{ eventCodes: policies.map((p) => [p, POLICY] as [string, string]), ...doc }] }, 'inline').replace(
    'urn:ihe:iti:xds:2017:mimeTypeSufficient',
    'urn:ihe:iti:bppc:2007',
  );
}

async function api(s: TestServer, method: string, url: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(`http://127.0.0.1:${s.app.ports.http}/admin${url}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  expect(text, 'never a stack trace').to.not.match(/\n\s+at /);
  return { status: r.status, json: JSON.parse(text) };
}

async function auditXml(s: TestServer, eventTypeCode: string): Promise<string[]> {
  return (await s.app.store.read((tx) => tx.audit.auditEvents({ eventTypeCode }))).map((e) => e.xml);
}

describe('patient consent', function () {
  this.timeout(60_000);

  describe('BPPC and the admin API', () => {
    let s: TestServer;
    let c: XdsClient;
    before(async () => {
      s = await startTestServer(config);
      for (const p of ['P1', 'P2', 'P3']) await feedPatient(s, p);
      c = new XdsClient(s.app.ports.http!);
    });
    after(() => s.stop());

    it('records the consent of a BPPC document registered through ITI-41, and a later one supersedes it', async () => {
      const first = bppc('P1', ['OPT-IN', 'NO-PSY'], { uniqueId: '1.2.392.999.500.1', serviceStartTime: '20260101', serviceStopTime: '20360101' });
      expectSuccess(await c.mtom(c.repositoryPath, ACTIONS.iti41, first, []));
      const shown = await api(s, 'GET', '/patients/P1/consent');
      expect(shown.status).to.equal(200);
      expect(shown.json.patient.identifiers).to.deep.equal([`P1^^^AFFINITY&${NIST_AFFINITY}&ISO`]);
      expect(shown.json.consent).to.deep.include({
        participation: 'opted-in',
        facilities: [HOSP_A.oid, HOSP_B.oid],
        validFrom: '2026-01-01T00:00:00.000Z',
        validUntil: '2036-01-01T00:00:00.000Z',
        source: { kind: 'bppc', document: '1.2.392.999.500.1' },
      });
      expect(shown.json.consent.withheld.practiceSettingCodes).to.deep.equal([{ code: 'PSY', codingScheme: 'S' }]);
      expect(shown.json).to.include({ shared: true, inForce: true, participationDefault: 'opt-in' });

      expectSuccess(await c.mtom(c.repositoryPath, ACTIONS.iti41, bppc('P1', ['OPT-OUT'], { uniqueId: '1.2.392.999.500.2' }), []));
      const after = await api(s, 'GET', `/patients/${encodeURIComponent(pid('P1'))}/consent`);
      expect(after.json.consent).to.deep.include({ participation: 'opted-out', version: 2, source: { kind: 'bppc', document: '1.2.392.999.500.2' } });
      expect(after.json.shared).to.equal(false);
      const h = await api(s, 'GET', '/patients/P1/consent/history');
      // Who: the submitting node (the local identity over loopback).
      expect(h.json.history.map((x: any) => [x.action, x.source.document, x.who])).to.deep.equal([
        ['bppc', '1.2.392.999.500.1', 'local'],
        ['bppc', '1.2.392.999.500.2', 'local'],
      ]);
    });

    it('refuses a BPPC document acknowledging a policy the region does not know, and records nothing', async () => {
      const r = await c.mtom(c.repositoryPath, ACTIONS.iti41, bppc('P2', ['OPT-IN', 'SELL-MY-DATA']), []);
      expectFailure(r, 'XDSRegistryMetadataError');
      expect(r.xml).to.contain('SELL-MY-DATA');
      expect((await api(s, 'GET', '/patients/P2/consent')).json.consent).to.equal(null);
    });

    it('sets, withholds, revokes and lists the history over the API, each change audited', async () => {
      const set = await api(s, 'PUT', '/patients/P3/consent', {
        participation: 'opted-in',
        facilities: ['HOSP_A'],
        peerRegions: ['urn:oid:1.2.392.999.900'],
        withhold: { classCodes: ['IMG^^S'], documents: ['1.2.3.4'] },
        validUntil: '2030-04-01T00:00:00+09:00',
      });
      expect(set.status).to.equal(200);
      expect(set.json.consent).to.deep.include({ participation: 'opted-in', facilities: [HOSP_A.oid], validUntil: '2030-03-31T15:00:00.000Z', source: { kind: 'admin' } });
      expect(set.json.who).to.equal('local');
      const w = await api(s, 'POST', '/patients/P3/consent/withhold', { practiceSettingCodes: [{ code: 'PSY', codingScheme: 'S' }], facilities: ['1.2.392.999.2'] });
      expect(w.status).to.equal(200);
      expect(w.json.consent.withheld).to.deep.include({ classCodes: [{ code: 'IMG', codingScheme: 'S' }], facilities: [HOSP_B.oid], documents: ['1.2.3.4'] });
      const rv = await api(s, 'POST', '/patients/P3/consent/revoke');
      expect(rv.status).to.equal(200);
      expect((await api(s, 'GET', '/patients/P3/consent')).json).to.include({ shared: false, inForce: false });
      expect((await api(s, 'POST', '/patients/P3/consent/revoke')).status, 'twice').to.equal(409);
      const h = await api(s, 'GET', '/patients/P3/consent/history');
      expect(h.json.history.map((x: any) => [x.action, x.source.kind, x.who])).to.deep.equal([
        ['set', 'admin', 'local'],
        ['withhold', 'admin', 'local'],
        ['revoke', 'admin', 'local'],
      ]);
      const audits = await auditXml(s, 'CONSENT');
      const p3 = audits.filter((x) => x.includes(`P1^^^AFFINITY`) === false && x.includes('P3^^^AFFINITY'));
      expect(p3).to.have.length(3);
      expect(p3[0]).to.match(/EventActionCode="C"/).and.match(/csd-code="110110"/).and.contain('node:local');
      expect(p3[2]).to.match(/EventActionCode="U"/);
    });

    it('answers bad input with 400 and a clear JSON error, an unknown patient with 404', async () => {
      const cases: [string, string, unknown, RegExp][] = [
        ['PUT', '/patients/P3/consent', { participation: 'maybe' }, /participation must be one of/],
        ['PUT', '/patients/P3/consent', { participation: 'opted-in', facilities: ['NOWHERE'] }, /NOWHERE is not a facility/],
        ['PUT', '/patients/P3/consent', { participation: 'opted-in', color: 'red' }, /unknown field color/],
        ['PUT', '/patients/P3/consent', { participation: 'opted-in', validFrom: 'yesterday' }, /validFrom must be an ISO 8601/],
        ['PUT', '/patients/P3/consent', { participation: 'opted-in', peerRegions: ['1.2.3'] }, /not a homeCommunityId/],
        ['PUT', '/patients/P3/consent', '{"participation":', /not valid JSON/],
        ['POST', '/patients/P3/consent/withhold', {}, /at least one thing/],
        ['POST', '/patients/P3/consent/withhold', { classCodes: ['IMG'] }, /not code\^\^codingScheme/],
        ['POST', '/disasters', { description: 'quake', facilities: [] }, /name the facilities/],
        ['POST', '/disasters/abc/end', undefined, /positive integer/],
      ];
      for (const [method, url, body, message] of cases) {
        const r = await api(s, method, url, body);
        expect(r.status, `${method} ${url} ${JSON.stringify(body)}`).to.equal(400);
        expect(r.json.error).to.match(message);
      }
      const unknown = await api(s, 'GET', '/patients/NOBODY/consent');
      expect(unknown.status).to.equal(404);
      expect(unknown.json.error).to.equal('no patient is known by that token or regional ID');
      // A reference is never echoed: it may be an individual number given by mistake.
      for (const ref of ['123456789018', '123456789018^^^MYNUMBER&2.999.392.1.9&ISO', 'urn:oid:2.999.392.1.9|123456789018']) {
        const r = await api(s, 'GET', `/patients/${encodeURIComponent(ref)}/consent`);
        expect(r.status).to.equal(404);
        expect(r.json.error).to.match(/^no patient is known by (that|an identifier in the individual-number domain)/).and.not.contain('123456789018');
      }
      expect((await api(s, 'POST', '/disasters/999/end')).status).to.equal(404);
    });

    it('declares, lists and ends a disaster, audited as Emergency Override Started and Stopped', async () => {
      const d = await api(s, 'POST', '/disasters', { description: 'earthquake', facilities: ['HOSP_A', 'HOSP_B'], end: '2099-01-01T00:00:00Z' });
      expect(d.status).to.equal(201);
      expect(d.json).to.deep.include({ description: 'earthquake', facilities: [HOSP_A.oid, HOSP_B.oid], end: '2099-01-01T00:00:00.000Z', declaredBy: 'local' });
      expect((await api(s, 'GET', '/disasters')).json.map((x: any) => x.id)).to.include(d.json.id);
      const ended = await api(s, 'POST', `/disasters/${d.json.id}/end`);
      expect(ended.status).to.equal(200);
      expect(ended.json.endedAt).to.be.a('string');
      expect(await auditXml(s, '110127')).to.have.length(1);
      expect(await auditXml(s, '110138')).to.have.length(1);
    });
  });

  it('refuses the admin API to a node without the admin role: 403 and a Security Alert', async () => {
    const s = await startTestServer({ ...config, access: { local: { roles: ['consumer'] } } });
    try {
      await feedPatient(s, 'P1').catch(() => undefined);
      const r = await api(s, 'PUT', '/patients/P1/consent', { participation: 'opted-in' });
      expect(r.status).to.equal(403);
      expect(r.json.error).to.match(/lacks the admin role/);
      expect((await api(s, 'GET', '/disasters')).status).to.equal(403);
      // The feed above is refused too (a consumer feeds nothing): only the admin API's alerts count here.
      const alerts = (await auditXml(s, '110132')).filter((x) => x.includes('admin API'));
      expect(alerts.length).to.be.greaterThanOrEqual(2);
      expect(alerts[0]).to.contain('node:local');
      expect(await s.app.store.read((tx) => tx.consent.consents([1, 2, 3]))).to.deep.equal([]);
    } finally {
      await s.stop();
    }
  });

  describe('the desk CLI', () => {
    let s: TestServer;
    let file: string;
    const run = (args: string[]) => hie([...args, '--config', file, '--data-dir', s.dataDir]);
    before(async () => {
      s = await startTestServer(config);
      await feedPatient(s, 'D1');
      file = path.join(tempDir(), 'hie.json');
      fs.writeFileSync(file, JSON.stringify(config));
    });
    after(() => s.stop());

    it('gives --help', async () => {
      for (const args of [['consent', '--help'], ['disaster', '--help']]) {
        const r = await hie(args);
        expect(r.code, args.join(' ')).to.equal(0);
        expect(r.stdout).to.match(/Usage/);
      }
      expect((await hie(['consent'])).code).to.equal(2);
      expect((await hie(['disaster', 'frob'])).code).to.equal(2);
    });

    it('sets, withholds, shows, revokes and lists the history, source desk and the operator', async () => {
      const set = await run(['consent', 'set', 'D1', '--participation', 'opted-in', '--facility', 'HOSP_A', '--until', '2031-01-01', '--class', 'IMG^^S']);
      expect(set.stderr).to.equal('');
      expect(set.code).to.equal(0);
      expect(set.stdout).to.contain('set: patient consent version 1').and.contain('participation: not-enrolled -> opted-in');
      const w = await run(['consent', 'withhold', 'D1', '--department', 'PSY^^S', '--document', '1.2.3.9']);
      expect(w.code).to.equal(0);
      const shown = await run(['consent', 'show', 'D1', '--format', 'json']);
      const json = JSON.parse(shown.stdout);
      expect(json.consent).to.deep.include({ participation: 'opted-in', facilities: [HOSP_A.oid], validUntil: '2031-01-01T00:00:00.000Z', version: 2, source: { kind: 'desk' } });
      expect(json.consent.withheld).to.deep.include({ classCodes: [{ code: 'IMG', codingScheme: 'S' }], practiceSettingCodes: [{ code: 'PSY', codingScheme: 'S' }], documents: ['1.2.3.9'] });
      const text = await run(['consent', 'show', 'D1']);
      expect(text.stdout).to.contain('participation: opted-in').and.contain('shared now:    yes');
      expect((await run(['consent', 'revoke', 'D1'])).code).to.equal(0);
      const h = await run(['consent', 'history', 'D1']);
      expect(h.stdout.match(/ (set|withhold|revoke) by \S+ \(desk\)/g)).to.have.length(3);
      // The server sees the desk's changes (same store).
      const viaApi = await api(s, 'GET', '/patients/D1/consent/history');
      expect(viaApi.json.history.map((x: any) => x.source.kind)).to.deep.equal(['desk', 'desk', 'desk']);
      const audits = (await auditXml(s, 'CONSENT')).filter((x) => x.includes('D1^^^AFFINITY'));
      expect(audits).to.have.length(3);
      expect(audits[0]).to.contain('csd-code="110151"');
    });

    it('reports bad input and unknown patients with exit code 1 and a message', async () => {
      const bad = await run(['consent', 'set', 'D1', '--participation', 'sometimes']);
      expect(bad.code).to.equal(1);
      expect(bad.stderr).to.match(/participation must be one of/);
      const nobody = await run(['consent', 'show', 'NOBODY']);
      expect(nobody.code).to.equal(1);
      expect(nobody.stderr).to.contain('no patient is known by that token or regional ID');
      const noParticipation = await run(['consent', 'set', 'D1']);
      expect(noParticipation.code).to.equal(2);
    });

    it('audits reading a consent (show, history) naming the operator and the patient; an unknown patient with outcome 4, what was typed not repeated', async () => {
      const before = (await auditXml(s, 'CONSENT-READ')).length;
      expect((await run(['consent', 'show', 'D1'])).code).to.equal(0);
      expect((await run(['consent', 'history', 'D1', '--format', 'json'])).code).to.equal(0);
      const typed = 'NOBODY-7731^^^X';
      expect((await run(['consent', 'history', typed])).code).to.equal(1);
      const reads = (await auditXml(s, 'CONSENT-READ')).slice(before);
      expect(reads).to.have.length(3);
      const shown = reads.filter((x) => x.includes('consent show'));
      const listed = reads.filter((x) => x.includes('consent history') && x.includes('EventOutcomeIndicator="0"'));
      const refused = reads.filter((x) => x.includes('EventOutcomeIndicator="4"'));
      for (const [found, n] of [[shown, 1], [listed, 1], [refused, 1]] as const) expect(found).to.have.length(n);
      for (const x of [...shown, ...listed]) {
        expect(x).to.contain('EventActionCode="R"').and.contain('csd-code="110110"').and.contain('D1^^^AFFINITY');
        expect(x).to.contain('csd-code="110151"'); // the operator as Application Launcher
      }
      expect(refused[0]).to.contain('consent history refused: no such patient').and.not.contain('NOBODY-7731').and.not.contain('D1^^^');
    });

    it('declares, lists and ends disasters', async () => {
      const d = await run(['disaster', 'declare', '--description', 'flood', '--facility', 'HOSP_B', '--format', 'json']);
      expect(d.stderr).to.equal('');
      const declared = JSON.parse(d.stdout);
      expect(declared).to.deep.include({ description: 'flood', facilities: [HOSP_B.oid] });
      expect((await run(['disaster', 'list'])).stdout).to.contain(`#${declared.id} declared: flood`);
      const e = await run(['disaster', 'end', String(declared.id)]);
      expect(e.code).to.equal(0);
      expect(e.stdout).to.contain(`#${declared.id} ended`);
      const unknown = await run(['disaster', 'end', '999']);
      expect(unknown.code).to.equal(1);
      expect(unknown.stderr).to.contain('no disaster 999');
      const noArea = await run(['disaster', 'declare', '--description', 'x']);
      expect(noArea.code).to.equal(1);
      expect(noArea.stderr).to.contain('facilities');
    });
  });
});

