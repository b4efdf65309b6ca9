/**
 * Two `hie serve` processes on one PostgreSQL database against one (`npm run bench:xds -- --only two`):
 * the ITI-8 feed load (bench/pix's load generator, ADT^A04 over MLLP, 4 connections) and then the
 * ITI-42 load (SOAP over HTTP), first against one process, then split evenly over two processes on a
 * fresh database of the same start. Reported: operations per second, the CPU of the hie processes
 * per operation (the sum of both, /proc), the CPU of the PostgreSQL server processes per operation,
 * and every answer that was not a success. No lock contention between the processes shows as
 * the same CPU per operation: the goal is two at most 1.15 times one, with no errors.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { PostgresStore } from '../../src/store/postgres/pgStore.ts';
import { ACTIONS, envelope, post } from '../../test/helpers/xds.ts';
import { submitObjectsRequest, uniqueOid } from '../../test/helpers/xdsMetadata.ts';
import { storeSection, type BenchPostgres } from '../engines.ts';
import { FACILITIES } from '../pix/messages.ts';
import { runLoad } from '../pix/servers.ts';
import { errorPart } from './answers.ts';
import { startChild, type ChildServer } from './child.ts';
import { DOCS_PER_PATIENT, patientCx, REGIONAL_AUTHORITY, regionalId } from './corpus.ts';
import { fmt, runPool } from './stats.ts';

export interface Load {
  operations: number;
  perSecond: number;
  /** CPU of the hie processes (all of them) per operation, ms. */
  hieCpuMs: number;
  /** CPU of the PostgreSQL server processes per operation, ms. */
  pgCpuMs: number;
  errors: number;
  firstErrors: string[];
}

export interface Topology {
  processes: number;
  feeds: Load;
  register: Load;
}

export interface TwoProcesses {
  one: Topology;
  two: Topology;
}

export interface TwoOptions {
  pgb: BenchPostgres;
  root: string;
  feeds: number;
  /** DocumentEntries registered (ten a submission). */
  register: number;
  concurrency: number;
  log: (m: string) => void;
}

const CONNECTIONS = 4;
const SUCCESS = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success';

/** The share of `total` that part `k` of `parts` takes (the first parts take the remainder). */
export function share(total: number, parts: number, k: number): { first: number; count: number } {
  const base = Math.floor(total / parts);
  const extra = total % parts;
  return { first: k * base + Math.min(k, extra), count: base + (k < extra ? 1 : 0) };
}

/** The ratio of CPU per operation with two processes to with one, hie and PostgreSQL together. */
export function cpuRatio(one: Load, two: Load): number {
  return (two.hieCpuMs + two.pgCpuMs) / (one.hieCpuMs + one.pgCpuMs);
}

async function topology(processes: number, o: TwoOptions): Promise<Topology> {
  const url = await o.pgb.freshDatabase(`xds_two_${processes}`);
  const submissions = Math.ceil(o.register / DOCS_PER_PATIENT);
  const patients = Math.max(1, Math.ceil(submissions / 4));
  const store = await PostgresStore.open({ url });
  try {
    for (let first = 0; first < patients; first += 1000) {
      await store.write(async (tx) => {
        for (let p = first; p < Math.min(patients, first + 1000); p++) await tx.identity.createPerson(null, { id: regionalId(p) });
      });
    }
  } finally {
    await store.close();
  }
  const config = { ...storeSection('postgres', url), identity: { regional: { authority: REGIONAL_AUTHORITY }, domains: FACILITIES.map((f) => ({ namespace: f.namespace, oid: f.oid })) } };
  const dirs = Array.from({ length: processes }, (_, k) => path.join(o.root, `xds-two-${process.pid}-${processes}-${k}`));
  const servers: ChildServer[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  try {
    for (const dir of dirs) {
      fs.rmSync(dir, { recursive: true, force: true });
      servers.push(await startChild(dir, config));
    }
    const hieCpu = () => servers.reduce((sum, s) => sum + s.cpuMs(), 0);
    const measure = async (operations: number, work: () => Promise<{ errors: number; firstErrors: string[] }>): Promise<Load> => {
      const hie0 = hieCpu();
      const pg0 = o.pgb.serverCpuMs();
      const t0 = performance.now();
      const { errors, firstErrors } = await work();
      const seconds = (performance.now() - t0) / 1000;
      return { operations, perSecond: operations / seconds, hieCpuMs: (hieCpu() - hie0) / operations, pgCpuMs: (o.pgb.serverCpuMs() - pg0) / operations, errors, firstErrors };
    };

    // ITI-8: the same feeds, the connections split over the processes; warm-up feeds of other patients first.
    const feedJob = (k: number, firstPatient: number, count: number) => ({
      kind: 'feed' as const,
      port: servers[k].mllpPort,
      connections: CONNECTIONS / processes,
      depth: 1,
      warmup: 0,
      count,
      charset: 'iso-2022-jp' as const,
      seed: 20240401,
      firstPatient,
    });
    await Promise.all(servers.map((_, k) => runLoad(feedJob(k, 10_000_000 + k * 1000, 200))));
    o.log(`two processes: ITI-8, ${o.feeds} feeds over ${processes} process(es)`);
    const feeds = await measure(o.feeds, async () => {
      const runs = await Promise.all(servers.map((_, k) => runLoad(feedJob(k, share(o.feeds, processes, k).first, share(o.feeds, processes, k).count))));
      return { errors: runs.reduce((n, r) => n + r.result.failed, 0), firstErrors: runs.flatMap((r) => r.result.failures).slice(0, 5) };
    });

    // ITI-42: submissions of ten DocumentEntries, the clients spread over the processes in turn.
    const soap = (i: number) => Buffer.from(envelope(ACTIONS.iti42, submitObjectsRequest({ patientId: patientCx(i % patients), docs: Array.from({ length: DOCS_PER_PATIENT }, () => ({ uniqueId: uniqueOid('1.2.392.999.304') })) })));
    const ct = `application/soap+xml; charset=UTF-8; action="${ACTIONS.iti42}"`;
    const warm = 10 * processes;
    const bodies = Array.from({ length: submissions + warm }, (_, i) => soap(i));
    for (let i = 0; i < warm; i++) await post(servers[i % processes].httpPort, '/services/registry', ct, bodies[i], agent);
    o.log(`two processes: ITI-42, ${submissions} submissions over ${processes} process(es)`);
    const register = await measure(submissions * DOCS_PER_PATIENT, async () => {
      let errors = 0;
      const firstErrors: string[] = [];
      await runPool(submissions, o.concurrency, async (i) => {
        try {
          const r = await post(servers[i % processes].httpPort, '/services/registry', ct, bodies[warm + i], agent);
          const text = r.body.toString('utf8', 0, Math.min(r.body.length, 4096));
          if (r.status === 200 && text.includes(`status="${SUCCESS}"`)) return;
          errors++;
          if (firstErrors.length < 5) firstErrors.push(`${r.status} ${errorPart(text)}`);
        } catch (e) {
          errors++;
          if (firstErrors.length < 5) firstErrors.push((e as Error).message);
        }
      });
      return { errors, firstErrors };
    });
    return { processes, feeds, register };
  } finally {
    agent.destroy();
    for (const s of servers) await s.stop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function twoProcesses(o: TwoOptions): Promise<TwoProcesses> {
  const one = await topology(1, o);
  const two = await topology(2, o);
  return { one, two };
}

export function twoProcessesTable(r: TwoProcesses): string[] {
  const row = (what: string, t: Topology, l: Load) =>
    `| ${what} | ${t.processes} | ${fmt(l.perSecond, 0)}/s | ${fmt(l.hieCpuMs, 3)} ms | ${fmt(l.pgCpuMs, 3)} ms | ${fmt(l.hieCpuMs + l.pgCpuMs, 3)} ms | ${l.errors} |`;
  const out = [
    'Two hie serve processes on one PostgreSQL database against one (the same load split evenly):',
    '',
    '| load | processes | rate | hie CPU per op | PostgreSQL CPU per op | together | errors |',
    '|---|---|---|---|---|---|---|',
    row(`ITI-8 A04, ${r.one.feeds.operations.toLocaleString()} feeds`, r.one, r.one.feeds),
    row(`ITI-8 A04, ${r.two.feeds.operations.toLocaleString()} feeds`, r.two, r.two.feeds),
    row(`ITI-42, ${r.one.register.operations.toLocaleString()} DocumentEntries`, r.one, r.one.register),
    row(`ITI-42, ${r.two.register.operations.toLocaleString()} DocumentEntries`, r.two, r.two.register),
    '',
    `CPU per operation, two processes / one (hie + PostgreSQL): ITI-8 ${fmt(cpuRatio(r.one.feeds, r.two.feeds), 2)}, ITI-42 ${fmt(cpuRatio(r.one.register, r.two.register), 2)}; hie alone: ITI-8 ${fmt(r.two.feeds.hieCpuMs / r.one.feeds.hieCpuMs, 2)}, ITI-42 ${fmt(r.two.register.hieCpuMs / r.one.register.hieCpuMs, 2)} (goal <= 1.15, no errors)`,
  ];
  for (const t of [r.one, r.two]) for (const e of [...t.feeds.firstErrors, ...t.register.firstErrors]) out.push(`  error with ${t.processes}: ${e}`);
  return out;
}
