/**
 * Where the conformance material is, and what its MANIFEST.tsv says about each file.
 *
 * One setting: the environment variable HIE_CONFORMANCE_DIR. When it is unset the material is
 * `../shared/conformance`, resolved from the project root; a relative value is resolved from the
 * project root too, so that tests find the same folder whatever the working directory.
 *
 * Missing material is never a silent pass: `missingMessage` is the one wording tests use when the
 * folder, its MANIFEST or a file a MANIFEST row names is absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CONFORMANCE_ENV = 'HIE_CONFORMANCE_DIR';

/** The conformance folder (absolute), from HIE_CONFORMANCE_DIR or the default. It may not exist. */
export function conformanceDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[CONFORMANCE_ENV];
  return path.resolve(PROJECT_ROOT, configured && configured.trim() !== '' ? configured : path.join('..', 'shared', 'conformance'));
}

/** The message every test gives when conformance material is absent. */
export function missingMessage(p: string): string {
  return `conformance material missing: ${p}; set ${CONFORMANCE_ENV}`;
}

export class ConformanceMaterialMissing extends Error {
  constructor(readonly missingPath: string) {
    super(missingMessage(missingPath));
    this.name = 'ConformanceMaterialMissing';
  }
}

/** The columns of ../shared/conformance/MANIFEST.tsv, in order. */
export const MANIFEST_COLUMNS = ['local_file', 'source_repo', 'source_path', 'commit', 'what', 'license'] as const;

export interface ManifestRow {
  /** Path relative to the conformance folder, e.g. pix-pdq/v2/ipf_A01.hl7. */
  localFile: string;
  sourceRepo: string;
  sourcePath: string;
  commit: string;
  what: string;
  license: string;
  /** Absolute path of the file. */
  path: string;
  /** Whether the file is there. */
  present: boolean;
  /** 1-based line of the row in MANIFEST.tsv (the header is line 1). */
  line: number;
}

/**
 * Reads a tab-separated file with a header line into records keyed by the header's column names.
 * Blank lines and lines starting with # are skipped; a row with a different number of columns than
 * the header is an error (a tab lost in an edit must not shift a license into a description).
 */
export function readTsv(file: string, required: readonly string[] = []): { columns: string[]; rows: { line: number; values: Record<string, string> }[] } {
  if (!fs.existsSync(file)) throw new ConformanceMaterialMissing(file);
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  const header = lines[0]?.split('\t') ?? [];
  for (const c of required) {
    if (!header.includes(c)) throw new Error(`${file}: header lacks column '${c}' (has: ${header.join(', ')})`);
  }
  const rows: { line: number; values: Record<string, string> }[] = [];
  lines.slice(1).forEach((text, i) => {
    if (text.trim() === '' || text.startsWith('#')) return;
    const cells = text.split('\t');
    if (cells.length !== header.length) {
      throw new Error(`${file}:${i + 2}: ${cells.length} columns where the header has ${header.length}`);
    }
    rows.push({ line: i + 2, values: Object.fromEntries(header.map((h, k) => [h, cells[k]])) });
  });
  return { columns: header, rows };
}

/** The MANIFEST of a conformance folder; throws ConformanceMaterialMissing when folder or file is absent. */
export function readManifest(dir: string = conformanceDir()): ManifestRow[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ConformanceMaterialMissing(dir);
  const { rows } = readTsv(path.join(dir, 'MANIFEST.tsv'), MANIFEST_COLUMNS);
  return rows.map(({ line, values: v }) => {
    const p = path.join(dir, v.local_file);
    return {
      localFile: v.local_file,
      sourceRepo: v.source_repo,
      sourcePath: v.source_path,
      commit: v.commit,
      what: v.what,
      license: v.license,
      path: p,
      present: fs.existsSync(p),
      line,
    };
  });
}

/** Rows whose file is under `folder` (e.g. 'pix-pdq/v2'), in MANIFEST order. */
export function rowsUnder(rows: ManifestRow[], folder: string): ManifestRow[] {
  const prefix = folder.endsWith('/') ? folder : folder + '/';
  return rows.filter((r) => r.localFile.startsWith(prefix));
}

/** A MANIFEST row describes a case the receiver must refuse when its `what` says NEGATIVE. */
export function isNegative(row: Pick<ManifestRow, 'what'>): boolean {
  return /\bNEGATIVE\b/.test(row.what);
}

/** The file's bytes; throws ConformanceMaterialMissing when it is absent. */
export function readMaterial(row: Pick<ManifestRow, 'path'>): Buffer {
  if (!fs.existsSync(row.path)) throw new ConformanceMaterialMissing(row.path);
  return fs.readFileSync(row.path);
}

export type Loaded<T> = { ok: true; value: T } | { ok: false; error: Error };

/**
 * Runs a loader at describe time. Mocha builds suites synchronously, so a loader that throws would
 * abort the whole run with a stack trace; instead the failure is kept and the suite turns it into
 * one failing test that says what is missing.
 */
export function load<T>(fn: () => T): Loaded<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e : new Error(String(e)) };
  }
}
