/** The demo configuration (hie serve --demo): the facilities of the SS-MIX2 samples added to identity.domains, with their names. */
import type { Config } from '../../kernel/config.ts';
import { DEMO_SAMPLES, demoFacilities } from '../../ingest/demo.ts';
import { validate } from './load.ts';

/** The config with the sample facilities added to identity.domains (those already there are kept). */
export function withDemoFacilities(config: Config, samples = DEMO_SAMPLES): Config {
  const doc = structuredClone(config) as unknown as { identity: { domains: { namespace: string; oid: string; displayName?: string }[] } };
  for (const f of demoFacilities(samples)) {
    // With the facility's name, as the patient access report shows it.
    if (!doc.identity.domains.some((d) => d.oid === f.oid || d.namespace === f.namespace)) doc.identity.domains.push({ namespace: f.namespace, oid: f.oid, displayName: f.name });
  }
  return validate(doc as never);
}
