/**
 * The client side of TLS with a node's own certificate (ATNA node authentication, ITI TF-2a 3.19):
 * the PEM files a client presents and trusts, and a failed connection said in words a person can act on.
 */
import fs from 'node:fs';

/** PEM file names: the CA that signs the server's certificate, and this node's certificate and key. */
export interface TlsClientFiles {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** The PEM contents of those files (for tls.connect and https.request). */
export interface TlsClientPem {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export class TlsFilesError extends Error {}

/** Reads the files; a certificate without its key (or a key without its certificate) is refused. */
export function readTlsClientFiles(files: TlsClientFiles): TlsClientPem {
  if (!!files.cert !== !!files.key) throw new TlsFilesError('a client certificate needs its key, and a key its certificate (give both --cert and --key)');
  const read = (what: string, file: string | undefined) => {
    if (!file) return undefined;
    try {
      return fs.readFileSync(file);
    } catch (e) {
      throw new TlsFilesError(`cannot read the ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  return { ca: read('CA certificate', files.ca), cert: read('client certificate', files.cert), key: read('client key', files.key) };
}

/** OpenSSL verification codes of the server's certificate (node:tls puts them in error.code). */
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
]);

/** Why a TLS connection to `target` failed, in words that say which side and which file to look at. */
export function describeTlsFailure(target: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const code = String(err?.code ?? '');
  const detail = err?.message ?? String(e);
  if (UNTRUSTED.has(code)) return `TLS to ${target} failed: the server's certificate is not signed by the CA given (--ca or the ca of the config) [${code}: ${detail}]`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `TLS to ${target} failed: the server's certificate does not name this host [${detail}]`;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return `TLS to ${target} failed: the server's certificate is not valid now [${code}]`;
  if (/alert|certificate required|bad certificate|unknown ca|ECONNRESET|EPIPE|socket hang up|closed by peer/i.test(`${code} ${detail}`)) {
    return `TLS to ${target} failed: the server refused the connection, most likely this node's certificate (--cert/--key: missing, or not signed by a CA the server trusts) [${code || detail}]`;
  }
  return `connection to ${target} failed: ${code ? `${code}: ` : ''}${detail}`;
}
