/**
 * The demo: the synthetic SS-MIX2 trees committed in ssmix-samples/ (written by `hie ssmix generate`)
 * loaded into a fresh store at start, so that a new user finds patients and documents at once.
 */
import { IngestRunLog } from './runLog.ts';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../kernel/config.ts';
import type { GeneratedFacility } from '../ssmix/generator/generate.ts';
import { MANIFEST } from '../ssmix/generator/generate.ts';
import { resolveFacility, ssmix2Ingest, type IngestDeps } from './assemble.ts';
import type { IngestReport } from './ssmix2/ingestRun.ts';

export const DEMO_SAMPLES = path.resolve(import.meta.dirname, '..', '..', 'ssmix-samples');

export function demoFacilities(samples = DEMO_SAMPLES): GeneratedFacility[] {
  const file = path.join(samples, MANIFEST);
  if (!fs.existsSync(file)) throw new Error(`no SS-MIX2 samples at ${samples} (${MANIFEST} missing)`);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { facilities: GeneratedFacility[] }).facilities;
}

/** Files the store has taken in already (by the demo or `hie ingest`): the demo loads only into a store with none. */
export function ingestedFiles(deps: Pick<IngestDeps, 'store'>): Promise<number> {
  return deps.store.read((tx) => tx.ingest.ingestItemCount());
}

/** What `hie serve --demo` says when the store had taken files in already, so nothing was loaded. */
export function demoNotLoadedNote(dataDir: string, files: number): string {
  return (
    `demo: not loaded again: the store in ${dataDir} holds ${files} SS-MIX2 files taken in already ` +
    `(an earlier 'npm run demo' or 'hie ingest'); its patients and documents are served as they are. ` +
    `For a fresh demo, start with an empty --data-dir.\n`
  );
}

/** Ingests every sample facility when the store has taken nothing in yet; returns the reports (none when it had). */
export async function loadDemo(config: Config, deps: IngestDeps, samples = DEMO_SAMPLES): Promise<{ facility: GeneratedFacility; report: IngestReport }[]> {
  if ((await ingestedFiles(deps)) > 0) return [];
  const out = [];
  for (const f of demoFacilities(samples)) {
    const root = path.join(samples, f.root);
    const facility = await resolveFacility(config, deps, f.namespace);
    const report = await ssmix2Ingest(config, deps, root).run({ root, facility, concurrency: config.ingest.ssmix2.concurrency });
    new IngestRunLog(config.dataDir).append(root, f.namespace, report);
    out.push({ facility: f, report });
  }
  return out;
}
