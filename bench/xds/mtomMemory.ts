/**
 * How much memory a flood of small MTOM parts costs the server (issue 15): concurrent ITI-41 requests,
 * each an envelope and N parts of B bytes that nothing in the envelope references (every part under the
 * spool threshold), sent to a child `hie serve` process. The child's peak resident set (VmHWM in
 * /proc/PID/status) is read after a warm-up request and after the concurrent ones; the growth divided
 * by the requests is the memory one request cost at most. Linux only (procfs).
 *
 *   npx tsx bench/xds/mtomMemory.ts [--requests 3] [--parts 400] [--part-bytes 1048576]
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawnServer } from '../../test/helpers/childServer.ts';

export interface MtomMemoryRun {
  requests: number;
  parts: number;
  partBytes: number;
}

export interface MtomMemoryResult extends MtomMemoryRun {
  /** Peak resident set of the child after the warm-up, and after the concurrent requests (bytes). */
  baselineHwm: number;
  peakHwm: number;
  /** (peak - baseline) / requests. */
  perRequest: number;
  /** HTTP statuses of the requests (each answered). */
  statuses: number[];
}

const ITI41 = 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b';

function envelope(): string {
  return (
    `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://www.w3.org/2005/08/addressing"><soap:Header>` +
    `<wsa:Action soap:mustUnderstand="true">${ITI41}</wsa:Action><wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID></soap:Header>` +
    `<soap:Body><xdsb:ProvideAndRegisterDocumentSetRequest xmlns:xdsb="urn:ihe:iti:xds-b:2007"><lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"/>` +
    `</xdsb:ProvideAndRegisterDocumentSetRequest></soap:Body></soap:Envelope>`
  );
}

/** Sends one package, writing the same part buffer `parts` times (the client holds one copy). */
function sendPackage(port: number, parts: number, part: Buffer): Promise<number> {
  const boundary = `b_${randomUUID()}`;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/services/repository',
        method: 'POST',
        headers: { 'Content-Type': `multipart/related; boundary="${boundary}"; type="application/xop+xml"; start="<root@b>"; start-info="application/soap+xml"; action="${ITI41}"` },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    const write = (b: Buffer | string) => (req.write(b) ? Promise.resolve() : new Promise<void>((r) => req.once('drain', () => r())));
    void (async () => {
      await write(`--${boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\nContent-ID: <root@b>\r\n\r\n${envelope()}`);
      for (let i = 0; i < parts; i++) {
        await write(`\r\n--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-ID: <unreferenced-${i}@b>\r\n\r\n`);
        await write(part);
      }
      req.end(`\r\n--${boundary}--\r\n`);
    })().catch(reject);
  });
}

function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error('no VmHWM in /proc/PID/status');
  return Number(m[1]) * 1024;
}

export async function measureMtomMemory(run: MtomMemoryRun, env: NodeJS.ProcessEnv = {}): Promise<MtomMemoryResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-mtom-memory-'));
  const server = await spawnServer(dataDir, [], env);
  try {
    const pid = server.process.pid!;
    const part = Buffer.alloc(run.partBytes, 0x61);
    // Warm-up: the code paths loaded, the heap grown to its working size.
    await sendPackage(server.httpPort!, 4, part);
    const baselineHwm = peakRss(pid);
    const statuses = await Promise.all(Array.from({ length: run.requests }, () => sendPackage(server.httpPort!, run.parts, part)));
    const peakHwm = peakRss(pid);
    return { ...run, baselineHwm, peakHwm, perRequest: (peakHwm - baselineHwm) / run.requests, statuses };
  } finally {
    await server.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, d: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : d;
  };
  // --budget N: xds.limits.memoryPerRequestBytes of the child (a huge one shows the memory unbounded).
  const budget = process.argv.includes('--budget') ? { HIE__XDS__LIMITS__MEMORYPERREQUESTBYTES: String(arg('budget', 0)) } : {};
  const r = await measureMtomMemory({ requests: arg('requests', 3), parts: arg('parts', 400), partBytes: arg('part-bytes', 1 << 20) }, budget);
  const mb = (n: number) => (n / 1048576).toFixed(1);
  console.log(`${r.requests} concurrent ITI-41, ${r.parts} unreferenced parts of ${r.partBytes} bytes each: statuses ${r.statuses.join(',')}`);
  console.log(`peak RSS ${mb(r.baselineHwm)} MiB after warm-up, ${mb(r.peakHwm)} MiB after; ${mb(r.perRequest)} MiB per request (load ${os.loadavg()[0].toFixed(2)})`);
}
