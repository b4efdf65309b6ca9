/**
 * Builds (or finds already built) the cached registries of bench:xds ahead of a run:
 * `npx tsx bench/xds/buildCorpus.ts 10000 100000 1000000`.
 */
import path from 'node:path';
import { corpus } from './corpus.ts';

const root = path.resolve(import.meta.dirname, '../../var/bench');
for (const n of process.argv.slice(2).map(Number).filter((x) => x > 0)) {
  const t0 = performance.now();
  const c = await corpus(n, root, (m) => process.stderr.write(m + '\n'));
  process.stderr.write(`${n.toLocaleString()} entries (${c.patients.toLocaleString()} patients) ready in ${c.dataDir} after ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}
