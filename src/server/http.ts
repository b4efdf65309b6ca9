/**
 * The HTTP listener: one express application, to which each area mounts its routes before the
 * listener starts (`mount`). It answers GET /health itself; unknown paths get 404 JSON, and an error
 * that escapes a route gets 500 without any detail of it.
 */
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { listen } from '../kernel/listen.ts';
import type { Logger } from '../kernel/logger.ts';
import { onTlsRefused, peerCertificate, type TlsRefusalHandler } from '../kernel/tls.ts';
import { setHttpContext } from '../kernel/httpContext.ts';
import type { CertificateInfo, RequestContext } from '../kernel/requestContext.ts';

/** The request line and header fields of one HTTP request, together (Node's own default, made explicit). */
export const MAX_HTTP_HEADER_BYTES = 16 * 1024;

export type HealthProbe = () => Promise<Record<string, unknown>>;

export class HttpListener {
  private readonly app = express();
  private server?: http.Server;

  constructor(
    private readonly opts: {
      host: string;
      port: number;
      tls?: tls.TlsOptions;
      onTlsRefused?: TlsRefusalHandler;
      /** Who the peer is: its node, from its client certificate or its loopback address. */
      contextOf(address: string, certificate?: CertificateInfo): RequestContext;
    },
    health: HealthProbe,
    private readonly log: Logger,
  ) {
    this.app.disable('x-powered-by');
    this.app.use((req: Request, _res: Response, next: NextFunction) => {
      setHttpContext(req, this.opts.contextOf(req.socket.remoteAddress ?? '', peerCertificate(req.socket)));
      next();
    });
    this.app.get('/health', async (_req, res) => {
      try {
        res.json({ status: 'ok', ...(await health()) });
      } catch {
        res.status(503).json({ status: 'unavailable' });
      }
    });
  }

  /** Adds an area's routes under `path`; call before listen(). */
  mount(path: string, router: Router): void {
    this.app.use(path, router);
  }

  async listen(): Promise<number> {
    this.app.use((req: Request, res: Response) => {
      res.status(404).json({ error: 'not found', path: req.path });
    });
    this.app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
      this.log.error('http.internal-error', { path: req.path, error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) res.status(500).json({ error: 'internal error' });
    });
    // Header blocks above the limit are answered 431 Request Header Fields Too Large (RFC 6585 5) by Node itself.
    const limits = { maxHeaderSize: MAX_HTTP_HEADER_BYTES };
    this.server = this.opts.tls ? https.createServer({ ...this.opts.tls, ...limits }, this.app) : http.createServer(limits, this.app);
    if (this.opts.tls && this.opts.onTlsRefused) onTlsRefused(this.server, this.opts.onTlsRefused);
    return listen(this.server, this.opts.port, this.opts.host);
  }

  async close(): Promise<void> {
    if (!this.server) return;
    await new Promise<void>((resolve) => {
      this.server!.close(() => resolve());
      this.server!.closeAllConnections();
    });
  }
}
