/** Starts the real server on ephemeral ports with a fresh data folder, and talks to it over MLLP. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type App } from '../../src/server/app.ts';
import { validate } from '../../src/server/config/load.ts';
import type { Config } from '../../src/kernel/config.ts';
import { silentLogger, type Logger } from '../../src/kernel/logger.ts';
import { MllpClient } from '../../src/hl7v2/mllp/client.ts';
import { declaredCharset, decodeMessage } from '../../src/hl7v2/charset.ts';
import { databaseFor, sharedPostgres } from './postgres.ts';

export interface TestServer {
  app: App;
  config: Config;
  dataDir: string;
  mllpPort: number;
  /** Sends one message (text is sent as UTF-8, a Buffer as it is) and returns the decoded reply. */
  send(message: string | Buffer): Promise<string>;
  client(): Promise<MllpClient>;
  stop(): Promise<void>;
}

export function tempDir(prefix = 'hie-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

export async function startTestServer(overrides: DeepPartial<Config> & Record<string, unknown> = {}, dataDir = tempDir(), log: Logger = silentLogger): Promise<TestServer> {
  const config = validate({
    ...overrides,
    ...(await testStoreOverrides(overrides, dataDir)),
    dataDir,
    mllp: { port: 0, ...(overrides.mllp as object) },
    http: { port: 0, ...(overrides.http as object) },
    identity: { token: { issuerKey: 'test-issuer-key-0123456789abcdef' }, ...(overrides.identity as object) },
  });
  const app = await startApp(config, log);
  let shared: MllpClient | undefined;
  const client = () => MllpClient.connect({ host: '127.0.0.1', port: app.ports.mllp!, replyTimeoutMs: 10_000 });
  return {
    app,
    config,
    dataDir,
    mllpPort: app.ports.mllp!,
    client,
    async send(message) {
      shared ??= await client();
      const reply = await shared.send(typeof message === 'string' ? Buffer.from(message, 'utf8') : message);
      return decodeReply(reply);
    },
    async stop() {
      await shared?.close();
      await app.stop();
    },
  };
}

/**
 * HIE_TEST_STORE=postgres runs the servers of the tests on PostgreSQL (a throwaway cluster shared by
 * the test process, a database per data folder) unless a test names its engine itself.
 */
async function testStoreOverrides(overrides: Record<string, unknown>, dataDir: string): Promise<Record<string, unknown>> {
  const store = (overrides.store ?? {}) as { engine?: string };
  if (process.env.HIE_TEST_STORE !== 'postgres' || store.engine !== undefined) return {};
  const cluster = await sharedPostgres();
  return { store: { ...store, engine: 'postgres', postgres: { url: cluster.url(await databaseFor(cluster, path.resolve(dataDir))), poolSize: 4 } } };
}

export function decodeReply(reply: Buffer): string {
  return decodeMessage(reply, declaredCharset(reply, 'utf-8').charset);
}

/** Segments of a reply by type: fields split on |, so seg('MSA')[1] is MSA-1. */
export function segments(reply: string, type: string): string[][] {
  return reply
    .split('\r')
    .filter((l) => l.startsWith(type + '|'))
    .map((l) => l.split('|'));
}

export function field(reply: string, type: string, n: number, occurrence = 0): string {
  const seg = segments(reply, type)[occurrence];
  if (!seg) return '';
  // MSH-n is at index n - 1 because MSH-1 is the separator itself.
  return (type === 'MSH' ? seg[n - 1] : seg[n]) ?? '';
}
