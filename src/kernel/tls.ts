/** TLS server options from config: node certificate, and client certificates checked against the CA. */
import fs from 'node:fs';
import type net from 'node:net';
import tls from 'node:tls';
import type { TlsConfig } from './config.ts';
import type { CertificateInfo } from './requestContext.ts';
import { refusedByGate } from './connectionGate.ts';

export function tlsServerOptions(t: TlsConfig | undefined): tls.TlsOptions | undefined {
  if (!t) return undefined;
  return {
    cert: fs.readFileSync(t.cert),
    key: fs.readFileSync(t.key),
    ca: t.ca ? fs.readFileSync(t.ca) : undefined,
    // Revoked client certificates fail the handshake like untrusted ones (and are audited the same way).
    crl: t.crl ? fs.readFileSync(t.crl) : undefined,
    requestCert: t.requireClientCert,
    rejectUnauthorized: t.requireClientCert,
    minVersion: 'TLSv1.2',
  };
}

export type TlsRefusalHandler = (err: Error, peer: { address: string; port: number }) => void;

/**
 * Reports clients a TLS server refuses in the handshake (node authentication failed). The peer's
 * address is taken when the TCP connection arrives: by the time a handshake fails the socket may be
 * gone, and its address with it.
 */
export function onTlsRefused(server: net.Server, handler: TlsRefusalHandler): void {
  const peers = new WeakMap<net.Socket, { address: string; port: number }>();
  server.on('connection', (raw: net.Socket) => peers.set(raw, { address: raw.remoteAddress ?? '', port: raw.remotePort ?? 0 }));
  server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
    const parent = (socket as unknown as { _parent?: net.Socket })._parent;
    // A connection over a cap (connectionGate.ts) was refused before its handshake, and reported there.
    if (parent && refusedByGate.has(parent)) return;
    const known = parent ? peers.get(parent) : undefined;
    handler(verificationError(socket) ?? err, { address: socket.remoteAddress ?? known?.address ?? '', port: socket.remotePort ?? known?.port ?? 0 });
  });
}

/**
 * Why the client's certificate failed verification (CERT_REVOKED when a configured CRL lists it,
 * UNABLE_TO_VERIFY_LEAF_SIGNATURE for another CA, ...). node:tls ends such a connection itself once
 * the handshake is done, so the error it reports is only the hang-up that follows.
 */
function verificationError(socket: tls.TLSSocket): Error | undefined {
  const code = (socket as tls.TLSSocket & { authorizationError?: Error | string }).authorizationError;
  if (!code) return undefined;
  return Object.assign(new Error('client certificate refused'), { code: String(code) });
}

/** The client certificate of a TLS connection, as the request context names it. */
export function peerCertificate(socket: unknown): CertificateInfo | undefined {
  if (!(socket instanceof tls.TLSSocket)) return undefined;
  const c = socket.getPeerCertificate();
  if (!c || !c.fingerprint256) return undefined;
  const subject = Object.entries(c.subject ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${k}=${String(x)}`))
    .join(',');
  return { subject, fingerprint256: c.fingerprint256, serialNumber: c.serialNumber };
}
