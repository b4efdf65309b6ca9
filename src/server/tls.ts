/** TLS server options from config: node certificate, and client certificates checked against the CA. */
import fs from 'node:fs';
import type net from 'node:net';
import type tls from 'node:tls';
import type { TlsConfig } from './config/types.ts';

export function tlsServerOptions(t: TlsConfig | undefined): tls.TlsOptions | undefined {
  if (!t) return undefined;
  return {
    cert: fs.readFileSync(t.cert),
    key: fs.readFileSync(t.key),
    ca: t.ca ? fs.readFileSync(t.ca) : undefined,
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
    const known = parent ? peers.get(parent) : undefined;
    handler(err, { address: socket.remoteAddress ?? known?.address ?? '', port: socket.remotePort ?? known?.port ?? 0 });
  });
}
