/**
 * The false-positive rate of free-text screening for the individual number (config
 * identity.individualNumber.freeTextScreening): how often 12 digits that are not an individual number
 * pass its check digit, and how often the screened fields of realistic messages (PID-5, PID-13,
 * OBX-5 of the project's synthetic SS-MIX2 storage) would be refused by it.
 *
 *   npx tsx bench/individualNumber/falsePositives.ts [--random N] [--patients M] [--seed S]
 *
 *   --random N     uniformly random 12-digit strings to check (default 1000000)
 *   --patients M   people of a synthetic SS-MIX2 set generated for the run, besides ssmix-samples/ (default 300)
 */
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { declaredCharset, decodeMessage } from '../../src/hl7v2/charset.ts';
import { findIndividualNumber } from '../../src/hl7v2/individualNumberGuard.ts';
import { Hl7v2Message } from '../../src/hl7v2/message.ts';
import { splitMessages } from '../../src/hl7v2/messageFile.ts';
import { DomainDirectory } from '../../src/identity/domainDirectory.ts';
import { looksLikeIndividualNumber } from '../../src/identity/individualNumber/freeText.ts';
import { isValidIndividualNumber } from '../../src/identity/token/checkDigit.ts';
import { validate } from '../../src/server/config/load.ts';
import { generate } from '../../src/ssmix/generator/generate.ts';

const { values } = parseArgs({ options: { random: { type: 'string', default: '1000000' }, patients: { type: 'string', default: '300' }, seed: { type: 'string', default: '1' } } });
const RANDOM = Number(values.random);
const PATIENTS = Number(values.patients);

const pct = (k: number, n: number) => (n === 0 ? '-' : `${((100 * k) / n).toFixed(3)} %`);
/** The 95 % Wilson interval of a proportion, in percent. */
function wilson(k: number, n: number): string {
  const z = 1.96;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return `[${(100 * (c - h)).toFixed(3)} %, ${(100 * (c + h)).toFixed(3)} %]`;
}

// 1. Random 12-digit strings.
let pass = 0;
for (let i = 0; i < RANDOM; i++) {
  let s = '';
  for (let k = 0; k < 12; k++) s += String(randomInt(10));
  if (isValidIndividualNumber(s)) pass++;
}
console.log(`random 12-digit strings: ${pass} of ${RANDOM} pass the check digit: ${pct(pass, RANDOM)}, 95 % interval ${wilson(pass, RANDOM)} (1/10 = 10 % expected)`);

// 2. The screened fields of synthetic SS-MIX2 storage.
const screening = new DomainDirectory(
  validate({ identity: { token: { issuerKey: 'false-positive-run-key' }, individualNumber: { freeTextScreening: { enabled: true } } } }).identity,
);
const FIELDS: [string, number][] = [
  ['PID', 5],
  ['PID', 13],
  ['OBX', 5],
];

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() && !/\.(json|md)$/.test(e.name) ? [p] : [];
  });
}

function screenTree(label: string, root: string): void {
  let messages = 0;
  let refused = 0;
  let fields = 0;
  let withTwelve = 0;
  let flagged = 0;
  for (const file of filesUnder(root)) {
    for (const bytes of splitMessages(fs.readFileSync(file))) {
      let msg: Hl7v2Message;
      try {
        msg = Hl7v2Message.parse(decodeMessage(bytes, declaredCharset(bytes, 'iso-2022-jp').charset));
      } catch {
        continue;
      }
      messages++;
      if (findIndividualNumber(msg, screening)) refused++;
      for (const seg of msg.segments()) {
        for (const [type, n] of FIELDS) {
          if (seg.type !== type) continue;
          for (const rep of seg.reps(n)) {
            const text = rep.values().map((c) => c.join(' ')).join(' ');
            if (!text) continue;
            fields++;
            if (/\d{12}/.test(text.normalize('NFKC'))) withTwelve++;
            if (looksLikeIndividualNumber(text)) flagged++;
          }
        }
      }
    }
  }
  console.log(
    `${label}: ${messages} messages, ${fields} screened field values (PID-5, PID-13, OBX-5), ${withTwelve} holding a run of 12 digits, ` +
      `${flagged} flagged (${pct(flagged, fields)}); messages refused with screening on: ${refused} (${pct(refused, messages)})`,
  );
}

const samples = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'ssmix-samples');
if (fs.existsSync(samples)) screenTree('ssmix-samples/', samples);
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'hie-fp-'));
try {
  generate({ facilities: 3, patients: PATIENTS, seed: Number(values.seed), out, tokenKey: Buffer.from('false-positive-run-key'), tokenAuthority: { namespace: 'MFTOKEN', oid: '2.999.392.1.1' } });
  screenTree(`generated (${PATIENTS} people, seed ${values.seed})`, out);
} finally {
  fs.rmSync(out, { recursive: true, force: true });
}
