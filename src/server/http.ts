/**
 * The HTTP listener. It answers GET /health now; the XDS, FHIR and ATNA issues mount their routes here.
 */
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import { listen } from './listen.ts';

export type HealthProbe = () => Promise<Record<string, unknown>>;

export class HttpListener {
  private server?: http.Server;

  constructor(
    private readonly opts: { host: string; port: number; tls?: tls.TlsOptions },
    private readonly health: HealthProbe,
  ) {}

  async listen(): Promise<number> {
    const handler: http.RequestListener = (req, res) => void this.route(req, res);
    this.server = this.opts.tls ? https.createServer(this.opts.tls, handler) : http.createServer(handler);
    return listen(this.server, this.opts.port, this.opts.host);
  }

  async close(): Promise<void> {
    if (!this.server) return;
    await new Promise<void>((resolve) => {
      this.server!.close(() => resolve());
      this.server!.closeAllConnections();
    });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      try {
        const body = JSON.stringify({ status: 'ok', ...(await this.health()) });
        res.writeHead(200, { 'content-type': 'application/json' }).end(req.method === 'HEAD' ? undefined : body);
      } catch {
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'unavailable' }));
      }
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found', path: url.pathname }));
  }
}
