/**
 * The HTTP listener: one express application, to which each area mounts its routes before the
 * listener starts (`mount`). It answers GET /health, /health/live (the process answers) and
 * /health/ready (ready for traffic: started, and not stopping) itself; unknown paths get 404 JSON,
 * and an error that escapes a route gets 500 without any detail of it. Closing stops accepting, lets
 * requests in flight finish up to a deadline, then closes what is left. Deadlines: the headers within
 * headersTimeoutMs, the whole request (headers and body) within requestTimeoutMs, else 408 Request
 * Timeout (RFC 9110 15.5.9) and the connection closed; a connection without traffic for idleTimeoutMs
 * is closed. The connection caps are kept by the gate.
 */
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { ConnectionGate } from '../kernel/connectionGate.ts';
import { listen } from '../kernel/listen.ts';
import type { Logger } from '../kernel/logger.ts';
import { onTlsRefused, peerCertificate, type TlsRefusalHandler } from '../kernel/tls.ts';
import { setHttpContext } from '../kernel/httpContext.ts';
import { InsufficientStorage } from '../kernel/freeSpace.ts';
import { StoreUnavailableError } from '../kernel/storeUnavailable.ts';
import type { CertificateInfo, RequestContext } from '../kernel/requestContext.ts';

/** The request line and header fields of one HTTP request, together (Node's own default, made explicit). */
export const MAX_HTTP_HEADER_BYTES = 16 * 1024;

export type HealthProbe = () => Promise<Record<string, unknown>>;

export class HttpListener {
  private readonly app = express();
  private server?: http.Server;
  private closing = false;
  private readonly inFlight = new Set<http.ServerResponse>();

  constructor(
    private readonly opts: {
      host: string;
      port: number;
      tls?: tls.TlsOptions;
      onTlsRefused?: TlsRefusalHandler;
      /** Who the peer is: its node, from its client certificate or its loopback address. */
      contextOf(address: string, certificate?: CertificateInfo): RequestContext;
      /** 'ready' when the server takes traffic (GET /health/ready answers 200), else why not (503). */
      readiness?(): string;
      /** How long close() waits for requests in flight before it closes their connections. */
      shutdownGraceMs?: number;
      /** The request's headers must have come within this time (ms). */
      headersTimeoutMs?: number;
      /** The whole request, body included, must have come within this time (ms); not less than headersTimeoutMs. */
      requestTimeoutMs?: number;
      /** A connection without traffic either way for this long is closed. */
      idleTimeoutMs?: number;
      gate?: ConnectionGate;
    },
    health: HealthProbe,
    private readonly log: Logger,
  ) {
    this.app.disable('x-powered-by');
    this.app.use((_req: Request, res: Response, next: NextFunction) => {
      if (this.closing) res.setHeader('Connection', 'close');
      this.inFlight.add(res);
      res.once('close', () => this.inFlight.delete(res));
      next();
    });
    this.app.use((req: Request, _res: Response, next: NextFunction) => {
      setHttpContext(req, this.opts.contextOf(req.socket.remoteAddress ?? '', peerCertificate(req.socket)));
      next();
    });
    this.app.get('/health/live', (_req, res) => {
      res.json({ status: 'live' });
    });
    this.app.get('/health/ready', (_req, res) => {
      const state = this.opts.readiness?.() ?? 'ready';
      res.status(state === 'ready' ? 200 : 503).json({ status: state });
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
      // Writes refused for want of space: 507 Insufficient Storage (RFC 4918 11.5).
      if (err instanceof InsufficientStorage) {
        if (!res.headersSent) res.status(507).json({ error: 'insufficient storage: nothing was stored' });
        return;
      }
      if (err instanceof StoreUnavailableError) {
        this.log.warn('http.store-unavailable', { path: req.path, error: err.message });
        if (!res.headersSent) res.status(503).json({ error: 'the database is unavailable: nothing was done' });
        return;
      }
      this.log.error('http.internal-error', { path: req.path, error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) res.status(500).json({ error: 'internal error' });
    });
    const headersTimeout = this.opts.headersTimeoutMs ?? 60_000;
    const requestTimeout = this.opts.requestTimeoutMs ?? 300_000;
    const deadlines: http.ServerOptions = {
      headersTimeout,
      requestTimeout,
      // node:http looks for expired requests this often: a fraction of the shortest deadline.
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(Math.min(headersTimeout, requestTimeout) / 4))),
      // Header blocks above the limit are answered 431 Request Header Fields Too Large (RFC 6585 5).
      maxHeaderSize: MAX_HTTP_HEADER_BYTES,
    };
    this.server = this.opts.tls ? https.createServer({ ...this.opts.tls, ...deadlines }, this.app) : http.createServer(deadlines, this.app);
    this.server.setTimeout(this.opts.idleTimeoutMs ?? 0);
    this.opts.gate?.attach(this.server);
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: import('node:stream').Duplex) => this.clientError(err, socket));
    if (this.opts.tls && this.opts.onTlsRefused) onTlsRefused(this.server, this.opts.onTlsRefused);
    return listen(this.server, this.opts.port, this.opts.host);
  }

  /**
   * A request node:http could not take (a deadline passed, headers too large, bad syntax): answered
   * as node:http would, and logged once.
   */
  private clientError(err: NodeJS.ErrnoException, socket: import('node:stream').Duplex): void {
    const status = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const net = socket as import('node:net').Socket;
    if (err.code !== 'ECONNRESET') this.log.warn('http.client-error', { peer: net.remoteAddress, code: err.code, status });
    if (net.writable && net.bytesWritten === 0) {
      const text = http.STATUS_CODES[status] ?? 'Bad Request';
      net.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    }
    net.end();
    setTimeout(() => net.destroy(), 1000).unref();
  }

  async close(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    // A keep-alive connection is closed once its request in flight is answered, and takes no other.
    this.closing = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    await new Promise<void>((resolve) => {
      const deadline = setTimeout(() => server.closeAllConnections(), this.opts.shutdownGraceMs ?? 0);
      server.close(() => {
        clearTimeout(deadline);
        resolve();
      });
      server.closeIdleConnections();
    });
  }
}
