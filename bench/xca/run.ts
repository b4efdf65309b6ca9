/**
 * npm run bench:xca — the XCA gateways' cost, as ratios measured in one run (issue 16):
 *
 * 1. ITI-18 FindDocuments through an Initiating Gateway that asks three Responding Gateways of
 *    `--entries` DocumentEntries each (ITI-38 to each, in parallel) against each Responding Gateway
 *    region's own ITI-18: goal p50(gateway) <= 1.3 x the slowest region's p50.
 * 2. The same with a fourth peer that hangs: every answer within that peer's timeout plus 50 ms, and
 *    PartialSuccess.
 * 3. ITI-43 of 1 MB documents through the Initiating Gateway (one ITI-39 to the region) against a
 *    direct ITI-43 to the region's repository: goal MB/s(gateway) >= 0.5 x MB/s(direct).
 *
 * And the floors, in the same run: the three ITI-38 sent at once by the load generator (no gateway)
 * plus the cost of merging their answers on one core; the retrieve through a store-and-forward relay
 * (relay.ts); and each server's CPU per operation.
 *
 * Each region is a `hie serve` child on loopback (plain HTTP; the loopback identity acts as consumer
 * and gateway), its registry a copy of the cached XDS corpus (bench/xds/corpus.ts) whose persons get
 * a medical-field token; the gateways' own registries hold the same persons (no documents). Consent
 * is off on every server: what is measured is the gateway, not the consent decision
 * (npm run bench:consent measures that).
 *
 * Options: --entries 100000 (per region); --queries 500; --retrieves 100; --documents 20 (1 MB each);
 * --hang-timeout 500 (ms); --concurrency 4; --json FILE.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite/sqliteStore.ts';
import { ACTIONS, envelope, mtomBody, post as postOver, readReply } from '../../test/helpers/xds.ts';
import { provideAndRegisterRequest } from '../../test/helpers/xdsMetadata.ts';
import { findDocuments } from '../../test/helpers/xdsQuery.ts';
import { adhocQueryResponse } from '../../src/xca/adhocQuery.ts';
import { queryAnswer } from '../../src/xca/peers/answers.ts';
import { childOf, parseXml } from '../../src/xml/parse.ts';
import { cpuMsOf, startChild, type ChildServer } from '../xds/child.ts';
import { AFFINITY_OID, corpus, DOCS_PER_PATIENT, patientCx, regionalId } from '../xds/corpus.ts';
import { fmt, runPool, summarize, type Latency } from '../xds/stats.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const VAR = path.join(ROOT, 'var', 'bench');
const { values: opts } = parseArgs({
  options: {
    entries: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '500' },
    retrieves: { type: 'string', default: '100' },
    documents: { type: 'string', default: '20' },
    'hang-timeout': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '4' },
    json: { type: 'string' },
  },
});
const ENTRIES = Number(opts.entries);
const QUERIES = Number(opts.queries);
const RETRIEVES = Number(opts.retrieves);
const DOCUMENTS = Number(opts.documents);
const HANG_TIMEOUT = Number(opts['hang-timeout']);
const CONCURRENCY = Number(opts.concurrency);
const WARMUP = Math.min(50, QUERIES);
const MB = 1024 * 1024;
const log = (m: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${m}\n`);

const REGIONS = ['a', 'b', 'c'].map((name, i) => ({ name, home: `urn:oid:2.999.392.202.${i + 1}`, repository: `2.999.392.201.${i + 1}` }));
const GATEWAY_HOME = 'urn:oid:2.999.392.202.9';
const token = (p: number) => `XCABENCHTOKEN${String(p).padStart(12, '0')}`;
const SUCCESS = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success';
const PARTIAL = 'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess';
/** The medical-field token's assigning authority (the default every region shares). */
const TOKEN_OID = '2.999.392.1.1';
const ACTION_ITI38 = 'urn:ihe:iti:2007:CrossGatewayQuery';
const SOAP_ENV = 'http://www.w3.org/2003/05/soap-envelope';
const QUERY_NS = 'urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0';

/** Every server: the loopback identity a consumer and gateway of every facility, consent off. */
const base = (repository: string, home: string) => ({
  access: { local: { name: 'bench', roles: ['source', 'consumer', 'gateway'] } },
  consent: { enabled: false },
  xds: { repository: { uniqueId: repository }, registry: { maxResults: 100000 } },
  xca: { homeCommunityId: home },
});

/** A region's data folder: a copy of the corpus whose persons carry a token, built once. */
async function regionData(name: string, corpusDir: string, patients: number): Promise<string> {
  const dir = path.join(VAR, `xca-region-${name}-${ENTRIES}`);
  const marker = path.join(dir, 'xca.json');
  if (fs.existsSync(marker)) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const src = new Database(path.join(corpusDir, 'hie.db'), { readonly: true });
  await src.backup(path.join(dir, 'hie.db'));
  src.close();
  const db = new Database(path.join(dir, 'hie.db'));
  const set = db.prepare('UPDATE persons SET token = ? WHERE regional_id = ?');
  db.transaction(() => {
    for (let p = 0; p < patients; p++) set.run(token(p), regionalId(p));
  })();
  db.close();
  fs.writeFileSync(marker, JSON.stringify({ entries: ENTRIES, patients, at: new Date().toISOString() }) + '\n');
  return dir;
}

/** The gateway's data folder: the same persons with their tokens, no documents. */
async function gatewayData(name: string, patients: number): Promise<string> {
  const dir = path.join(VAR, `xca-${name}-${ENTRIES}`);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const store = new SqliteStore({ path: path.join(dir, 'hie.db'), synchronous: 'NORMAL' });
  for (let first = 0; first < patients; first += 5000) {
    await store.write(async (tx) => {
      for (let p = first; p < Math.min(patients, first + 5000); p++) await tx.identity.createPerson(token(p), { id: regionalId(p) });
    });
  }
  await store.close();
  return dir;
}

/** A peer that accepts and never answers. */
async function hungPeer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(() => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hung`;
  return { url, close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });
const soap = (port: number, urlPath: string, action: string, body: string) => postOver(port, urlPath, `application/soap+xml; charset=UTF-8; action="${action}"`, Buffer.from(envelope(action, body)), agent);

function rng(seed: number, n: number): () => number {
  let x = seed >>> 0;
  return () => Math.floor(((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32) * n);
}

/** `count` FindDocuments for random patients; each answer checked. */
async function findLoad(port: number, urlPath: string, patients: number, expectDocs: number, expectStatus: string, count: number, seed: number): Promise<Latency> {
  // Patients 0..DOCUMENTS-1 hold the 1 MB documents besides the corpus's: they are not queried.
  const pick = rng(seed, patients - DOCUMENTS);
  const ms: number[] = [];
  const one = async (record: boolean) => {
    const p = DOCUMENTS + pick();
    const t0 = performance.now();
    const r = await soap(port, urlPath, ACTIONS.iti18, findDocuments(patientCx(p)));
    const took = performance.now() - t0;
    const text = r.body.toString('utf8');
    const status = /AdhocQueryResponse[^>]*status="([^"]+)"/.exec(text)?.[1];
    const docs = (text.match(/<rim:ExtrinsicObject /g) ?? []).length;
    if (status !== expectStatus || docs !== expectDocs) throw new Error(`${urlPath} patient ${p}: ${status} with ${docs} documents, expected ${expectStatus} with ${expectDocs}\n${text.slice(0, 1500)}`);
    if (record) ms.push(took);
  };
  await runPool(WARMUP, CONCURRENCY, () => one(false));
  await runPool(count, CONCURRENCY, () => one(true));
  return summarize(ms);
}

/**
 * The floor of the gateway's query on this machine: the same three ITI-38 the gateway sends (the
 * patient keyed on the token, `home` named), sent by the load generator to the three regions at once
 * and waited for together. No gateway process runs the query; what this measures is what three
 * regions answering at once cost on the same cores.
 */
async function fanOutLoad(regions: { home: string; child: ChildServer }[], patients: number, count: number, seed: number): Promise<{ latency: Latency; answers: Buffer[] }> {
  const pick = rng(seed, patients - DOCUMENTS);
  const ms: number[] = [];
  let last: Buffer[] = [];
  const one = async (record: boolean) => {
    const p = DOCUMENTS + pick();
    const body = (home: string) => findDocuments(`${token(p)}^^^&${TOKEN_OID}&ISO`).replace('<rim:AdhocQuery ', `<rim:AdhocQuery home="${home}" `);
    const t0 = performance.now();
    const answers = await Promise.all(regions.map((r) => soap(r.child.httpPort, '/services/xca/responding', ACTION_ITI38, body(r.home))));
    const took = performance.now() - t0;
    for (const r of answers) {
      const text = r.body.toString('utf8');
      const docs = (text.match(/<rim:ExtrinsicObject /g) ?? []).length;
      if (!text.includes(`status="${SUCCESS}"`) || docs !== DOCS_PER_PATIENT) throw new Error(`ITI-38 fan-out, patient ${p}: ${docs} documents\n${text.slice(0, 1500)}`);
    }
    last = answers.map((r) => r.body);
    if (record) ms.push(took);
  };
  await runPool(WARMUP, CONCURRENCY, () => one(false));
  await runPool(count, CONCURRENCY, () => one(true));
  return { latency: summarize(ms), answers: last };
}

/**
 * What any gateway that checks its peers' answers must do to a query's three answers, timed in this
 * process on one core: parse each envelope, decode and check its registry objects, write the merged
 * AdhocQueryResponse. The median of `rounds`, in ms.
 */
function mergeCost(answers: Buffer[], rounds = 200): number {
  const once = () => {
    const parts = answers.map((b) => queryAnswer({ status: 200, envelopeXml: '', attachments: [], body: childOf(childOf(parseXml(b), SOAP_ENV, 'Body')!, QUERY_NS, 'AdhocQueryResponse')! }));
    return adhocQueryResponse('Success', parts.flatMap((p) => p.objects), 'LeafClass', []).length;
  };
  for (let i = 0; i < 20; i++) once();
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    once();
    ms.push(performance.now() - t0);
  }
  return summarize(ms).p50;
}

/** CPU milliseconds each server spent on `work`. */
async function cpuOf<T>(servers: { cpuMs(): number }[], work: () => Promise<T>): Promise<{ result: T; cpuMs: number[] }> {
  const before = servers.map((s) => s.cpuMs());
  const result = await work();
  return { result, cpuMs: servers.map((s, i) => s.cpuMs() - before[i]) };
}

/** The store-and-forward relay (relay.ts) to `targetUrl`, in its own process. */
async function startRelay(targetUrl: string): Promise<{ port: number; cpuMs(): number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', path.join(import.meta.dirname, 'relay.ts'), targetUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /RELAY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`relay exited with ${code}`)));
  });
  return {
    port,
    cpuMs: () => cpuMsOf(child.pid),
    stop: () => new Promise((r) => (child.once('exit', () => r()), child.kill('SIGTERM'))),
  };
}

/** One way to retrieve: its port and path, the HomeCommunityId it names, the servers whose CPU it costs. */
interface RetrievePath {
  port: number;
  urlPath: string;
  withHome: string | undefined;
  servers: { cpuMs(): number }[];
}

/** Rounds the retrieve measures take turns in, so that none pays for running first (warm-up, page cache). */
const RETRIEVE_ROUNDS = 4;

/**
 * `count` ITI-43 of one random 1 MB document each by each path, after 10 of warm-up each, the paths
 * taking turns in RETRIEVE_ROUNDS rounds: per path, MB/s over its own wall time, its latencies and the
 * CPU of its servers (warm-up excluded).
 */
async function retrieveLoads(paths: RetrievePath[], uids: string[], repository: string, count: number): Promise<{ mbps: number; latency: Latency; cpuMs: number[] }[]> {
  const pick = rng(7, uids.length);
  const totals = paths.map((p) => ({ ms: [] as number[], bytes: 0, wall: 0, cpuMs: p.servers.map(() => 0) }));
  const one = async (p: RetrievePath, total?: (typeof totals)[number]) => {
    const uid = uids[pick()];
    const body =
      `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="urn:ihe:iti:xds-b:2007"><xdsb:DocumentRequest>${p.withHome ? `<xdsb:HomeCommunityId>${p.withHome}</xdsb:HomeCommunityId>` : ''}` +
      `<xdsb:RepositoryUniqueId>${repository}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>${uid}</xdsb:DocumentUniqueId></xdsb:DocumentRequest></xdsb:RetrieveDocumentSetRequest>`;
    const t0 = performance.now();
    const r = await readReply(await soap(p.port, p.urlPath, ACTIONS.iti43, body));
    const took = performance.now() - t0;
    const size = r.attachments.reduce((n, a) => n + a.size, 0);
    if (size !== MB) throw new Error(`${p.urlPath} ${uid}: ${size} bytes\n${r.xml.slice(0, 1500)}`);
    for (const a of r.attachments) if (a.file) fs.rmSync(a.file, { force: true });
    if (total) {
      total.ms.push(took);
      total.bytes += size;
    }
  };
  for (const p of paths) await runPool(Math.min(10, count), CONCURRENCY, () => one(p));
  for (let round = 0; round < RETRIEVE_ROUNDS; round++) {
    const n = Math.floor(count / RETRIEVE_ROUNDS) + (round < count % RETRIEVE_ROUNDS ? 1 : 0);
    for (const [i, p] of paths.entries()) {
      const m = await cpuOf(p.servers, () => runPool(n, CONCURRENCY, () => one(p, totals[i])));
      totals[i].wall += m.result;
      m.cpuMs.forEach((ms, k) => (totals[i].cpuMs[k] += ms));
    }
  }
  return totals.map((t) => ({ mbps: t.bytes / MB / (t.wall / 1000), latency: summarize(t.ms), cpuMs: t.cpuMs }));
}

async function main(): Promise<void> {
  const c = await corpus(ENTRIES, VAR, log);
  const children: ChildServer[] = [];
  const hung = await hungPeer();
  try {
    log(`three regions of ${ENTRIES.toLocaleString()} entries (${c.patients.toLocaleString()} patients, ${DOCS_PER_PATIENT} documents each)`);
    const regions: ((typeof REGIONS)[number] & { child: ChildServer })[] = [];
    for (const r of REGIONS) {
      const dir = await regionData(r.name, c.dataDir, c.patients);
      const child = await startChild(dir, base(r.repository, r.home));
      children.push(child);
      regions.push({ ...r, child });
    }
    const peers = regions.map((r) => ({ homeCommunityId: r.home, name: `region-${r.name}`, queryUrl: `http://127.0.0.1:${r.child.httpPort}/services/xca/responding`, retrieveUrl: `http://127.0.0.1:${r.child.httpPort}/services/xca/responding`, timeoutMs: 30000 }));
    const gwConfig = (extra: object[]) => ({ ...base('2.999.392.201.9', GATEWAY_HOME), identity: { regional: { authority: { namespace: 'REGION', oid: AFFINITY_OID } } }, xca: { homeCommunityId: GATEWAY_HOME, communities: [...peers, ...extra], initiatingGateway: { failuresBeforeBackoff: 1_000_000 } } });
    const gateway = await startChild(await gatewayData('gateway', c.patients), gwConfig([]));
    children.push(gateway);
    const hungGateway = await startChild(await gatewayData('gateway-hung', c.patients), gwConfig([{ homeCommunityId: 'urn:oid:2.999.392.202.8', name: 'hung', queryUrl: hung.url, retrieveUrl: hung.url, timeoutMs: HANG_TIMEOUT }]));
    children.push(hungGateway);

    // 1MB documents in region A's repository, by ITI-41.
    const uids: string[] = [];
    for (let k = 0; k < DOCUMENTS; k++) {
      const content = Buffer.alloc(MB, k % 251);
      const uid = `1.2.392.999.400.${process.pid}.${k}`;
      const spec = { patientId: patientCx(k % c.patients), docs: [{ id: 'Document01', uniqueId: uid, content, mimeType: 'application/octet-stream' }] };
      const pkg = mtomBody(envelope(ACTIONS.iti41, provideAndRegisterRequest(spec, 'xop')), ACTIONS.iti41, [{ contentId: 'Document01@test', contentType: 'application/octet-stream', data: content }]);
      const r = await postOver(regions[0].child.httpPort, '/services/repository', pkg.contentType, pkg.body, agent);
      if (!r.body.toString().includes(SUCCESS)) throw new Error(`ITI-41 of ${uid}: ${r.body.toString().slice(0, 1500)}`);
      uids.push(uid);
    }

    log(`ITI-18 direct to each region, ${QUERIES} queries each (concurrency ${CONCURRENCY})`);
    const direct: Record<string, Latency> = {};
    const directCpu: Record<string, number> = {};
    for (const r of regions) {
      const m = await cpuOf([r.child], () => findLoad(r.child.httpPort, '/services/registry', c.patients, DOCS_PER_PATIENT, SUCCESS, QUERIES, 11));
      direct[r.name] = m.result;
      directCpu[r.name] = m.cpuMs[0] / (QUERIES + WARMUP);
    }
    log(`ITI-38 to the three regions at once from the load generator (the floor: no gateway), ${QUERIES} fan-outs`);
    const fan = await fanOutLoad(regions, c.patients, QUERIES, 11);
    const fanOut = fan.latency;
    const merge = mergeCost(fan.answers);
    log(`ITI-18 through the Initiating Gateway (ITI-38 to three regions), ${QUERIES} queries`);
    const gw = await cpuOf([gateway, ...regions.map((r) => r.child)], () => findLoad(gateway.httpPort, '/services/xca/initiating', c.patients, 3 * DOCS_PER_PATIENT, SUCCESS, QUERIES, 11));
    const viaGateway = gw.result;
    const [gatewayCpu, ...peerCpu] = gw.cpuMs.map((ms) => ms / (QUERIES + WARMUP));
    log(`ITI-18 through the gateway with a hung fourth peer (timeout ${HANG_TIMEOUT} ms), ${Math.min(QUERIES, 100)} queries`);
    const withHung = await findLoad(hungGateway.httpPort, '/services/xca/initiating', c.patients, 3 * DOCS_PER_PATIENT, PARTIAL, Math.min(QUERIES, 100), 13);
    log(`ITI-43 of 1 MB documents, ${RETRIEVES} each way in ${RETRIEVE_ROUNDS} rounds: direct, through a store-and-forward relay (the floor: no gateway), through the gateway (ITI-39)`);
    const relay = await startRelay(`http://127.0.0.1:${regions[0].child.httpPort}/services/repository`);
    const region = regions[0].child;
    const [directRetrieve, relayRetrieve, gatewayRetrieve] = await retrieveLoads(
      [
        { port: region.httpPort, urlPath: '/services/repository', withHome: undefined, servers: [region] },
        { port: relay.port, urlPath: '/', withHome: undefined, servers: [relay, region] },
        { port: gateway.httpPort, urlPath: '/services/xca/initiating', withHome: regions[0].home, servers: [gateway, region] },
      ],
      uids,
      regions[0].repository,
      RETRIEVES,
    ).finally(() => relay.stop());
    const perRetrieve = (ms: number) => ms / RETRIEVES;
    const retrieveCpu = { direct: perRetrieve(directRetrieve.cpuMs[0]), relay: perRetrieve(relayRetrieve.cpuMs[0]), gateway: perRetrieve(gatewayRetrieve.cpuMs[0]), peer: perRetrieve(gatewayRetrieve.cpuMs[1]) };
    const relayRatio = relayRetrieve.mbps / directRetrieve.mbps;

    const slowest = Math.max(...Object.values(direct).map((l) => l.p50));
    const ratio = viaGateway.p50 / slowest;
    const floorRatio = (fanOut.p50 + merge) / slowest;
    const hungOk = withHung.p99 <= HANG_TIMEOUT + 50;
    const mbRatio = gatewayRetrieve.mbps / directRetrieve.mbps;
    const lines = [
      `entries per region ${ENTRIES.toLocaleString()}, queries ${QUERIES}, retrieves ${RETRIEVES} of 1 MB, concurrency ${CONCURRENCY}`,
      ...regions.map((r) => `ITI-18 direct, region ${r.name.toUpperCase()}: p50 ${fmt(direct[r.name].p50)} ms, p99 ${fmt(direct[r.name].p99)} ms`),
      `floor: the same 3 x ITI-38 sent at once by the load generator (no gateway): p50 ${fmt(fanOut.p50)} ms, p99 ${fmt(fanOut.p99)} ms; merging their answers (parse, check, write) ${fmt(merge, 2)} ms; (fan-out + merge) / slowest region's p50 ${fmt(floorRatio, 2)}`,
      `server CPU a query: ITI-18 direct ${regions.map((r) => `${r.name.toUpperCase()} ${fmt(directCpu[r.name], 2)}`).join(', ')} ms; through the gateway: gateway ${fmt(gatewayCpu, 2)} ms, regions ${peerCpu.map((x) => fmt(x, 2)).join(', ')} ms (ITI-38)`,
      `ITI-18 via the Initiating Gateway (3 x ITI-38): p50 ${fmt(viaGateway.p50)} ms, p99 ${fmt(viaGateway.p99)} ms; ratio to the slowest region's p50 ${fmt(ratio, 2)} (goal <= 1.30): ${ratio <= 1.3 ? 'met' : 'NOT met'}`,
      `with a hung peer (timeout ${HANG_TIMEOUT} ms): PartialSuccess every time, p50 ${fmt(withHung.p50)} ms, p99 ${fmt(withHung.p99)} ms (goal <= ${HANG_TIMEOUT + 50} ms): ${hungOk ? 'met' : 'NOT met'}`,
      `ITI-43 1 MB direct: ${fmt(directRetrieve.mbps)} MB/s (p50 ${fmt(directRetrieve.latency.p50)} ms); via the gateway (ITI-39): ${fmt(gatewayRetrieve.mbps)} MB/s (p50 ${fmt(gatewayRetrieve.latency.p50)} ms); ratio ${fmt(mbRatio, 2)} (goal >= 0.50): ${mbRatio >= 0.5 ? 'met' : 'NOT met'}`,
      `floor: ITI-43 1 MB through a store-and-forward relay (no gateway): ${fmt(relayRetrieve.mbps)} MB/s (p50 ${fmt(relayRetrieve.latency.p50)} ms); ratio to direct ${fmt(relayRatio, 2)}`,
      `server CPU a 1 MB retrieve: ITI-43 direct ${fmt(retrieveCpu.direct, 2)} ms; relay ${fmt(retrieveCpu.relay, 2)} ms; through the gateway: gateway ${fmt(retrieveCpu.gateway, 2)} ms, region ${fmt(retrieveCpu.peer, 2)} ms (ITI-39)`,
    ];
    for (const l of lines) process.stdout.write(l + '\n');
    if (opts.json) fs.writeFileSync(opts.json, JSON.stringify({ entries: ENTRIES, queries: QUERIES, retrieves: RETRIEVES, direct, directCpu, fanOut, mergeMs: merge, floorRatio, viaGateway, gatewayCpu, peerCpu, ratio, withHung, hangTimeoutMs: HANG_TIMEOUT, directRetrieve, gatewayRetrieve, mbRatio, relayRetrieve, relayRatio, retrieveCpu }, null, 2) + '\n');
  } finally {
    for (const ch of children) await ch.stop().catch(() => undefined);
    await hung.close();
    agent.destroy();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
