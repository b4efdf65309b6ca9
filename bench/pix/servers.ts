/**
 * What the load generator talks to, both in this (the parent) process: the real server assembled by
 * startApp, and the MLLP echo baseline (the same MLLP listener answering every frame with one fixed
 * ACK: no charset decoding, no parse, no store).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildResponse, EMPTY_HEADER } from '../../src/hl7v2/ack.ts';
import { message } from '../../src/hl7v2/builder.ts';
import { MllpServer } from '../../src/hl7v2/mllp/server.ts';
import { startApp, type App } from '../../src/server/app.ts';
import { validate } from '../../src/server/config/load.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import type { LoadJob, LoadResult } from './loadgen.ts';
import { FACILITIES } from './messages.ts';

/**
 * Benchmark configuration: defaults everywhere (synchronous=FULL), the sending hospitals known; on
 * the PostgreSQL database at `postgresUrl` when one is given.
 */
export function benchConfig(dataDir: string, file = 'hie.db', postgresUrl?: string) {
  return validate({
    dataDir,
    log: { level: 'silent' },
    mllp: { port: 0 },
    http: { enabled: false },
    store: postgresUrl ? { engine: 'postgres', postgres: { url: postgresUrl } } : { sqlite: { file } },
    identity: {
      token: { issuerKey: 'bench-issuer-key-0123456789abcdef' },
      domains: FACILITIES.map((f) => ({ namespace: f.namespace, oid: f.oid })),
    },
  });
}

export function startBenchApp(dataDir: string, file?: string, postgresUrl?: string): Promise<App> {
  return startApp(benchConfig(dataDir, file, postgresUrl), silentLogger);
}

export interface Echo {
  port: number;
  close(): Promise<void>;
}

export async function startEcho(): Promise<Echo> {
  const ack = Buffer.from(
    message(buildResponse(EMPTY_HEADER, { type: ['ACK', 'A04', 'ACK'], ack: 'AA' }, { application: 'HIE', facility: 'REGION', nextControlId: () => 'ECHO' })),
    'utf8',
  );
  const replies = [ack];
  const server = new MllpServer({ host: '127.0.0.1', port: 0, maxMessageBytes: 1 << 20, idleTimeoutMs: 120_000, frameTimeoutMs: 30_000 }, async () => replies);
  const port = await server.listen();
  return { port, close: () => server.close() };
}

export interface Measured {
  result: LoadResult;
  /** CPU the server process (this one) used while the load generator timed its messages, ms. */
  serverCpuMs: number;
}

const LOADGEN = fileURLToPath(new URL('./loadgen.ts', import.meta.url));

/** Runs one load job in a fresh child process and measures this process's CPU over its timed phase. */
export function runLoad(job: LoadJob): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = fork(LOADGEN, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let cpu0: NodeJS.CpuUsage | undefined;
    let serverCpuMs = 0;
    child.on('message', (m: { phase?: 'start' | 'end'; ok?: boolean; result?: LoadResult; error?: string }) => {
      if (m.phase === 'start') cpu0 = process.cpuUsage();
      else if (m.phase === 'end' && cpu0) {
        const d = process.cpuUsage(cpu0);
        serverCpuMs = (d.user + d.system) / 1000;
      } else if (m.ok) resolve({ result: m.result!, serverCpuMs });
      else if (m.ok === false) reject(new Error(`load generator failed: ${m.error}`));
    });
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
    });
    child.send(job);
  });
}
