/**
 * The load generator, a child process of the benchmark: opens its TLS connections (client
 * certificate), tells the parent it is ready, and on 'go' writes its frames as fast as each connection
 * drains, then reports.
 */
import fs from 'node:fs';
import tls from 'node:tls';
import { frames } from './messages.ts';

export interface LoadJob {
  port: number;
  connections: number;
  events: number;
  ca: string;
  cert: string;
  key: string;
}

function connect(job: LoadJob): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: job.port, servername: 'localhost', ca: fs.readFileSync(job.ca), cert: fs.readFileSync(job.cert), key: fs.readFileSync(job.key) });
    s.once('secureConnect', () => resolve(s));
    s.once('error', reject);
  });
}

async function writeAll(s: tls.TLSSocket, data: Buffer): Promise<void> {
  const CHUNK = 64 * 1024;
  for (let at = 0; at < data.length; at += CHUNK) {
    if (!s.write(data.subarray(at, at + CHUNK))) await new Promise((r) => s.once('drain', r));
  }
}

export type LoadCommand = { type: 'job'; job: LoadJob } | { type: 'go' } | { type: 'end' };

let sockets: tls.TLSSocket[] = [];
let data: Buffer[] = [];

process.on('message', async (m: LoadCommand) => {
  if (m.type === 'job') {
    const job = m.job;
    const per = Math.ceil(job.events / job.connections);
    data = Array.from({ length: job.connections }, (_, c) => frames(c * per, Math.min(per, job.events - c * per)));
    sockets = await Promise.all(data.map(() => connect(job)));
    for (const s of sockets) s.on('error', () => undefined);
    // TLS 1.3 reports a refused client certificate just after the handshake: wait for it before going.
    await new Promise((r) => setTimeout(r, 300));
    process.send!({ type: 'ready', bytes: data.reduce((n, d) => n + d.length, 0) });
  } else if (m.type === 'go') {
    await Promise.all(sockets.map((s, i) => writeAll(s, data[i])));
    process.send!({ type: 'written' });
  } else {
    for (const s of sockets) s.end();
    process.exit(0);
  }
});
