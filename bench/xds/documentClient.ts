/**
 * The ITI-41/ITI-43 load generator's HTTP client, light enough not to take the server's CPU on a
 * two-core machine: a request is written as its pieces (the 1 MB document is not copied into one
 * buffer), and a response is checked as it streams in (status, RegistryResponse success, the
 * document's first bytes) instead of being gathered into one buffer.
 */
import http from 'node:http';

export interface StreamedReply {
  status: number;
  bytes: number;
  /** The response's first bytes, for the status and the error text. */
  head: string;
  /** Whether `marker` occurred in the response. */
  found: boolean;
}

export function postStreamed(agent: http.Agent, port: number, urlPath: string, contentType: string, pieces: Buffer[], marker?: Buffer): Promise<StreamedReply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method: 'POST', agent, headers: { 'Content-Type': contentType, 'Content-Length': pieces.reduce((n, p) => n + p.length, 0) } }, (res) => {
      let bytes = 0;
      let head = '';
      let found = false;
      let tail: Buffer = Buffer.alloc(0);
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (head.length < 4096) head += c.toString('latin1', 0, Math.min(c.length, 4096));
        if (marker && !found) {
          // The marker may straddle two chunks: search the previous chunk's tail with this one's start.
          const edge = Buffer.concat([tail, c.subarray(0, marker.length)]);
          found = edge.indexOf(marker) >= 0 || c.indexOf(marker) >= 0;
          tail = c.subarray(Math.max(0, c.length - marker.length + 1));
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, head, found }));
      res.on('error', reject);
    });
    req.on('error', reject);
    for (const p of pieces) req.write(p);
    req.end();
  });
}
