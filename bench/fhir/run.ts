/**
 * npm run bench:fhir — the FHIR faces against the transactions they are faces of, as ratios measured
 * in one run on the same data (issue 18):
 *
 * 1. PDQm ITI-78 `GET /fhir/Patient?family=<kana prefix>&_count=10` against ITI-21 with the same
 *    prefixes (`@PID.5.1.1^<prefix>*`, RCP-2 10) over MLLP, on the PDQ database of `--patients`
 *    (bench/pix/pdqDatabase.ts, 1,000,000 by default): goal p99(PDQm) <= 1.5 x p99(ITI-21).
 * 2. MHD ITI-67 `GET /fhir/DocumentReference?patient.identifier=...&status=current` against ITI-18
 *    FindDocuments for the same patients, on the XDS corpus of `--entries` DocumentEntries
 *    (bench/xds/corpus.ts, 1,000,000 by default): goal p99(ITI-67) <= 1.5 x p99(ITI-18).
 *
 * One `hie serve` child per data set; one request at a time; the two faces alternate in halves so
 * that drift falls on both. Every answer is checked (the same patients, the same number of
 * documents). Consent is off: `npm run bench:consent` measures consent.
 *
 * Options: --patients 1000000; --entries 1000000; --queries 2000 (per face); --only pdq|mhd; --json FILE.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ACTIONS, envelope, post as postOver } from '../../test/helpers/xds.ts';
import { findDocuments } from '../../test/helpers/xdsQuery.ts';
import { FACILITIES } from '../pix/messages.ts';
import { pdqDatabase } from '../pix/pdqDatabase.ts';
import { queryPrefixes } from '../pix/population.ts';
import { runLoad } from '../pix/servers.ts';
import { startChild, type ChildServer } from '../xds/child.ts';
import { AFFINITY_OID, corpus, DOCS_PER_PATIENT, patientCx, regionalId } from '../xds/corpus.ts';
import { fmt, summarize, type Latency } from '../xds/stats.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const VAR = path.join(ROOT, 'var', 'bench');
const { values: opts } = parseArgs({
  options: {
    patients: { type: 'string', default: '1000000' },
    entries: { type: 'string', default: '1000000' },
    queries: { type: 'string', default: '2000' },
    only: { type: 'string' },
    seed: { type: 'string', default: '20240401' },
    json: { type: 'string' },
  },
});
const PATIENTS = Number(String(opts.patients).replace(/_/g, ''));
const ENTRIES = Number(String(opts.entries).replace(/_/g, ''));
const QUERIES = Number(opts.queries);
const SEED = Number(opts.seed);
const WARMUP = 200;
const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);
const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });

/** Every server: the loopback identity a consumer of every facility, consent off. */
const serverConfig = { access: { local: { name: 'bench', roles: ['consumer'] } }, consent: { enabled: false }, identity: { domains: FACILITIES.map((f) => ({ namespace: f.namespace, oid: f.oid })) } };

function get(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, agent, headers: { accept: 'application/fhir+json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Runs `one` for each item, one at a time, the first WARMUP untimed; latencies of the rest. */
async function timed<T>(items: T[], one: (item: T) => Promise<void>): Promise<number[]> {
  const ms: number[] = [];
  for (const [i, item] of items.entries()) {
    const t0 = performance.now();
    await one(item);
    if (i >= WARMUP) ms.push(performance.now() - t0);
  }
  return ms;
}

interface FacePair {
  baseline: Latency;
  face: Latency;
  ratio: number;
  cpuMsPerQuery: { baseline: number; face: number };
}

async function pdqm(): Promise<FacePair & { patients: number; pdqmPatients: number; iti21Patients: number }> {
  const dir = await pdqDatabase({ benchDir: VAR, patients: PATIENTS, seed: SEED, log });
  const prefixes = queryPrefixes(SEED, WARMUP + QUERIES);
  const halves = [prefixes.slice(WARMUP, WARMUP + QUERIES / 2), prefixes.slice(WARMUP + QUERIES / 2)];
  const server = await startChild(dir, serverConfig);
  const iti21: number[] = [];
  const fhir: number[] = [];
  const cpu = { baseline: 0, face: 0 };
  let iti21Patients = 0;
  let pdqmPatients = 0;
  try {
    for (const half of halves) {
      const items = [...half.slice(0, WARMUP), ...half];
      log(`ITI-21: ${half.length} queries by family-name prefix at ${PATIENTS.toLocaleString()} patients`);
      let c0 = server.cpuMs();
      const { result } = await runLoad({ kind: 'pdq', port: server.mllpPort, connections: 1, depth: 1, warmup: WARMUP, count: half.length, charset: 'iso-2022-jp', seed: SEED, firstPatient: 0, prefixes: items, limit: 10 });
      if (result.failed > 0) throw new Error(`ITI-21: ${result.failed} wrong answers: ${result.failures.join('; ')}`);
      cpu.baseline += server.cpuMs() - c0;
      iti21.push(...result.latencies);
      iti21Patients += result.pids;
      log(`PDQm ITI-78: the same ${half.length} prefixes`);
      c0 = server.cpuMs();
      fhir.push(
        ...(await timed(items, async (prefix) => {
          const r = await get(server.httpPort, `/fhir/Patient?family=${encodeURIComponent(prefix)}&_count=10`);
          if (r.status !== 200) throw new Error(`PDQm family=${prefix}: HTTP ${r.status} ${r.body.slice(0, 500)}`);
          const bundle = JSON.parse(r.body) as { resourceType: string; entry?: unknown[] };
          if (bundle.resourceType !== 'Bundle') throw new Error(`PDQm family=${prefix}: ${r.body.slice(0, 500)}`);
          pdqmPatients += bundle.entry?.length ?? 0;
        })),
      );
      cpu.face += server.cpuMs() - c0;
    }
  } finally {
    await server.stop();
  }
  // The warm-up's patients are counted on the PDQm side only: compare what the timed queries returned.
  const baseline = summarize(iti21);
  const face = summarize(fhir);
  const n = 2 * (WARMUP + QUERIES / 2);
  return { patients: PATIENTS, baseline, face, ratio: face.p99 / baseline.p99, cpuMsPerQuery: { baseline: cpu.baseline / n, face: cpu.face / n }, iti21Patients, pdqmPatients };
}

async function mhd(): Promise<FacePair & { entries: number }> {
  const c = await corpus(ENTRIES, VAR, log);
  const pick = ((x: number) => () => Math.floor(((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32) * c.patients))(SEED >>> 0);
  const picks = Array.from({ length: WARMUP + QUERIES }, pick);
  const halves = [picks.slice(WARMUP, WARMUP + QUERIES / 2), picks.slice(WARMUP + QUERIES / 2)];
  // The corpus's patients are of the default regional authority (AFFINITY_OID), as bench:xds serves them.
  const server: ChildServer = await startChild(c.dataDir, { ...serverConfig, xds: { registry: { maxResults: 100000 } } });
  const soap: number[] = [];
  const fhir: number[] = [];
  const cpu = { baseline: 0, face: 0 };
  try {
    for (const half of halves) {
      const items = [...half.slice(0, WARMUP), ...half];
      log(`ITI-18 FindDocuments: ${half.length} patients at ${ENTRIES.toLocaleString()} entries`);
      let c0 = server.cpuMs();
      soap.push(
        ...(await timed(items, async (p) => {
          const r = await postOver(server.httpPort, '/services/registry', `application/soap+xml; charset=UTF-8; action="${ACTIONS.iti18}"`, Buffer.from(envelope(ACTIONS.iti18, findDocuments(patientCx(p)))), agent);
          const docs = (r.body.toString('utf8').match(/<rim:ExtrinsicObject /g) ?? []).length;
          if (docs !== DOCS_PER_PATIENT) throw new Error(`ITI-18 patient ${p}: ${docs} documents\n${r.body.toString('utf8').slice(0, 800)}`);
        })),
      );
      cpu.baseline += server.cpuMs() - c0;
      log(`MHD ITI-67: the same ${half.length} patients`);
      c0 = server.cpuMs();
      fhir.push(
        ...(await timed(items, async (p) => {
          const r = await get(server.httpPort, `/fhir/DocumentReference?patient.identifier=${encodeURIComponent(`urn:oid:${AFFINITY_OID}|${regionalId(p)}`)}&status=current`);
          if (r.status !== 200) throw new Error(`ITI-67 patient ${p}: HTTP ${r.status} ${r.body.slice(0, 500)}`);
          const bundle = JSON.parse(r.body) as { entry?: unknown[] };
          if ((bundle.entry?.length ?? 0) !== DOCS_PER_PATIENT) throw new Error(`ITI-67 patient ${p}: ${bundle.entry?.length ?? 0} DocumentReferences\n${r.body.slice(0, 800)}`);
        })),
      );
      cpu.face += server.cpuMs() - c0;
    }
  } finally {
    await server.stop();
  }
  const baseline = summarize(soap);
  const face = summarize(fhir);
  const n = 2 * (WARMUP + QUERIES / 2);
  return { entries: ENTRIES, baseline, face, ratio: face.p99 / baseline.p99, cpuMsPerQuery: { baseline: cpu.baseline / n, face: cpu.face / n } };
}

async function main(): Promise<void> {
  const out: Record<string, unknown> = {};
  const lines: string[] = [];
  if (!opts.only || opts.only === 'pdq') {
    const r = await pdqm();
    out.pdqm = r;
    lines.push(
      `ITI-21 at ${r.patients.toLocaleString()} patients: p50 ${fmt(r.baseline.p50)} ms, p99 ${fmt(r.baseline.p99)} ms, server CPU ${fmt(r.cpuMsPerQuery.baseline, 2)} ms a query (${r.iti21Patients.toLocaleString()} patients returned)`,
      `PDQm ITI-78, same prefixes: p50 ${fmt(r.face.p50)} ms, p99 ${fmt(r.face.p99)} ms, server CPU ${fmt(r.cpuMsPerQuery.face, 2)} ms a query (${r.pdqmPatients.toLocaleString()} patients returned, warm-up included); p99 ratio ${fmt(r.ratio, 2)} (goal <= 1.50): ${r.ratio <= 1.5 ? 'met' : 'NOT met'}`,
    );
  }
  if (!opts.only || opts.only === 'mhd') {
    const r = await mhd();
    out.mhd = r;
    lines.push(
      `ITI-18 FindDocuments at ${r.entries.toLocaleString()} entries: p50 ${fmt(r.baseline.p50)} ms, p99 ${fmt(r.baseline.p99)} ms, server CPU ${fmt(r.cpuMsPerQuery.baseline, 2)} ms a query`,
      `MHD ITI-67, same patients: p50 ${fmt(r.face.p50)} ms, p99 ${fmt(r.face.p99)} ms, server CPU ${fmt(r.cpuMsPerQuery.face, 2)} ms a query; p99 ratio ${fmt(r.ratio, 2)} (goal <= 1.50): ${r.ratio <= 1.5 ? 'met' : 'NOT met'}`,
    );
  }
  for (const l of lines) process.stdout.write(l + '\n');
  if (opts.json) fs.writeFileSync(opts.json, JSON.stringify(out, null, 2) + '\n');
  agent.destroy();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
