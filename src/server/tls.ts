/** TLS server options from config: node certificate, and client certificates checked against the CA. */
import fs from 'node:fs';
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
