/**
 * Synthetic SS-MIX2 standardized storage trees, one per facility, deterministic from a seed. The same
 * people visit several facilities under different local IDs, their names written with the variants
 * real registers hold; each facility's ADT-00 carries the person's medical-field token (issued by the
 * demo TokenIssuer from a generated valid individual number that is never written anywhere), so the
 * HIE links them. Encounters, orders and results of every data type, with updates (condition 2 then
 * 1) and deletions (condition 0).
 */
import fs from 'node:fs';
import path from 'node:path';
import { encodeMessage } from '../../hl7v2/charset.ts';
import { expectedFolder, formatFileName, type Condition } from '../../ingest/ssmix2/fileName.ts';
import { dataType } from '../../ingest/ssmix2/dataTypes.ts';
import { individualNumberCheckDigit } from '../../identity/token/checkDigit.ts';
import { TokenIssuer } from '../../identity/token/issuer.ts';
import * as m from './messages.ts';
import { Random } from './random.ts';
import { ADDRESSES, DEPARTMENTS, FACILITY_NAMES, FAMILY_NAMES, GIVEN_NAMES } from './vocabulary.ts';

export interface GenerateOptions {
  facilities: number;
  patients: number;
  seed: number;
  out: string;
  /** Key of the demo token issuer (at least 16 bytes). */
  tokenKey: Buffer;
  /** The token's assigning authority, as the HIE's config identity.token.authority. */
  tokenAuthority: { namespace: string; oid: string };
  /** Visits per patient and facility: at most this many (default 4). */
  maxVisits?: number;
}

export interface GeneratedFacility {
  namespace: string;
  oid: string;
  name: string;
  /** The facility's storage root, relative to the output folder. */
  root: string;
}

export interface GenerateSummary {
  facilities: GeneratedFacility[];
  persons: number;
  /** Local patients (a person at a facility). */
  patients: number;
  files: number;
  byDataType: Record<string, number>;
  byCondition: Record<Condition, number>;
}

interface Person {
  token: string;
  family: (typeof FAMILY_NAMES)[number];
  given: (typeof GIVEN_NAMES)[number];
  birthDate: string;
  address: (typeof ADDRESSES)[number];
  phone: string;
}

/** The manifest beside the trees: which folder is which facility (for config identity.domains and the demo). */
export const MANIFEST = 'facilities.json';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function dateOf(base: Date, days: number, r: Random): string {
  const d = new Date(base.getTime() + days * 86_400_000);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(r.int(8, 17))}${pad(r.int(0, 59))}${pad(r.int(0, 59))}`;
}

function makePerson(r: Random, issuer: TokenIssuer): Person {
  const given = r.pick(GIVEN_NAMES);
  const first11 = `${r.int(1, 9)}${r.digits(10)}`;
  // A valid individual number only ever exists here, to issue the token.
  const token = issuer.issue(first11 + individualNumberCheckDigit(first11));
  const year = r.int(1935, 2015);
  return {
    token,
    family: r.pick(FAMILY_NAMES),
    given,
    birthDate: `${year}${pad(r.int(1, 12))}${pad(r.int(1, 28))}`,
    address: r.pick(ADDRESSES),
    phone: `0${r.int(53, 55)}-${r.digits(3)}-${r.digits(4)}`,
  };
}

/** How a facility's register writes the person: the variant kanji or kana now and then. */
function viewAt(p: Person, localId: string, r: Random, tokenCx: string): m.PatientView {
  const family = p.family.variant && r.chance(0.4) ? p.family.variant : p.family.kanji;
  const givenKana = p.given.kanaVariant && r.chance(0.3) ? p.given.kanaVariant : p.given.kana;
  return {
    localId,
    extraIds: `~${tokenCx}`,
    family,
    given: p.given.kanji,
    familyKana: p.family.kana,
    givenKana,
    birthDate: p.birthDate,
    sex: p.given.sex,
    zip: p.address.zip,
    address: `${p.address.text}${r.int(1, 20)}-${r.int(1, 30)}`,
    phone: p.phone,
  };
}

class TreeWriter {
  files = 0;
  readonly byDataType: Record<string, number> = {};
  readonly byCondition: Record<Condition, number> = { 0: 0, 1: 0, 2: 0 };
  private seq = 0;

  constructor(private readonly root: string) {}

  /** A file timestamp (YYYYMMDDHHMMSSfff) from the message time, made unique by its milliseconds. */
  stamp(time: string): string {
    this.seq = (this.seq + 1) % 1000;
    return `${time.slice(0, 14)}${pad(this.seq, 3)}`;
  }

  write(localId: string, code: string, careDate: string, orderNo: string, timestamp: string, department: string, condition: Condition, text: string): void {
    const name = { patientId: localId, careDate, dataType: dataType(code)!, orderNo, timestamp, department, condition };
    const dir = path.join(this.root, ...expectedFolder(name));
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, formatFileName(name)), encodeMessage(text, 'iso-2022-jp'));
    this.files++;
    this.byDataType[code] = (this.byDataType[code] ?? 0) + 1;
    this.byCondition[condition]++;
  }
}

/** Writes the trees and the manifest; returns what was written. */
export function generate(o: GenerateOptions): GenerateSummary {
  const r = new Random(o.seed);
  const issuer = new TokenIssuer(o.tokenKey);
  const tokenCx = (t: string) => `${t}^^^${o.tokenAuthority.namespace}&${o.tokenAuthority.oid}&ISO^PT`;
  const facilities: GeneratedFacility[] = Array.from({ length: o.facilities }, (_, i) => ({
    namespace: `HOSP${pad(i + 1)}`,
    oid: `2.999.392.100.${i + 1}`,
    name: FACILITY_NAMES[i % FACILITY_NAMES.length] + (i >= FACILITY_NAMES.length ? ` ${Math.floor(i / FACILITY_NAMES.length) + 1}` : ''),
    root: `HOSP${pad(i + 1)}`,
  }));
  const writers = facilities.map((f) => new TreeWriter(path.join(o.out, f.root)));
  const nextLocal = facilities.map(() => r.int(100_000, 900_000) * 10);
  const base = new Date(Date.UTC(2024, 0, 1));
  let patients = 0;

  for (let i = 0; i < o.patients; i++) {
    const person = makePerson(r, issuer);
    // The first facility in turn; often a second, sometimes a third: the same person, other local IDs.
    const at = new Set([i % o.facilities]);
    if (o.facilities > 1 && r.chance(0.45)) at.add(r.int(0, o.facilities - 1));
    if (o.facilities > 2 && r.chance(0.15)) at.add(r.int(0, o.facilities - 1));
    for (const fi of at) {
      patients++;
      const f = facilities[fi];
      const w = writers[fi];
      const localId = String(nextLocal[fi]++).padStart(8, '0');
      const view = viewAt(person, localId, r, tokenCx(person.token));
      const department = r.pick(DEPARTMENTS);
      let control = 0;
      const ctx = (time: string, inpatient = false): m.MessageContext => ({
        facility: f,
        patient: view,
        time,
        controlId: `${localId}${pad(++control, 4)}`,
        department,
        doctor: `${pad(r.int(100, 999), 3)}^医師^${r.pick(['一郎', '花子', '誠', '陽子'])}^^^^^^^L^^^^^I`,
        inpatient,
      });
      const first = r.int(0, 300);
      const t0 = dateOf(base, first, r);
      const updated = r.chance(0.1);
      w.write(localId, 'ADT-00', '-', '999999999999999', w.stamp(t0), '-', updated ? 2 : 1, m.adt00(ctx(t0)));
      if (updated) {
        // A later update of the demographics: the older file is marked superseded.
        const t1 = dateOf(base, first + r.int(30, 200), r);
        view.phone = `0${r.int(53, 55)}-${r.digits(3)}-${r.digits(4)}`;
        w.write(localId, 'ADT-00', '-', '999999999999999', w.stamp(t1), '-', 1, m.adt00(ctx(t1)));
      }
      if (r.chance(0.5)) {
        const t = dateOf(base, first, r);
        w.write(localId, 'ADT-61', '-', '999999999999999', w.stamp(t), '-', 1, m.allergies(ctx(t), r));
      }
      if (r.chance(0.7)) {
        const t = dateOf(base, first, r);
        w.write(localId, 'PPR-01', '-', '999999999999999', w.stamp(t), department.code, 1, m.problems(ctx(t), r, `P${localId}`));
      }
      const visits = r.int(1, o.maxVisits ?? 4);
      let day = first;
      for (let v = 0; v < visits; v++) {
        day += r.int(7, 60);
        visit(w, r, ctx, localId, department.code, base, day);
      }
    }
  }

  const summary: GenerateSummary = {
    facilities,
    persons: o.patients,
    patients,
    files: writers.reduce((n, w) => n + w.files, 0),
    byDataType: {},
    byCondition: { 0: 0, 1: 0, 2: 0 },
  };
  for (const w of writers) {
    for (const [k, n] of Object.entries(w.byDataType)) summary.byDataType[k] = (summary.byDataType[k] ?? 0) + n;
    for (const c of [0, 1, 2] as const) summary.byCondition[c] += w.byCondition[c];
  }
  fs.mkdirSync(o.out, { recursive: true });
  fs.writeFileSync(path.join(o.out, MANIFEST), JSON.stringify({ seed: o.seed, tokenAuthority: o.tokenAuthority, facilities }, null, 2) + '\n');
  return summary;
}

type Ctx = (time: string, inpatient?: boolean) => m.MessageContext;

/** One day at the facility: reception or admission, and the orders and results of that day. */
function visit(w: TreeWriter, r: Random, ctx: Ctx, localId: string, dept: string, base: Date, day: number): void {
  const t = dateOf(base, day, r);
  const date = t.slice(0, 8);
  const order = () => `${date.slice(2)}${r.digits(7)}`;
  /** An order file, sometimes updated (the old file condition 2, the new 1) or deleted (a condition-0 file after it). */
  const orderFile = (code: string, no: string, build: (control: string, time: string) => string, time = t) => {
    const fate = r.next();
    if (fate < 0.08) {
      w.write(localId, code, date, no, w.stamp(time), dept, 2, build('NW', time));
      const later = `${time.slice(0, 8)}${pad(Math.min(23, Number(time.slice(8, 10)) + 1))}${time.slice(10, 14)}`;
      w.write(localId, code, date, no, w.stamp(later), dept, 1, build('XO', later));
    } else if (fate < 0.11) {
      w.write(localId, code, date, no, w.stamp(time), dept, 1, build('NW', time));
      const later = `${time.slice(0, 8)}${pad(Math.min(23, Number(time.slice(8, 10)) + 1))}${time.slice(10, 14)}`;
      w.write(localId, code, date, no, w.stamp(later), dept, 0, build('CA', later));
    } else {
      w.write(localId, code, date, no, w.stamp(time), dept, 1, build('NW', time));
    }
  };
  const inpatient = r.chance(0.15);
  if (!inpatient) {
    w.write(localId, 'ADT-12', date, '999999999999999', w.stamp(t), dept, 1, m.encounter(ctx(t), 'ADT-12', t.slice(0, 12)));
    if (r.chance(0.7)) {
      const no = order();
      orderFile('OMP-01', no, (c, time) => m.prescription(ctx(time), r, no, time, c));
    }
    if (r.chance(0.6)) {
      const no = order();
      const lab = m.labOrder(ctx(t), r, no, t);
      w.write(localId, 'OML-01', date, no, w.stamp(t), dept, 1, lab.text);
      const rt = `${t.slice(0, 8)}${pad(Math.min(23, Number(t.slice(8, 10)) + 2))}${t.slice(10, 14)}`;
      w.write(localId, 'OML-11', date, no, w.stamp(rt), dept, 1, m.labResult(ctx(rt), r, no, t, lab.tests));
    }
    for (const [kind, p, orderCode, doneCode] of [
      ['radiology', 0.25, 'OMG-01', 'OMG-11'],
      ['endoscopy', 0.06, 'OMG-02', 'OMG-12'],
      ['physiology', 0.12, 'OMG-03', 'OMG-13'],
    ] as const) {
      if (!r.chance(p)) continue;
      const no = order();
      orderFile(orderCode, no, (c, time) => m.examOrder(ctx(time), r, kind, no, time, c));
      w.write(localId, doneCode, date, no, w.stamp(t), dept, 1, m.examPerformed(ctx(t), r, kind, no, t));
    }
    return;
  }
  // An admission: planned, admitted, diet, injections and medicines given, now and then moved to
  // another ward or out for a night, discharge planned and done some days later.
  const adt = (code: string, time: string) => w.write(localId, code, time.slice(0, 8), '999999999999999', w.stamp(time), dept, 1, m.encounter(ctx(time, true), code, time.slice(0, 12)));
  if (r.chance(0.5)) adt('ADT-21', dateOf(base, day - r.int(1, 7), r));
  adt('ADT-22', t);
  if (r.chance(0.2)) adt('ADT-01', dateOf(base, day + 1, r));
  const diet = order();
  orderFile('OMD', diet, (c, time) => m.dietOrder(ctx(time, true), r, diet, time, c));
  const inj = order();
  orderFile('OMP-02', inj, (c, time) => m.injectionOrder(ctx(time, true), r, inj, time, c));
  w.write(localId, 'OMP-12', date, inj, w.stamp(t), dept, 1, m.administration(ctx(t, true), r, 'OMP-12', inj, t.slice(0, 12)));
  const given = order();
  w.write(localId, 'OMP-11', date, given, w.stamp(t), dept, 1, m.administration(ctx(t, true), r, 'OMP-11', given, t.slice(0, 12)));
  const stay = r.int(3, 14);
  if (r.chance(0.3)) {
    adt('ADT-41', dateOf(base, day + 1, r));
    adt('ADT-42', dateOf(base, day + 2, r));
  }
  if (r.chance(0.15)) {
    adt('ADT-31', dateOf(base, day + 2, r));
    adt('ADT-32', dateOf(base, day + 3, r));
  }
  adt('ADT-51', dateOf(base, day + stay - 1, r));
  adt('ADT-52', dateOf(base, day + stay, r));
}
