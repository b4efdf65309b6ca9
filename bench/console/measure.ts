/** Page timings for the console benchmark: one request at a time over one keep-alive client, every answer checked. */
import { ConsoleClient } from '../../test/helpers/consoleClient.ts';
import { percentile } from '../xds/stats.ts';

export interface PageLatency {
  page: string;
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function latencyOf(page: string, ms: number[]): PageLatency {
  const s = [...ms].sort((a, b) => a - b);
  return { page, n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

/** A page the console must answer with 200 and a whole HTML document (or the stylesheet). */
export async function fetchPage(c: ConsoleClient, url: string): Promise<string> {
  const r = await c.get(url);
  if (r.status !== 200) throw new Error(`GET ${url}: ${r.status} ${r.body.slice(0, 300)}`);
  if (!url.endsWith('.css') && !r.body.includes('</html>')) throw new Error(`GET ${url}: not a whole page`);
  return r.body;
}

/**
 * `requests` GETs of the page's URLs in turn (the first `warmup` untimed), by the clients in turn
 * (several signed-in patients each open their own page); the latencies of the rest.
 */
export async function timePage(c: ConsoleClient | ConsoleClient[], urls: string[], requests: number, warmup: number): Promise<number[]> {
  if (urls.length === 0) throw new Error('no URL to time');
  const clients = Array.isArray(c) ? c : [c];
  const ms: number[] = [];
  for (let i = 0; i < warmup + requests; i++) {
    const t0 = performance.now();
    await fetchPage(clients[i % clients.length]!, urls[i % urls.length]!);
    if (i >= warmup) ms.push(performance.now() - t0);
  }
  return ms;
}

/** Every distinct match of the pattern's first group, in order. */
export function linksIn(body: string, pattern: RegExp): string[] {
  return [...new Set([...body.matchAll(pattern)].map((m) => decodeURIComponent(m[1]!)))];
}

export const table = (rows: PageLatency[]) =>
  rows.map((r) => `  ${r.page.padEnd(34)} n=${String(r.n).padStart(5)}  p50 ${r.p50.toFixed(1).padStart(6)} ms  p95 ${r.p95.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  max ${r.max.toFixed(1).padStart(7)} ms`).join('\n');
