/** Shared command-line plumbing: config from --config/--data-dir, a usage error type. */
import { loadConfig } from '../server/config/load.ts';
import type { Config } from '../kernel/config.ts';

export class UsageError extends Error {}

export interface CommonFlags {
  config?: string;
  'data-dir'?: string;
  'log-level'?: string;
}

export const commonOptions = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * The configuration of a command. A server's data folder gets a regional authority of its own when
 * config names none (server/config/regionalAuthority.ts); a client of a remote HIE (the SS-MIX2
 * adapter, --to) uses the one its config names, which must be that HIE's.
 */
export function configFrom(flags: CommonFlags, extra: Record<string, unknown> = {}, opts: { ownRegionalAuthority?: boolean } = {}): Config {
  return loadConfig({
    file: flags.config,
    flags: { dataDir: flags['data-dir'], 'log.level': flags['log-level'], ...extra },
    ownRegionalAuthority: opts.ownRegionalAuthority ?? true,
  });
}

export function intFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port number (0-65535)`);
  return n;
}
