/**
 * The PDQ benchmark's database: N synthetic patients, loaded once and cached under the bench folder
 * (./var/bench/pdq-<N>-s<seed>-v<version>/hie.db) so that later runs reuse it.
 *
 * Loading a million patients over MLLP would take too long, so each patient's ADT^A04 is built as
 * the feed benchmark sends it, parsed and decoded as ITI-8 does (Hl7v2Message, decodeIti8,
 * toPatientFeed) and registered with IdentityService.registerFeed, many per store.write. What is
 * skipped is only MLLP, the ACK and the per-feed audit record.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Hl7v2Message } from '../../src/hl7v2/message.ts';
import { decodeIti8 } from '../../src/pix/iti8/decode.ts';
import { toPatientFeed } from '../../src/pix/patientFeed.ts';
import { openServices } from '../../src/server/app.ts';
import { silentLogger } from '../../src/kernel/logger.ts';
import { adtA04, FACILITIES } from './messages.ts';
import { patient } from './population.ts';
import { benchConfig } from './servers.ts';

/** Bump when the population or the load path changes, so that stale caches are not reused. */
const GENERATION = 1;
const BATCH = 2000;

interface Manifest {
  generation: number;
  seed: number;
  patients: number;
  builtAt: string;
  seconds: number;
}

export async function pdqDatabase(o: { benchDir: string; patients: number; seed: number; log: (s: string) => void }): Promise<string> {
  const dir = path.resolve(o.benchDir, `pdq-${o.patients}-s${o.seed}-v${GENERATION}`);
  const manifestFile = path.join(dir, 'manifest.json');
  if (fs.existsSync(manifestFile)) {
    const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Manifest;
    o.log(`PDQ database: reusing ${path.relative(process.cwd(), dir)} (${m.patients.toLocaleString('en-US')} patients, built ${m.builtAt} in ${m.seconds.toFixed(0)} s)`);
    return dir;
  }
  const building = `${dir}.building`;
  fs.rmSync(building, { recursive: true, force: true });
  o.log(`PDQ database: loading ${o.patients.toLocaleString('en-US')} patients into ${path.relative(process.cwd(), building)} (once; later runs reuse it)`);
  const t0 = performance.now();
  const s = await openServices(benchConfig(building), silentLogger);
  try {
    let lastLog = t0;
    for (let start = 0; start < o.patients; start += BATCH) {
      const end = Math.min(o.patients, start + BATCH);
      await s.store.write(async (tx) => {
        for (let i = start; i < end; i++) {
          const f = FACILITIES[i % FACILITIES.length];
          const req = decodeIti8(Hl7v2Message.parse(adtA04(patient(o.seed, i), f, `L${i}`, 'utf-8')), 20);
          const feed = await toPatientFeed(tx, s.domains, req.ids, req.demographics, { application: f.application, facility: f.namespace });
          await s.identity.registerFeed(tx, feed);
        }
      });
      const now = performance.now();
      if (now - lastLog > 10_000 || end === o.patients) {
        lastLog = now;
        const rate = end / ((now - t0) / 1000);
        o.log(`  ${end.toLocaleString('en-US')} patients, ${Math.round(rate).toLocaleString('en-US')}/s, ${(((o.patients - end) / rate) / 60).toFixed(1)} min to go`);
      }
    }
  } finally {
    await s.store.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const manifest: Manifest = { generation: GENERATION, seed: o.seed, patients: o.patients, builtAt: new Date().toISOString(), seconds };
  fs.writeFileSync(path.join(building, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(building, dir);
  o.log(`PDQ database: ${o.patients.toLocaleString('en-US')} patients loaded in ${seconds.toFixed(0)} s`);
  return dir;
}
