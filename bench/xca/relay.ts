/**
 * The floor of a gateway's retrieve (npm run bench:xca): a store-and-forward relay in its own
 * process, the least any gateway that checks an answer before passing it on must do. It reads the
 * whole request, sends it to the target, reads the whole answer into memory and sends it back with
 * its Content-Type. No parsing, no audit, no second request.
 *
 * Usage: tsx bench/xca/relay.ts TARGET_URL; prints `RELAY <port>` once listening.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const target = new URL(process.argv[2]);
const agent = new http.Agent({ keepAlive: true });

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const server = http.createServer(async (req, res) => {
  try {
    const body = await readAll(req);
    const answer = await new Promise<{ contentType: string; body: Buffer; status: number }>((resolve, reject) => {
      const out = http.request(target, { method: 'POST', agent, headers: { 'content-type': req.headers['content-type'] ?? '', 'content-length': body.length } }, (r) => {
        readAll(r).then((b) => resolve({ contentType: String(r.headers['content-type'] ?? ''), body: b, status: r.statusCode ?? 502 }), reject);
      });
      out.on('error', reject);
      out.end(body);
    });
    res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': answer.body.length });
    res.end(answer.body);
  } catch (e) {
    res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(e instanceof Error ? e.message : String(e));
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`RELAY ${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
