/**
 * npm run bench:consent — what consent costs the read paths: ITI-18 FindDocuments and ITI-43
 * Retrieve Document Set over HTTP on the 1,000,000-entry XDS corpus, and ITI-21 PDQ over MLLP on the
 * PDQ database, each against a `hie serve` child with `consent.enabled: false` (the baseline) and
 * `consent.enabled: true`, in one run. The requester is a facility node that made none of the
 * documents and holds no record of the patients (loopback without TLS: `access.local` acting for
 * CLINIC_9, a consumer), so every answer goes through the consent decision; every patient has a
 * consent record (bench/consent/consents.ts) written before the servers start.
 *
 * Rounds run off, on, on, off: each mode meets one half of the requests cold (the first round of
 * the pair) and the other half after the other mode read it, so that neither gains from the page
 * cache; each mode's figures pool both its rounds. Every answer is checked: with consent off all of
 * a patient's documents, with it on exactly the ones the consent does not withhold; ITI-43 returns a
 * withheld document as unknown; ITI-21 returns no patient who has not enrolled.
 *
 * Options: --only find,retrieve,pdq; --entries 1000000 (the XDS corpus); --queries 2000 (per mode);
 * --retrieves 2000 (per mode); --patients 1000000 (the PDQ database, BENCH_PDQ_PATIENTS);
 * --pdq-queries 2000 (per mode); --json FILE. XDS_BENCH_PROFILE=DIR writes a CPU profile of each
 * server (bench/xds/child.ts).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { BlobStore } from '../../src/xds/repository/blobStore.ts';
import { ACTIONS, envelope, post as postOver } from '../../test/helpers/xds.ts';
import { findDocuments } from '../../test/helpers/xdsQuery.ts';
import { FACILITIES } from '../pix/messages.ts';
import { pdqDatabase } from '../pix/pdqDatabase.ts';
import { queryPrefixes } from '../pix/population.ts';
import { runLoad } from '../pix/servers.ts';
import { startChild, type ChildServer } from '../xds/child.ts';
import { corpus, DOCS_PER_PATIENT, patientCx, regionalId, type Corpus } from '../xds/corpus.ts';
import { fmt, summarize } from '../xds/stats.ts';
import { corpusConsent, corpusDocumentUniqueId, corpusDocumentWithheld, corpusVisible, pdqConsent, writeConsents } from './consents.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const VAR = path.join(ROOT, 'var', 'bench');
const { values: opts } = parseArgs({
  options: {
    only: { type: 'string', default: 'find,retrieve,pdq' },
    entries: { type: 'string', default: '1000000' },
    queries: { type: 'string', default: '2000' },
    retrieves: { type: 'string', default: '2000' },
    patients: { type: 'string', default: process.env.BENCH_PDQ_PATIENTS ?? '1000000' },
    'pdq-queries': { type: 'string', default: '2000' },
    seed: { type: 'string', default: '20240401' },
    json: { type: 'string' },
  },
});
const ONLY = new Set(opts.only!.split(',').map((s) => s.trim()));
const ENTRIES = Number(opts.entries);
const QUERIES = Number(opts.queries);
const RETRIEVES = Number(opts.retrieves);
const PDQ_PATIENTS = Number(String(opts.patients).replace(/_/g, ''));
const PDQ_QUERIES = Number(opts['pdq-queries']);
const SEED = Number(opts.seed);
const WARMUP = 200;
const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

/** The requesting facility: in identity.domains, holding no record and having made no document. */
const CLINIC = { namespace: 'CLINIC_9', oid: '1.2.392.999.9' };
const REPOSITORY = '2.999.392.1.3';
/** The content of every corpus DocumentEntry (their hash and size slots are this text's). */
const CORPUS_CONTENT = Buffer.from('document urn:uuid:00000000-0000-4000-8000-000000000001');
/** Mark a cached database whose patients have their consent records (and, for the corpus, documents). */
const CORPUS_MARKER = 'consent-v2.json';
const PDQ_MARKER = 'consent-v1.json';

type Mode = 'off' | 'on';
/** Off, on, on, off; each round one half of the requests: [mode, half]. */
const ROUNDS: [Mode, 0 | 1][] = [
  ['off', 0],
  ['on', 0],
  ['on', 1],
  ['off', 1],
];

function serverConfig(mode: Mode, domains: { namespace: string; oid: string }[]): Record<string, unknown> {
  return {
    identity: { domains: [...domains, CLINIC] },
    access: { local: { name: 'clinic-9', facilities: [CLINIC.namespace], roles: ['consumer'] } },
    consent: { enabled: mode === 'on' },
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const post = (port: number, urlPath: string, action: string, body: string) =>
  postOver(port, urlPath, `application/soap+xml; charset=UTF-8; action="${action}"`, Buffer.from(envelope(action, body)), agent);
const SUCCESS = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success';
const FAILURE = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure';

/** Uniform picks in 0..n-1 from a 32-bit LCG's high bits (its low bits cycle: p mod 10 would not be uniform). */
function rng(seed: number, n: number): () => number {
  let x = seed >>> 0;
  return () => Math.floor(((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32) * n);
}

// ---------------------------------------------------------------------------------------------
// The XDS corpus with consents and repository documents

/** Document k of corpus patient p is in the repository when k = p mod 10 (one per patient). */
const storedDocument = (p: number) => p % DOCS_PER_PATIENT;

async function prepareCorpus(): Promise<Corpus> {
  const c = await corpus(ENTRIES, VAR, log);
  const marker = path.join(c.dataDir, CORPUS_MARKER);
  if (fs.existsSync(marker)) return c;
  log(`writing ${c.patients.toLocaleString()} consents and ${c.patients.toLocaleString()} repository documents into ${path.relative(ROOT, c.dataDir)}`);
  const t0 = performance.now();
  const store = new SqliteStore({ path: path.join(c.dataDir, 'hie.db'), synchronous: 'NORMAL' });
  try {
    const ids: number[] = [];
    for (let first = 0; first < c.patients; first += 5000) {
      await store.read(async (tx) => {
        for (let p = first; p < Math.min(c.patients, first + 5000); p++) ids.push((await tx.identity.personByRegionalId(regionalId(p)))!.id);
      });
    }
    await writeConsents(store, ids, (p) => corpusConsent(p), { progress: (n) => n % 20000 === 0 && log(`  ${n.toLocaleString()} consents`) });
    // The documents' bytes: every corpus entry has the hash and size of the same text, so one blob.
    const blob = await new BlobStore(path.join(c.dataDir, 'blobs')).write({ data: CORPUS_CONTENT });
    const [sample] = await store.read((tx) => tx.registry.entriesByUniqueId('DocumentEntry', [corpusDocumentUniqueId(0, 0)]));
    if (sample.hash !== blob.hash || sample.size !== CORPUS_CONTENT.length || sample.repositoryUniqueId !== REPOSITORY) {
      throw new Error(`the corpus's entries do not describe the benchmark's document (${sample.hash}, ${sample.size}, ${sample.repositoryUniqueId})`);
    }
    for (let first = 0; first < c.patients; first += 5000) {
      await store.write(async (tx) => {
        for (let p = first; p < Math.min(c.patients, first + 5000); p++) {
          const uniqueId = corpusDocumentUniqueId(p, storedDocument(p));
          await tx.repository.putDocument({ uniqueId, repositoryUniqueId: REPOSITORY, mimeType: 'text/plain', hash: blob.hash, size: CORPUS_CONTENT.length, blob: blob.name });
        }
      });
    }
  } finally {
    await store.close();
  }
  fs.writeFileSync(marker, JSON.stringify({ consents: c.patients, documents: c.patients, seconds: (performance.now() - t0) / 1000, at: new Date().toISOString() }) + '\n');
  log(`  done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return c;
}

interface ModeFigures {
  times: number[];
  /** The patient of each timed request, in the order of `times`. */
  picks: number[];
  cpuMs: number;
  /** Documents returned (ITI-18 entries, ITI-43 documents). */
  returned: number;
}
const emptyFigures = (): ModeFigures => ({ times: [], picks: [], cpuMs: 0, returned: 0 });

function expectStatus(r: { status: number; body: Buffer }, status: string, what: string): string {
  const text = r.body.toString('utf8');
  if (r.status !== 200 || !text.includes(`status="${status}"`)) throw new Error(`${what}: ${r.status} ${text.slice(0, 800)}`);
  return text;
}

async function timed(server: ChildServer, picks: number[], figures: ModeFigures, one: (p: number) => Promise<number>): Promise<void> {
  for (const p of picks.slice(0, WARMUP)) await one(p);
  const cpu0 = server.cpuMs();
  for (const p of picks.slice(WARMUP)) {
    const t0 = performance.now();
    const n = await one(p);
    figures.times.push(performance.now() - t0);
    figures.picks.push(p);
    figures.returned += n;
  }
  figures.cpuMs += server.cpuMs() - cpu0;
}

async function xds(measures: { find: boolean; retrieve: boolean }) {
  const c = await prepareCorpus();
  const halves = (seed: number, count: number) => {
    const next = rng(seed, c.patients);
    const all = Array.from({ length: count }, () => next());
    return [all.slice(0, count / 2), all.slice(count / 2)];
  };
  const findPicks = halves(0x9e3779b9, QUERIES);
  const retrievePicks = halves(0x85ebca6b, RETRIEVES);
  const find = { off: emptyFigures(), on: emptyFigures() };
  const retrieve = { off: emptyFigures(), on: emptyFigures() };

  for (const [mode, half] of ROUNDS) {
    log(`XDS, consent ${mode}, half ${half + 1}: ${measures.find ? `${findPicks[half].length} FindDocuments` : ''} ${measures.retrieve ? `${retrievePicks[half].length} retrievals` : ''}`);
    const server = await startChild(c.dataDir, serverConfig(mode, []));
    try {
      if (measures.find) {
        await timed(server, [...findPicks[half].slice(0, WARMUP), ...findPicks[half]], find[mode], async (p) => {
          const text = expectStatus(await post(server.httpPort, '/services/registry', ACTIONS.iti18, findDocuments(patientCx(p))), SUCCESS, 'FindDocuments');
          const n = (text.match(/<rim:ExtrinsicObject /g) ?? []).length;
          const expected = mode === 'on' ? corpusVisible(p) : DOCS_PER_PATIENT;
          if (n !== expected) throw new Error(`FindDocuments of patient ${p} with consent ${mode}: ${n} entries, expected ${expected}`);
          return n;
        });
      }
      if (measures.retrieve) {
        await timed(server, [...retrievePicks[half].slice(0, WARMUP), ...retrievePicks[half]], retrieve[mode], async (p) => {
          const uniqueId = corpusDocumentUniqueId(p, storedDocument(p));
          const body = `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="urn:ihe:iti:xds-b:2007"><xdsb:DocumentRequest><xdsb:RepositoryUniqueId>${REPOSITORY}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>${uniqueId}</xdsb:DocumentUniqueId></xdsb:DocumentRequest></xdsb:RetrieveDocumentSetRequest>`;
          const r = await post(server.httpPort, '/services/repository', ACTIONS.iti43, body);
          const hidden = mode === 'on' && corpusDocumentWithheld(p, storedDocument(p));
          const text = expectStatus(r, hidden ? FAILURE : SUCCESS, `ITI-43 of ${uniqueId} with consent ${mode}`);
          if (hidden) {
            if (!text.includes('XDSDocumentUniqueIdError') || r.body.includes(CORPUS_CONTENT)) throw new Error(`ITI-43 of withheld ${uniqueId}: not answered as unknown`);
            return 0;
          }
          if (!r.body.includes(CORPUS_CONTENT)) throw new Error(`ITI-43 of ${uniqueId} with consent ${mode}: no document`);
          return 1;
        });
      }
    } finally {
      await server.stop();
    }
  }
  const withheldShare = [...retrievePicks[0], ...retrievePicks[1]].filter((p) => corpusDocumentWithheld(p, storedDocument(p))).length / RETRIEVES;
  return { corpus: c, find: measures.find ? find : undefined, retrieve: measures.retrieve ? { ...retrieve, withheldShare } : undefined };
}

// ---------------------------------------------------------------------------------------------
// ITI-21 on the PDQ database

async function preparePdq(): Promise<string> {
  const dir = await pdqDatabase({ benchDir: VAR, patients: PDQ_PATIENTS, seed: SEED, log });
  const marker = path.join(dir, PDQ_MARKER);
  if (fs.existsSync(marker)) return dir;
  const db = new Database(path.join(dir, 'hie.db'), { readonly: true });
  const ids = (db.prepare('SELECT id FROM persons WHERE merged_into IS NULL ORDER BY id').pluck().all() as number[]);
  db.close();
  log(`writing ${ids.length.toLocaleString()} consents into ${path.relative(ROOT, dir)}`);
  const t0 = performance.now();
  const store = new SqliteStore({ path: path.join(dir, 'hie.db'), synchronous: 'NORMAL' });
  try {
    await writeConsents(store, ids, (i) => pdqConsent(i), { batch: 5000, progress: (n) => n % 100000 === 0 && log(`  ${n.toLocaleString()} consents`) });
  } finally {
    await store.close();
  }
  fs.writeFileSync(marker, JSON.stringify({ consents: ids.length, seconds: (performance.now() - t0) / 1000, at: new Date().toISOString() }) + '\n');
  log(`  done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return dir;
}

async function pdq() {
  const dir = await preparePdq();
  const prefixes = queryPrefixes(SEED, WARMUP + PDQ_QUERIES);
  const halves = [prefixes.slice(WARMUP, WARMUP + PDQ_QUERIES / 2), prefixes.slice(WARMUP + PDQ_QUERIES / 2)];
  const figures = { off: { ...emptyFigures(), ids: [] as string[] }, on: { ...emptyFigures(), ids: [] as string[] } };
  for (const [mode, half] of ROUNDS) {
    log(`ITI-21, consent ${mode}, half ${half + 1}: ${halves[half].length} PDQ queries at ${PDQ_PATIENTS.toLocaleString()} patients`);
    const server = await startChild(dir, serverConfig(mode, FACILITIES.map((f) => ({ namespace: f.namespace, oid: f.oid }))));
    try {
      const cpu0 = server.cpuMs();
      const job = { kind: 'pdq' as const, port: server.mllpPort, connections: 1, depth: 1, warmup: WARMUP, count: halves[half].length, charset: 'iso-2022-jp' as const, seed: SEED, firstPatient: 0, prefixes: [...halves[half].slice(0, WARMUP), ...halves[half]], limit: 10, collectPatientIds: true };
      const { result } = await runLoad(job);
      if (result.failed > 0) throw new Error(`ITI-21 with consent ${mode}: ${result.failed} wrong answers: ${result.failures.join('; ')}`);
      figures[mode].cpuMs += (server.cpuMs() - cpu0) * (result.messages / (result.messages + WARMUP));
      figures[mode].times.push(...result.latencies);
      figures[mode].returned += result.pids;
      figures[mode].ids.push(...result.patientIds!);
    } finally {
      await server.stop();
    }
  }
  // The proof that the decision ran: the patients returned who have not enrolled.
  const db = new Database(path.join(dir, 'hie.db'), { readonly: true });
  const participation = db.prepare('SELECT c.participation FROM patient_records r JOIN consents c ON c.person_id = r.person_id WHERE r.domain_key = ? AND r.local_id = ?').pluck();
  // A PID-3 repetition: id^^^namespace&oid&ISO; the facilities' records are keyed by their OID.
  const notEnrolled = (cxs: string[]) =>
    cxs.filter((cx) => {
      const [id, , , authority = ''] = cx.split('^');
      const oid = authority.split('&')[1];
      return !!oid && participation.get(oid, id) === 'not-enrolled';
    }).length;
  const hidden = { off: notEnrolled(figures.off.ids), on: notEnrolled(figures.on.ids) };
  db.close();
  if (hidden.on !== 0) throw new Error(`ITI-21 with consent on returned ${hidden.on} patients who have not enrolled`);
  if (hidden.off === 0) throw new Error('ITI-21 with consent off returned no patient who has not enrolled: the check proves nothing');
  return { patients: PDQ_PATIENTS, off: figures.off, on: figures.on, notEnrolledReturned: hidden };
}

// ---------------------------------------------------------------------------------------------

/** The requests of some patients only; CPU apportioned by count. */
function subset(f: ModeFigures, keep: (p: number) => boolean): ModeFigures {
  const out = emptyFigures();
  f.picks.forEach((p, i) => {
    if (!keep(p)) return;
    out.picks.push(p);
    out.times.push(f.times[i]);
  });
  out.cpuMs = (f.cpuMs * out.times.length) / (f.times.length || 1);
  return out;
}

const row = (name: string, off: ModeFigures, on: ModeFigures, returned: string) => {
  const a = summarize(off.times);
  const b = summarize(on.times);
  const overhead = b.p50 / a.p50 - 1;
  return {
    line: `| ${name} (${returned}) | ${fmt(a.p50, 2)} / ${fmt(a.p99, 2)} ms | ${fmt(b.p50, 2)} / ${fmt(b.p99, 2)} ms | ${fmt(overhead * 100, 1)} % | ${fmt(off.cpuMs / a.n, 2)} / ${fmt(on.cpuMs / b.n, 2)} ms | ${overhead <= 0.1 && b.p99 <= 20 ? 'met' : '**not met**'} |`,
    json: { off: a, on: b, p50Overhead: overhead, serverCpuMsPerRequest: { off: off.cpuMs / a.n, on: on.cpuMs / b.n } },
  };
};

async function main(): Promise<void> {
  fs.mkdirSync(VAR, { recursive: true });
  const started = new Date().toISOString();
  const loadAtStart = os.loadavg();
  const x = ONLY.has('find') || ONLY.has('retrieve') ? await xds({ find: ONLY.has('find'), retrieve: ONLY.has('retrieve') }) : undefined;
  const q = ONLY.has('pdq') ? await pdq() : undefined;
  agent.destroy();

  const out: string[] = [];
  const json: Record<string, unknown> = { started, opts };
  out.push(`Consent benchmark, ${started}, node ${process.version}, ${os.cpus().length} cores; requester CLINIC_9 (made no document, holds no record)`);
  out.push('');
  out.push('| measure | consent off p50 / p99 | consent on p50 / p99 | p50 overhead | server CPU off / on | goal: overhead <= 10 %, p99 <= 20 ms |');
  out.push('|---|---|---|---|---|---|');
  if (x?.find) {
    const r = row(`ITI-18 FindDocuments at ${x.corpus.entries.toLocaleString('en-US')} entries`, x.find.off, x.find.on, `entries returned: off ${fmt(x.find.off.returned / x.find.off.times.length, 1)}, on ${fmt(x.find.on.returned / x.find.on.times.length, 1)}`);
    out.push(r.line);
    const same = (f: ModeFigures) => subset(f, (p) => corpusVisible(p) === DOCS_PER_PATIENT);
    const r2 = row('— of which patients whose consent withholds none of their documents', same(x.find.off), same(x.find.on), 'the same 10 entries both ways');
    out.push(r2.line);
    json.find = { ...r.json, nothingWithheld: r2.json };
  }
  if (x?.retrieve) {
    const r = row(`ITI-43 one document at ${x.corpus.entries.toLocaleString('en-US')} entries`, x.retrieve.off, x.retrieve.on, `returned: off ${x.retrieve.off.returned}, on ${x.retrieve.on.returned} of ${x.retrieve.on.times.length}; ${fmt(x.retrieve.withheldShare * 100, 0)} % withheld`);
    out.push(r.line);
    const shown = (f: ModeFigures) => subset(f, (p) => !corpusDocumentWithheld(p, storedDocument(p)));
    const r2 = row('— of which documents not withheld', shown(x.retrieve.off), shown(x.retrieve.on), 'the document both ways');
    out.push(r2.line);
    json.retrieve = { ...r.json, notWithheld: r2.json };
  }
  if (q) {
    const r = row(`ITI-21 by kana prefix at ${q.patients.toLocaleString('en-US')} patients`, q.off, q.on, `PID per answer: off ${fmt(q.off.returned / q.off.times.length, 2)}, on ${fmt(q.on.returned / q.on.times.length, 2)}; patients not enrolled returned: off ${q.notEnrolledReturned.off}, on ${q.notEnrolledReturned.on}`);
    out.push(r.line);
    json.pdq = { ...r.json, notEnrolledReturned: q.notEnrolledReturned };
  }
  out.push('');
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
  out.push(`load average at the start: ${load(loadAtStart)}; at the end: ${load(os.loadavg())}`);
  process.stdout.write(out.join('\n') + '\n');
  json.load = { start: loadAtStart, end: os.loadavg() };
  fs.writeFileSync(path.join(VAR, 'consent-last.json'), JSON.stringify(json, null, 2));
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(json, null, 2) + '\n');
}

await main();
