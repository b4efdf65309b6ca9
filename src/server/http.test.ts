import http from 'node:http';
import { expect } from 'chai';
import express from 'express';
import { silentLogger } from '../kernel/logger.ts';
import { internalContext } from '../kernel/requestContext.ts';
import { HttpListener } from './http.ts';

function get(port: number, path: string): Promise<{ status: number; body: string; connection?: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: new http.Agent({ keepAlive: true }) }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
      })
      .on('error', reject);
  });
}

describe('HttpListener: stopping', () => {
  const listener = (shutdownGraceMs: number, waitMs: number) => {
    const l = new HttpListener({ host: '127.0.0.1', port: 0, contextOf: () => internalContext(), shutdownGraceMs }, async () => ({}), silentLogger);
    const slow = express.Router();
    slow.get('/', (_req, res) => {
      setTimeout(() => res.json({ done: true }), waitMs);
    });
    l.mount('/slow', slow);
    return l;
  };

  it('stops accepting, lets a request in flight finish and closes its keep-alive connection', async () => {
    const l = listener(5000, 300);
    const port = await l.listen();
    const inFlight = get(port, '/slow');
    await new Promise((r) => setTimeout(r, 50));
    const closed = l.close();
    const r = await inFlight;
    expect(r).to.deep.include({ status: 200, body: '{"done":true}', connection: 'close' });
    await closed;
    const refused = await get(port, '/health/live').then(
      () => 'answered',
      (e: NodeJS.ErrnoException) => e.code,
    );
    expect(refused).to.equal('ECONNREFUSED');
  });

  it('closes a request still running at the deadline', async () => {
    const l = listener(200, 60_000);
    const port = await l.listen();
    const inFlight = get(port, '/slow').then(
      () => 'answered',
      (e: NodeJS.ErrnoException) => e.code,
    );
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await l.close();
    expect(Date.now() - t0).to.be.within(150, 5000);
    expect(await inFlight).to.equal('ECONNRESET');
  });
});
