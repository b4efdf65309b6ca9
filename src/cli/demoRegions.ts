/**
 * `hie demo-regions` (npm run demo:regions): three regional networks on loopback that reach each other
 * through XCA (issue 16). One synthetic SS-MIX2 population of six hospitals is generated; regions A,
 * B and C each take two hospitals, so that a person treated in hospitals of two regions is a patient
 * who moved: the same medical-field token, other local and regional IDs. Each region runs its own
 * server (its homeCommunityId, regional authority, ports, data folder and certificates), loads its
 * hospitals' trees, and records for each of its patients a consent that lets the other two regions
 * see. A-B and B-C are keyed on the token, A-C on that link's own pseudonym. It then prints what to
 * try (README.md, "Three regions").
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { emptyTerms } from '../consent/model.ts';
import { ssmix2Ingest, resolveFacility } from '../ingest/assemble.ts';
import { createLogger } from '../kernel/logger.ts';
import type { Config } from '../kernel/config.ts';
import { startApp, type App } from '../server/app.ts';
import { validate } from '../server/config/load.ts';
import { generate, type GeneratedFacility } from '../ssmix/generator/generate.ts';
import { requestEnvelope } from '../soap/client.ts';
import { UsageError } from './args.ts';
import { certs } from './certs.ts';

export const demoRegionsHelp = `hie demo-regions: three regional servers on loopback that reach each other through XCA

Usage: hie demo-regions [--out DIR] [--patients N] [--seed S] [--base-port P]

Writes DIR/certs, DIR/ssmix (six hospitals), DIR/region-a|b|c (config.json and data), starts the
three servers (region X: HTTPS on P+10*i, MLLP on P+10*i+1, i = 0, 1, 2), loads each region's two
hospitals, and prints the patients who moved and the requests to try. Ctrl-C stops them.

Options:
  --out DIR        working folder (default ./var/regions; must be empty or absent)
  --patients N     people in the population (default 60)
  --seed S         generator seed (default 7)
  --base-port P    first port (default 18100)
`;

const TOKEN_AUTHORITY = { namespace: 'MFTOKEN', oid: '2.999.392.1.1' };
const LINK_AC = { namespace: 'LINK_AC', oid: '2.999.392.203.13' };

export interface DemoRegion {
  name: 'a' | 'b' | 'c';
  homeCommunityId: string;
  regional: { namespace: string; oid: string };
  repositoryUniqueId: string;
  httpPort: number;
  mllpPort: number;
  dir: string;
  configFile: string;
  facilities: GeneratedFacility[];
  app?: App;
}

export interface DemoRegions {
  out: string;
  regions: DemoRegion[];
  certs: string;
  /** Patients treated in two regions: the token and the regional ID in each region. */
  moved: { token: string; ids: Partial<Record<DemoRegion['name'], string>> }[];
  stop(): Promise<void>;
}

const RG = '/services/xca/responding';

function regionConfig(r: DemoRegion, all: DemoRegion[], certDir: string, linkKey: string) {
  const peers = all.filter((p) => p !== r);
  const link = (p: DemoRegion) => ((r.name === 'a' && p.name === 'c') || (r.name === 'c' && p.name === 'a') ? { mode: 'pseudonym', pseudonymDomain: LINK_AC.namespace } : { mode: 'token' });
  const cert = (n: string) => ({ cert: path.join(certDir, `${n}.pem`), key: path.join(certDir, `${n}.key`) });
  return {
    dataDir: r.dir,
    log: { level: 'warn' },
    mllp: { host: '127.0.0.1', port: r.mllpPort },
    http: { host: '127.0.0.1', port: r.httpPort, tls: { ...cert('localhost'), ca: path.join(certDir, 'ca.pem'), requireClientCert: true } },
    identity: {
      token: { authority: TOKEN_AUTHORITY },
      regional: { authority: r.regional, prefix: r.name.toUpperCase() },
      domains: r.facilities.map((f) => ({ namespace: f.namespace, oid: f.oid })),
      ...(r.name !== 'b' ? { pseudonymDomains: [{ ...LINK_AC, key: linkKey }] } : {}),
    },
    xds: { repository: { uniqueId: r.repositoryUniqueId } },
    nodes: [
      { name: `ehr-${r.name}`, subject: `CN=ehr-${r.name}`, facility: r.facilities[0].namespace, facilities: r.facilities.slice(1).map((f) => f.namespace), roles: ['source', 'consumer'] },
      ...peers.map((p) => ({ name: `region-${p.name}`, subject: `CN=region-${p.name}`, roles: ['gateway'], homeCommunityId: p.homeCommunityId })),
    ],
    xca: {
      homeCommunityId: r.homeCommunityId,
      communities: peers.map((p) => ({
        homeCommunityId: p.homeCommunityId,
        name: `region-${p.name}`,
        queryUrl: `https://127.0.0.1:${p.httpPort}${RG}`,
        retrieveUrl: `https://127.0.0.1:${p.httpPort}${RG}`,
        tls: { ca: path.join(certDir, 'ca.pem'), ...cert(`region-${r.name}`) },
        identity: link(p),
        timeoutMs: 5000,
      })),
    },
  };
}

/** Generates, configures and starts the three regions; `quiet` keeps the certificate tool silent. */
export async function startDemoRegions(o: { out: string; patients: number; seed: number; basePort: number }): Promise<DemoRegions> {
  const out = path.resolve(o.out);
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) throw new UsageError(`hie demo-regions: ${out} is not empty`);
  fs.mkdirSync(out, { recursive: true });
  const certDir = path.join(out, 'certs');
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    await certs(['--out', certDir, 'localhost', 'region-a', 'region-b', 'region-c', 'ehr-a', 'ehr-b', 'ehr-c']);
  } finally {
    process.stdout.write = write;
  }
  const summary = generate({ facilities: 6, patients: o.patients, seed: o.seed, out: path.join(out, 'ssmix'), tokenKey: Buffer.from(`demo-regions-token-key-${o.seed}`), tokenAuthority: TOKEN_AUTHORITY });
  const names = ['a', 'b', 'c'] as const;
  const regions: DemoRegion[] = names.map((name, i) => ({
    name,
    homeCommunityId: `urn:oid:2.999.392.202.${i + 1}`,
    regional: { namespace: `REGION_${name.toUpperCase()}`, oid: `2.999.392.200.${i + 1}` },
    repositoryUniqueId: `2.999.392.201.${i + 1}`,
    httpPort: o.basePort + 10 * i,
    mllpPort: o.basePort + 10 * i + 1,
    dir: path.join(out, `region-${name}`),
    configFile: path.join(out, `region-${name}`, 'config.json'),
    facilities: summary.facilities.slice(2 * i, 2 * i + 2),
  }));
  const linkKey = `demo-link-a-c-key-${o.seed}-0123456789`;
  const log = createLogger('warn');
  try {
    for (const r of regions) {
      fs.mkdirSync(r.dir, { recursive: true });
      const doc = regionConfig(r, regions, certDir, linkKey);
      fs.writeFileSync(r.configFile, JSON.stringify(doc, null, 2) + '\n');
      const config: Config = validate(doc as never);
      r.app = await startApp(config, log);
      const deps = { store: r.app.store, identity: r.app.identity, audit: r.app.audit, xds: r.app.xds };
      for (const f of r.facilities) {
        const root = path.join(out, 'ssmix', f.root);
        const facility = await resolveFacility(config, deps, f.namespace);
        await ssmix2Ingest(config, deps, root).run({ root, facility, concurrency: config.ingest.ssmix2.concurrency });
      }
    }
    // Each patient lets the other two regions see (a consent given at the desk of the region).
    const tokens = new Map<string, Partial<Record<DemoRegion['name'], string>>>();
    for (const r of regions) {
      const others = regions.filter((p) => p !== r).map((p) => p.homeCommunityId);
      await r.app!.store.write(async (tx) => {
        for (let id = 1, misses = 0; misses < 100; id++) {
          const p = await tx.identity.person(id);
          if (!p) {
            misses++;
            continue;
          }
          misses = 0;
          if (p.mergedInto !== null) continue;
          await r.app!.consent.set(tx, p.id, { ...emptyTerms(), participation: 'opted-in', peerRegions: others }, { who: 'demo-regions', source: { kind: 'desk' } });
          if (p.token) tokens.set(p.token, { ...tokens.get(p.token), [r.name]: p.regionalId });
        }
      });
    }
    const moved = [...tokens].filter(([, ids]) => Object.keys(ids).length > 1).map(([token, ids]) => ({ token, ids }));
    return {
      out,
      regions,
      certs: certDir,
      moved,
      async stop() {
        for (const r of regions) await r.app?.stop();
      },
    };
  } catch (e) {
    for (const r of regions) await r.app?.stop().catch(() => undefined);
    throw e;
  }
}

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

export async function demoRegions(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { out: { type: 'string' }, patients: { type: 'string' }, seed: { type: 'string' }, 'base-port': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(demoRegionsHelp);
    return 0;
  }
  const d = await startDemoRegions({ out: values.out ?? path.join('var', 'regions'), patients: positiveInt('patients', values.patients, 60), seed: values.seed === undefined ? 7 : Number(values.seed), basePort: positiveInt('base-port', values['base-port'], 18100) });
  const w = (s: string) => process.stdout.write(s + '\n');
  for (const r of d.regions) {
    w(`region ${r.name.toUpperCase()}: ${r.homeCommunityId}, regional authority ${r.regional.namespace} ${r.regional.oid}, https://127.0.0.1:${r.httpPort}, MLLP 127.0.0.1:${r.mllpPort}`);
    w(`  hospitals ${r.facilities.map((f) => `${f.namespace} (${f.name})`).join(', ')}; config ${r.configFile}`);
  }
  const ab = d.moved.filter((m) => m.ids.a && m.ids.b);
  w(`\n${d.moved.length} patients were treated in two regions or more; ${ab.length} of them in A and B, e.g.:`);
  for (const m of ab.slice(0, 5)) w(`  ${Object.entries(m.ids).map(([k, v]) => `${k.toUpperCase()}: ${v}`).join('   ')}`);
  const example = ab[0];
  if (example) {
    const b = d.regions[1];
    w(`\nFrom region B, the documents of ${example.ids.b} in every region (README.md, "Three regions"):`);
    const pid = `${example.ids.b}^^^&${b.regional.oid}&ISO`;
    const url = `https://127.0.0.1:${b.httpPort}/services/xca/initiating`;
    const body =
      `<query:AdhocQueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">` +
      `<query:ResponseOption returnType="LeafClass" returnComposedObjects="true"/><rim:AdhocQuery id="urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d">` +
      `<rim:Slot name="$XDSDocumentEntryPatientId"><rim:ValueList><rim:Value>'${pid.replace(/&/g, '&amp;')}'</rim:Value></rim:ValueList></rim:Slot>` +
      `<rim:Slot name="$XDSDocumentEntryStatus"><rim:ValueList><rim:Value>('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')</rim:Value></rim:ValueList></rim:Slot>` +
      `</rim:AdhocQuery></query:AdhocQueryRequest>`;
    const file = path.join(d.out, 'find-documents-b.xml');
    fs.writeFileSync(file, requestEnvelope('urn:ihe:iti:2007:RegistryStoredQuery', url, body));
    w(`  ${file} (FindDocuments for ${pid}), sent as ehr-b:`);
    w(`  curl -s --cacert ${d.certs}/ca.pem --cert ${d.certs}/ehr-b.pem --key ${d.certs}/ehr-b.key -H 'Content-Type: application/soap+xml; charset=UTF-8' --data-binary @${file} ${url}`);
  }
  w(`\nCertificates: ${d.certs}. Ctrl-C stops the three servers.`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await d.stop();
  return 0;
}
