/**
 * Loads the configuration: schema defaults, then the file (--config or HIE_CONFIG; the files it
 * names resolved from its folder), then environment variables, then command-line flags. The result is validated (errors name the bad key) and frozen.
 *
 * Environment: HIE_DATA_DIR, HIE_MLLP_PORT, HIE_HTTP_PORT, HIE_LOG_LEVEL, HIE_TOKEN_KEY, and for any
 * other key HIE__<path> with `__` between the levels, e.g. HIE__IDENTITY__UNKNOWNDOMAINS=reject.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { configSchema } from './schema.ts';
import { ownRegionalAuthority } from './regionalAuthority.ts';
import { resolveFilePaths } from './relativePaths.ts';
import type { Config } from '../../kernel/config.ts';
import { isIanaTimeZone } from '../../kernel/timeZone.ts';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

type Json = Record<string, unknown>;

const ALIASES: Record<string, string[]> = {
  HIE_DATA_DIR: ['dataDir'],
  HIE_MLLP_PORT: ['mllp', 'port'],
  HIE_HTTP_PORT: ['http', 'port'],
  HIE_LOG_LEVEL: ['log', 'level'],
  HIE_TOKEN_KEY: ['identity', 'token', 'issuerKey'],
};

export interface LoadOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Command-line values by path, e.g. { 'mllp.port': 2576 }. */
  flags?: Record<string, unknown>;
  /**
   * When no file, variable or flag names identity.regional.authority, give the server one of its own
   * (regionalAuthority.ts) instead of the schema's example. The `hie` commands do; tests need not.
   */
  ownRegionalAuthority?: boolean;
}

export function loadConfig(opts: LoadOptions = {}): Config {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.HIE_CONFIG;
  let doc: Json = {};
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new ConfigError([`cannot read config file ${file}: ${(e as Error).message}`]);
    }
    try {
      doc = JSON.parse(text) as Json;
    } catch (e) {
      throw new ConfigError([`config file ${file} is not valid JSON: ${(e as Error).message}`]);
    }
    if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) resolveFilePaths(doc, path.dirname(path.resolve(file)));
  }
  for (const [name, path] of Object.entries(ALIASES)) {
    if (env[name] !== undefined) setPath(doc, path, coerce(env[name]!));
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('HIE__') || value === undefined) continue;
    const path = resolvePath(name.slice(5).split('__'));
    if (!path) throw new ConfigError([`${name}: no such configuration key`]);
    setPath(doc, path, coerce(value));
  }
  for (const [dotted, value] of Object.entries(opts.flags ?? {})) {
    if (value !== undefined) setPath(doc, dotted.split('.'), value);
  }
  const config = validate(doc);
  if (!opts.ownRegionalAuthority || hasPath(doc, ['identity', 'regional', 'authority'])) return config;
  const own = structuredClone(config) as unknown as Json;
  setPath(own, ['identity', 'regional', 'authority'], ownRegionalAuthority(config));
  return validate(own);
}

function hasPath(doc: Json, path: string[]): boolean {
  let node: unknown = doc;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !(key in node)) return false;
    node = (node as Json)[key];
  }
  return true;
}

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false });
ajv.addFormat('iana-time-zone', isIanaTimeZone);
const check = ajv.compile(configSchema);

export function validate(doc: Json): Config {
  const copy = structuredClone(doc);
  if (!check(copy)) {
    const problems = (check.errors ?? []).map((e) => {
      const where = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(top level)';
      if (e.keyword === 'additionalProperties') return `${where === '(top level)' ? '' : where + '.'}${String(e.params.additionalProperty)}: unknown key`;
      return `${where}: ${e.message}`;
    });
    throw new ConfigError(problems);
  }
  const http = copy.http as { headersTimeoutMs: number; requestTimeoutMs: number };
  if (http.headersTimeoutMs > http.requestTimeoutMs) throw new ConfigError(['http.headersTimeoutMs: must not be more than http.requestTimeoutMs']);
  const storeProblems = [
    ...postgresProblems(copy.store as unknown as Config['store']),
    ...retentionProblems(copy.store as unknown as Config['store'], copy.atna as unknown as Config['atna']),
  ];
  if (storeProblems.length > 0) throw new ConfigError(storeProblems);
  return deepFreeze(copy) as unknown as Config;
}

/** store.postgres: a URL or its parts, never both; with engine postgres, one of them. */
function postgresProblems(store: Config['store']): string[] {
  const pg = store.postgres;
  const parts = (['host', 'port', 'database', 'user', 'password'] as const).filter((k) => pg[k] !== undefined);
  if (pg.url !== undefined && parts.length > 0) return [`store.postgres: give either url or ${parts.join(', ')}, not both`];
  if (store.engine === 'postgres' && pg.url === undefined && pg.host === undefined) return ['store.postgres: engine postgres needs url, or host (with database and user)'];
  const problems: string[] = [];
  pg.replicas.forEach((r, i) => {
    const rparts = (['host', 'port', 'database', 'user', 'password'] as const).filter((k) => r[k] !== undefined);
    if (r.url !== undefined && rparts.length > 0) problems.push(`store.postgres.replicas.${i}: give either url or ${rparts.join(', ')}, not both`);
    else if (r.url === undefined && r.host === undefined) problems.push(`store.postgres.replicas.${i}: needs url, or host (with database and user)`);
  });
  if (pg.replicas.length > 0 && pg.replicaCheckMs >= pg.replicaMaxLagMs) problems.push('store.postgres.replicaCheckMs: must be less than store.postgres.replicaMaxLagMs');
  return problems;
}

/**
 * atna.retention.months needs month partitions to drop: SQLite would delete row by row while holding
 * its one writer, and give no space back without a VACUUM of the whole file (docs/postgres.md).
 */
function retentionProblems(store: Config['store'], atna: Config['atna']): string[] {
  if (atna.retention.months > 0 && store.engine !== 'postgres') return ['atna.retention.months: removing audit months needs store.engine postgres (SQLite keeps every month)'];
  return [];
}

/** Maps upper-case env path segments onto the schema's camelCase keys. */
function resolvePath(segments: string[]): string[] | undefined {
  const out: string[] = [];
  let node: Json | undefined = configSchema as unknown as Json;
  for (const seg of segments) {
    const props = (node?.properties ?? undefined) as Json | undefined;
    if (!props) return undefined;
    const want = seg.toLowerCase().replace(/_/g, '');
    const key = Object.keys(props).find((k) => k.toLowerCase() === want);
    if (!key) return undefined;
    out.push(key);
    node = props[key] as Json;
  }
  return out;
}

function coerce(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

function setPath(doc: Json, path: string[], value: unknown): void {
  let node = doc;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Json;
  }
  node[path[path.length - 1]] = value;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
