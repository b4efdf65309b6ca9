/** `hie ssmix generate`: writes synthetic SS-MIX2 storage trees. */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generate } from '../ssmix/generator/generate.ts';
import { UsageError } from './args.ts';

export const ssmixHelp = `hie ssmix generate: write synthetic SS-MIX2 standardized storage trees

Usage: hie ssmix generate --facilities N --patients M --seed S --out DIR [options]

Writes DIR/HOSP01, DIR/HOSP02, ... (one storage tree per facility, ISO-2022-JP HL7 v2.5 files named
and laid out as the SS-MIX2 specification says) and DIR/facilities.json (namespace, OID, name and
folder of each facility, for config identity.domains). M people, many of them patients of several
facilities under different local IDs and name variants, linked by the medical-field token in ADT-00.
Every data type, with updates (condition 2, then 1) and deletions (condition 0). The same seed gives
the same trees.

Options:
  --facilities N       facilities (default 3)
  --patients M         people (default 30)
  --seed S             random seed (default 1)
  --out DIR            output folder (required; must be empty or absent)
  --visits V           at most V visits per patient and facility (default 4)
  --token-key K        key of the demo token issuer, at least 16 characters (default: derived from the seed)
  --token-authority NS,OID  the token's assigning authority (default MFTOKEN,2.999.392.1.1)
  -h, --help           this text
`;

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

export async function ssmix(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    process.stdout.write(ssmixHelp);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'generate') throw new UsageError(`hie ssmix: unknown command '${sub}'\n\n${ssmixHelp}`);
  const { values } = parseArgs({
    args: rest,
    options: {
      facilities: { type: 'string' },
      patients: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      visits: { type: 'string' },
      'token-key': { type: 'string' },
      'token-authority': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(ssmixHelp);
    return 0;
  }
  if (!values.out) throw new UsageError('hie ssmix generate: --out is required');
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError('--seed must be a non-negative integer');
  const key = values['token-key'] ?? `ssmix-demo-token-key-${seed}`;
  if (key.length < 16) throw new UsageError('--token-key must be at least 16 characters');
  const [namespace, oid] = (values['token-authority'] ?? 'MFTOKEN,2.999.392.1.1').split(',');
  if (!namespace || !/^[0-2](\.\d+)+$/.test(oid ?? '')) throw new UsageError('--token-authority must be NAMESPACE,OID');
  const out = path.resolve(values.out);
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) throw new UsageError(`hie ssmix generate: ${out} is not empty`);
  const started = Date.now();
  const summary = generate({
    facilities: positiveInt('facilities', values.facilities, 3),
    patients: positiveInt('patients', values.patients, 30),
    seed,
    out,
    maxVisits: positiveInt('visits', values.visits, 4),
    tokenKey: Buffer.from(key, 'utf8'),
    tokenAuthority: { namespace, oid },
  });
  process.stdout.write(
    `wrote ${summary.files} files for ${summary.persons} people (${summary.patients} patients at ${summary.facilities.length} facilities) in ${((Date.now() - started) / 1000).toFixed(1)} s under ${out}\n` +
      `  conditions: ${summary.byCondition[1]} valid, ${summary.byCondition[2]} superseded, ${summary.byCondition[0]} deleted\n` +
      `  data types: ${Object.entries(summary.byDataType).sort().map(([k, n]) => `${k} ${n}`).join(', ')}\n` +
      summary.facilities.map((f) => `  ${f.root}: ${f.name} (${f.namespace}, ${f.oid})\n`).join(''),
  );
  return 0;
}
