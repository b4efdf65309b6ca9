/**
 * The patient list at scale: the console's patient search on the PDQ benchmark's database of
 * 1,000,000 patients (bench/pix/pdqDatabase.ts, built once and cached), by kana family-name prefix,
 * each list followed page after page through its continuation (`more`, keyset on the search index:
 * no OFFSET, no count). The cached database is copied first: every page the console shows is audited,
 * so the server writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConsoleClient } from '../../test/helpers/consoleClient.ts';
import { FACILITIES } from '../pix/messages.ts';
import { pdqDatabase } from '../pix/pdqDatabase.ts';
import { queryPrefixes } from '../pix/population.ts';
import { startChild } from '../xds/child.ts';
import { consoleUsers, PASSWORD, USER } from './demo.ts';
import { fetchPage, latencyOf, linksIn, type PageLatency } from './measure.ts';

export interface MillionRun {
  patients: number;
  pages: PageLatency[];
  baseline: PageLatency[];
  lists: number;
  pagesPerList: number;
  copySeconds: number;
}

export async function millionPages(o: { benchDir: string; readOnlyCache?: boolean; tmpDir: string; patients: number; seed: number; lists: number; pagesPerList: number; warmup: number; log: (s: string) => void }): Promise<MillionRun> {
  const built = path.join(o.benchDir, `pdq-${o.patients}-s${o.seed}-v1`, 'manifest.json');
  if (o.readOnlyCache && !fs.existsSync(built)) throw new Error(`no PDQ database of ${o.patients} patients in ${o.benchDir} (--cache is only read)`);
  const cached = await pdqDatabase({ benchDir: o.benchDir, patients: o.patients, seed: o.seed, log: o.log });
  const dataDir = path.join(o.tmpDir, `console-${o.patients}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const t0 = performance.now();
  // The database and what the server keeps beside it; not the blobs (the PDQ database has no documents).
  for (const f of fs.readdirSync(cached)) if (f !== 'blobs' && f !== 'bench-config.json' && fs.statSync(path.join(cached, f)).isFile()) fs.copyFileSync(path.join(cached, f), path.join(dataDir, f));
  const copySeconds = (performance.now() - t0) / 1000;
  o.log(`1M: copied ${path.relative(process.cwd(), cached)} to ${dataDir} in ${copySeconds.toFixed(0)} s`);
  const server = await startChild(dataDir, {
    identity: { domains: FACILITIES.map((f) => ({ namespace: f.namespace, oid: f.oid })) },
    console: await consoleUsers(),
  });
  try {
    const c = new ConsoleClient(`http://127.0.0.1:${server.httpPort}`);
    if ((await c.signIn(USER, PASSWORD)).status !== 303) throw new Error('bench user could not sign in');
    const first: number[] = [];
    const next: number[] = [];
    const patient: number[] = [];
    const prefixes = queryPrefixes(o.seed, o.lists + o.warmup);
    let pages = 0;
    for (const [i, prefix] of prefixes.entries()) {
      const timed = i >= o.warmup;
      let url = `/console/patients?family=${encodeURIComponent(prefix)}`;
      for (let p = 0; p < o.pagesPerList; p++) {
        const t = performance.now();
        const body = await fetchPage(c, url);
        const ms = performance.now() - t;
        const rows = linksIn(body, /href="\/console\/patients\/([^"/?]+)"/g);
        if (rows.length === 0) throw new Error(`${url}: an empty page`);
        if (timed) (p === 0 ? first : next).push(ms);
        pages++;
        if (p === 0 && timed) {
          const t1 = performance.now();
          await fetchPage(c, `/console/patients/${encodeURIComponent(rows[0]!)}`);
          patient.push(performance.now() - t1);
        }
        const more = /href="(\/console\/patients\?more=[^"&]+)">»/.exec(body)?.[1];
        if (!more) break;
        url = more.replace(/&amp;/g, '&');
      }
    }
    o.log(`1M: ${pages} list pages over ${prefixes.length} prefixes`);
    const baseline = [latencyOf('stylesheet (static)', await (async () => {
      const ms: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t = performance.now();
        await fetchPage(c, '/console/static/console.css');
        ms.push(performance.now() - t);
      }
      return ms;
    })())];
    return {
      patients: o.patients,
      pages: [latencyOf('patient list, first page', first), latencyOf('patient list, next pages (more)', next), latencyOf('patient list, all pages', [...first, ...next]), latencyOf('patient (from the list)', patient)],
      baseline,
      lists: o.lists,
      pagesPerList: o.pagesPerList,
      copySeconds,
    };
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
