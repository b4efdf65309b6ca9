/**
 * The console's pages on the demo data (`hie serve --demo`: the synthetic SS-MIX2 samples of every
 * demo facility): every page an operator or a patient opens, each timed over the patients and
 * documents found by crawling the console itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { hashPassword } from '../../src/console/auth/passwords.ts';
import { ConsoleClient } from '../../test/helpers/consoleClient.ts';
import { spawnServer } from '../../test/helpers/childServer.ts';
import { hie } from '../../test/helpers/hieCommand.ts';
import { cpuMsOf } from '../xds/child.ts';
import { fetchPage, latencyOf, linksIn, timePage, type PageLatency } from './measure.ts';

export const USER = 'bench';
export const PASSWORD = 'console bench password';
const KANA = 'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ';
const PATIENT_PASSWORD = 'patient bench password';
const PORTAL_PATIENTS = 5;

export async function consoleUsers() {
  return { users: [{ name: USER, role: 'admin', passwordHash: await hashPassword(PASSWORD) }], maxFailures: 1000 };
}

export interface DemoRun {
  pages: PageLatency[];
  baseline: PageLatency[];
  patients: number;
  documents: number;
  serverCpuMs: number;
}

export async function demoPages(o: { dataDir: string; requests: number; warmup: number; log: (s: string) => void }): Promise<DemoRun> {
  fs.mkdirSync(o.dataDir, { recursive: true });
  const configFile = path.join(o.dataDir, 'bench-config.json');
  fs.writeFileSync(configFile, JSON.stringify({ console: await consoleUsers() }));
  o.log('demo: starting hie serve --demo (loads the SS-MIX2 samples)');
  const child = await spawnServer(o.dataDir, ['--config', configFile, '--demo'], {});
  try {
    const base = `http://127.0.0.1:${child.httpPort}`;
    const c = new ConsoleClient(base);
    if ((await c.signIn(USER, PASSWORD)).status !== 303) throw new Error('bench user could not sign in');
    // Patients, found as an operator finds them: by kana family-name prefix.
    const searches = [...KANA].map((k) => `/console/patients?family=${encodeURIComponent(k)}`);
    const found = new Set<string>();
    const hits: string[] = [];
    for (const s of searches) {
      const ids = linksIn(await fetchPage(c, s), /href="\/console\/patients\/([^"/?]+)"/g);
      if (ids.length > 0) hits.push(s);
      for (const rid of ids) found.add(rid);
    }
    const patients = [...found].slice(0, 40);
    const docs: string[] = [];
    for (const rid of patients) {
      const list = await fetchPage(c, `/console/patients/${encodeURIComponent(rid)}/documents`);
      for (const uuid of linksIn(list, /href="\/console\/patients\/[^"/]+\/documents\/([^"/]+)"/g).slice(0, 3)) docs.push(`/console/patients/${encodeURIComponent(rid)}/documents/${encodeURIComponent(uuid)}`);
    }
    o.log(`demo: ${found.size} patients found, ${patients.length} used, ${docs.length} documents`);
    const each = (suffix: string) => patients.map((rid) => `/console/patients/${encodeURIComponent(rid)}${suffix}`);
    const operator: [string, string[]][] = [
      ['patient search (kana prefix)', hits],
      ['patient', each('')],
      ['documents of a patient', each('/documents')],
      ['document (SS-MIX2 as tables)', docs],
      ['consent of a patient', each('/consent')],
      ['access report of a patient', patients.map((rid) => `/console/audit/patients/${encodeURIComponent(rid)}/access-report`)],
      ['audit search', ['/console/audit?from=2020-01-01']],
      ['link proposals', ['/console/links']],
      ['operations', ['/console/operations']],
    ];
    const pages: PageLatency[] = [];
    for (const [name, urls] of operator) {
      pages.push(latencyOf(name, await timePage(c, urls, o.requests, o.warmup)));
      o.log(`demo: ${name} p95 ${pages.at(-1)!.p95.toFixed(1)} ms`);
    }
    // Patients' own pages: each signs in with the desk's one-time code, then their password. Every
    // opening is audited naming the patient, so "who saw my records" grows with each view: several
    // patients share the requests, as the operators' pages share them among patients.
    const mine: ConsoleClient[] = [];
    for (const rid of patients.slice(0, PORTAL_PATIENTS)) {
      const issued = await hie(['consent', 'code', rid, '--data-dir', o.dataDir, '--format', 'json']);
      if (issued.code !== 0) throw new Error(`hie consent code: ${issued.stderr}`);
      const me = new ConsoleClient(base);
      await me.get('/console/me/activate');
      const act = await me.post('/console/me/activate', { id: rid, code: (JSON.parse(issued.stdout) as { code: string }).code, password: PATIENT_PASSWORD, password2: PATIENT_PASSWORD });
      if (act.status !== 303) throw new Error(`patient activation: ${act.status}`);
      mine.push(me);
    }
    for (const [name, url] of [
      ['patient: my records', '/console/me'],
      ['patient: who saw my records', '/console/me/access'],
      ['patient: what I share', '/console/me/sharing'],
      ['patient: notifications', '/console/me/notifications'],
    ] as const) {
      pages.push(latencyOf(name, await timePage(mine, [url], o.requests, o.warmup)));
      o.log(`demo: ${name} p95 ${pages.at(-1)!.p95.toFixed(1)} ms`);
    }
    // Baselines in the same run: what the same listener and client cost without a page to make.
    const baseline = [
      latencyOf('stylesheet (static)', await timePage(c, ['/console/static/console.css'], o.requests, o.warmup)),
      latencyOf('sign-in form', await timePage(new ConsoleClient(base), ['/console/login'], o.requests, o.warmup)),
    ];
    return { pages, baseline, patients: found.size, documents: docs.length, serverCpuMs: cpuMsOf(child.process.pid) };
  } finally {
    await child.kill('SIGTERM');
  }
}
