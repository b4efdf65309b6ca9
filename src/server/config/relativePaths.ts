/**
 * The files a configuration file names, resolved from the file's folder: a config kept beside its
 * certificates (`"cert": "certs/hie.pem"`) means the same wherever the server is started from.
 * Paths from environment variables and flags stay relative to the working directory, as a shell
 * user expects. store.sqlite.file and xds.repository.blobDir are relative to dataDir, not here.
 */
import path from 'node:path';

/** Dotted key paths of file names; `*` is every item of an array. */
export const FILE_KEYS: readonly string[] = [
  'dataDir',
  ...['mllp.tls', 'http.tls', 'syslog.tls'].flatMap((t) => ['cert', 'key', 'ca', 'crl'].map((k) => `${t}.${k}`)),
  ...['atna.repositories.*.tls', 'pix.consumers.*.tls', 'xds.repository.registryTls', 'store.postgres.tls'].flatMap((t) => ['cert', 'key', 'ca'].map((k) => `${t}.${k}`)),
  'xua.identityProviders.*.cert',
  'iua.issuers.*.jwksFile',
];

type Json = Record<string, unknown>;

/** Resolves, in place, every relative file name of a parsed config file against `folder`. */
export function resolveFilePaths(doc: Json, folder: string): void {
  for (const key of FILE_KEYS) visit(doc, key.split('.'), folder);
}

function visit(node: unknown, keys: string[], folder: string): void {
  if (typeof node !== 'object' || node === null) return;
  const [key, ...rest] = keys;
  if (key === '*') {
    if (Array.isArray(node)) for (const item of node) visit(item, rest, folder);
    return;
  }
  const o = node as Json;
  if (rest.length > 0) return visit(o[key], rest, folder);
  const v = o[key];
  if (typeof v === 'string' && v !== '' && !path.isAbsolute(v)) o[key] = path.resolve(folder, v);
}
