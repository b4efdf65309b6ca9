/** xmllint as the reference schema validator of the tests (Debian: libxml2-utils). */
import { spawnSync } from 'node:child_process';

export const XMLLINT_MISSING = 'xmllint not found: apt-get install libxml2-utils';

export function xmllintAvailable(): boolean {
  const r = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

export interface Validation {
  valid: boolean;
  errors: string[];
}

/** Validates files against a schema in one xmllint run; errors are grouped by file. */
export function xmllintValidate(schema: string, files: string[]): Map<string, Validation> {
  const out = new Map<string, Validation>();
  if (files.length === 0) return out;
  const r = spawnSync('xmllint', ['--noout', '--schema', schema, ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(XMLLINT_MISSING) : r.error;
  const lines = `${r.stdout}\n${r.stderr}`.split('\n');
  for (const f of files) {
    const errors = lines.filter((l) => l.startsWith(f + ':'));
    const valid = lines.includes(`${f} validates`);
    out.set(f, { valid, errors: valid ? [] : errors.length ? errors : lines.filter((l) => l.includes(f)) });
  }
  return out;
}
