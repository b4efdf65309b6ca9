/**
 * HL7 v2.5 messages of the SS-MIX2 data types, shaped as the storage specification's examples: one
 * builder per data type, the care date in the field the data type table names (dataTypes.ts), text
 * with kanji and kana (written as ISO-2022-JP by the tree writer).
 */
import { careDateRef, dataType } from '../../ingest/ssmix2/dataTypes.ts';
import type { Random } from './random.ts';
import { ALLERGENS, DEPARTMENTS, DIETS, DISEASES, DOSAGES, ECG, ENDOSCOPY, INJECTIONS, LAB_TESTS, ORAL_DRUGS, RADIOLOGY, SPECIMENS } from './vocabulary.ts';

export interface PatientView {
  localId: string;
  /** PID-3 extra repetitions (the medical-field token), already formatted. */
  extraIds: string;
  family: string;
  given: string;
  familyKana: string;
  givenKana: string;
  birthDate: string;
  sex: 'M' | 'F';
  zip: string;
  address: string;
  phone: string;
}

export interface MessageContext {
  facility: { namespace: string; name: string };
  patient: PatientView;
  /** YYYYMMDDHHMMSS: when the message was made (MSH-7). */
  time: string;
  controlId: string;
  department: (typeof DEPARTMENTS)[number];
  doctor: string;
  inpatient: boolean;
}

const msh = (c: MessageContext, type: string) =>
  `MSH|^~\\&|HIS|${c.facility.namespace}|SSMIX2|${c.facility.namespace}|${c.time}||${type}|${c.controlId}|P|2.5||||||~ISO IR87||ISO 2022-1994`;

const pid = (c: MessageContext, withExtraIds = false) => {
  const p = c.patient;
  return (
    `PID|0001||${p.localId}^^^^PI${withExtraIds ? p.extraIds : ''}||${p.family}^${p.given}^^^^^L^I~${p.familyKana}^${p.givenKana}^^^^^L^P||${p.birthDate}|${p.sex}` +
    `|||^^^^${p.zip}^JPN^H^${p.address}||^PRN^PH^^^^^^^^^${p.phone}`
  );
};

const pv1 = (c: MessageContext, extra = '') => `PV1|0001|${c.inpatient ? 'I' : 'O'}|${c.inpatient ? '32^302^1^^^N' : `${c.department.code}^^^^^C`}||||${c.doctor}|||${c.department.code}${extra}`;
const dept = (c: MessageContext) => `${c.department.code}^${c.department.name}^99Z01`;
const orc = (c: MessageContext, control: string, order: string, date: string) =>
  `ORC|${control}|${order}|||||||${date}|||${c.doctor}|||||${dept(c)}||||${c.facility.name}||||||||${c.inpatient ? 'I^入院患者オーダ^HL70482' : 'O^外来患者オーダ^HL70482'}`;

/** Puts the care date where the data type's message carries it, checking the table agrees with the builder. */
function withCareDate(code: string, key: string, date: string, segments: string[]): string {
  const ref = careDateRef(dataType(code)!, key);
  if (ref) {
    const i = segments.findIndex((s) => s.startsWith(`${ref.segment}|`));
    const fields = segments[i].split('|');
    while (fields.length <= ref.field) fields.push('');
    fields[ref.field] = date;
    segments[i] = fields.join('|');
  }
  return segments.join('\r');
}

export function adt00(c: MessageContext): string {
  return [msh(c, 'ADT^A08^ADT_A01'), `EVN||${c.time}`, pid(c, true), pv1(c)].join('\r');
}

/** HL7 2.5 message structures of the encounter events. */
const ADT_STRUCTURES: Record<string, string> = { A02: 'ADT_A02', A03: 'ADT_A03', A15: 'ADT_A15', A16: 'ADT_A16', A21: 'ADT_A21', A22: 'ADT_A21', A54: 'ADT_A54' };

/** An encounter event of the data type (its usual message, not the cancellation), the care date where the table says. */
export function encounter(c: MessageContext, code: string, date: string): string {
  const event = dataType(code)!.messages[0].split('^')[1];
  const segs = [msh(c, `ADT^${event}^${ADT_STRUCTURES[event] ?? 'ADT_A01'}`), `EVN||${c.time}`, pid(c), pv1(c)];
  if (careDateRef(dataType(code)!, `ADT^${event}`)?.segment === 'PV2') segs.push('PV2|');
  return withCareDate(code, `ADT^${event}`, date, segs);
}

export function allergies(c: MessageContext, r: Random): string {
  const list = r.sample(ALLERGENS, r.int(1, 2));
  const iam = list.map((a, i) => `IAM|${i + 1}|${a.kind[0]}^${a.kind[1]}^HL70127|${a.code}^${a.name}^${a.system}|MO^中等度^HL70128|${a.reaction}|A^追加^HL70323`);
  return [msh(c, 'ADT^A60^ADT_A60'), `EVN||${c.time}`, pid(c), ...iam].join('\r');
}

export function problems(c: MessageContext, r: Random, order: string): string {
  const list = r.sample(DISEASES, r.int(1, 3));
  const segs = [msh(c, 'PPR^ZD1^PPR_ZD1'), pid(c)];
  list.forEach((d, i) => {
    const onset = c.time.slice(0, 8);
    segs.push(`PRB|AD|${onset}|${d.medis}^${d.name}^MDCDX2|${order}${i}|||${onset}||||||||||${onset}||${d.name}|${i === 0 ? '1^主診断^JHSD0007' : '2^副診断^JHSD0007'}`);
    segs.push(`ZPR||${d.icd10}^${d.name}^I10`);
  });
  segs.push(orc(c, 'NW', order, c.time));
  return segs.join('\r');
}

export function dietOrder(c: MessageContext, r: Random, order: string, date: string, control = 'NW'): string {
  const diet = r.pick(DIETS);
  return withCareDate('OMD', 'OMD^O03', date, [msh(c, 'OMD^O03^OMD_O03'), pid(c), pv1(c), orc(c, control, order, ''), `TQ1|1||TID&１日３回&HL70335||||${date.slice(0, 10)}`, `ODS|D||${diet.code}^${diet.name}^99Z02`]);
}

export function prescription(c: MessageContext, r: Random, order: string, date: string, control = 'NW', days?: number): string {
  const segs = [msh(c, 'RDE^O11^RDE_O11'), pid(c), pv1(c)];
  for (const d of r.sample(ORAL_DRUGS, r.int(1, 3))) {
    const dose = r.pick(DOSAGES);
    const n = days ?? r.pick([7, 14, 28, 30]);
    segs.push(orc(c, control, order, date));
    segs.push(`RXE||${d.hot9}^${d.name}^HOT9|${d.amount}||${d.unit[0]}^${d.unit[1]}^MR9P|||||${d.amount * n}|${d.unit[0]}^${d.unit[1]}^MR9P||||||||||OHP^外来処方^MR9P`);
    segs.push(`TQ1|1||${dose.code}&${dose.text}&JAMISDP01|||${n}^d|${date.slice(0, 10)}`);
    segs.push('RXR|PO^口^HL70162');
  }
  return withCareDate('OMP-01', 'RDE^O11', date, segs);
}

export function injectionOrder(c: MessageContext, r: Random, order: string, date: string, control = 'NW'): string {
  const inj = r.pick(INJECTIONS);
  return withCareDate('OMP-02', 'RDE^O11', date, [
    msh(c, 'RDE^O11^RDE_O11'),
    pid(c),
    pv1(c),
    orc(c, control, order, date),
    `RXE||${inj.hot9}^${inj.name}^HOT9|1||${inj.unit[0]}^${inj.unit[1]}^MR9P|INJ^注射剤^MR9P|||||||||||||||IHP^入院処方^MR9P`,
    `TQ1|1||||||${date.slice(0, 12)}|${date.slice(0, 8)}2359`,
    'RXR|IV^静脈内^HL70162',
  ]);
}

/** OMP-11 (oral medicine given) and OMP-12 (injection given): RAS^O17. */
export function administration(c: MessageContext, r: Random, code: 'OMP-11' | 'OMP-12', order: string, date: string): string {
  const item = code === 'OMP-11' ? r.pick(ORAL_DRUGS) : r.pick(INJECTIONS);
  return withCareDate(code, 'RAS^O17', date, [
    msh(c, 'RAS^O17^RAS_O17'),
    pid(c),
    pv1(c),
    orc(c, 'NW', order, date),
    `RXA|0|1||${date}|${item.hot9}^${item.name}^HOT9|1|${item.unit[0]}^${item.unit[1]}^MR9P||||||||||||CP`,
    code === 'OMP-11' ? 'RXR|PO^口^HL70162' : 'RXR|IV^静脈内^HL70162',
  ]);
}

export function labOrder(c: MessageContext, r: Random, order: string, date: string, control = 'NW'): { text: string; tests: (typeof LAB_TESTS)[number][] } {
  const tests = r.sample(LAB_TESTS, r.int(2, 5));
  const spec = r.pick(SPECIMENS);
  const segs = [msh(c, 'OML^O33^OML_O33'), pid(c), pv1(c), `SPM|1|||${spec.code}^${spec.name}^JC10|||||||||||||${date.slice(0, 12)}`, orc(c, control, order, date), `OBR|1|${order}||E001^生化学的検査^99O03`];
  tests.forEach((t, i) => segs.push(`OBX|${i + 1}||${t.jlac10}^${t.name}^JC10||||||||O`));
  return { text: withCareDate('OML-01', 'OML^O33', date, segs), tests };
}

export function labResult(c: MessageContext, r: Random, order: string, collected: string, tests: (typeof LAB_TESTS)[number][]): string {
  const segs = [msh(c, 'OUL^R22^OUL_R22'), pid(c), pv1(c), `SPM|1|${order}01||023^血清^JC10`, `OBR|1|${order}|${order}01|E001^生化学的検査^99O03|||${collected.slice(0, 8)}||||||||||${c.doctor}||||||${c.time}`, `ORC|SC|${order}|${order}01||CM||||${c.time}|||${c.doctor}|||||${dept(c)}`];
  tests.forEach((t, i) => {
    const v = Math.max(0, t.mean + (r.next() + r.next() + r.next() - 1.5) * 2 * t.sd);
    const [lo, hi] = t.range.split('-').map(Number);
    const flag = v < lo ? 'L' : v > hi ? 'H' : 'N';
    segs.push(`OBX|${i + 1}|NM|${t.jlac10}^${t.name}^JC10||${v.toFixed(t.digits)}|${t.unit}^${t.unit}^ISO+|${t.range}|${flag}|||F|||${collected.slice(0, 12)}`);
  });
  return withCareDate('OML-11', 'OUL^R22', collected.slice(0, 12), segs);
}

export type ExamKind = 'radiology' | 'endoscopy' | 'physiology';

const examCode = (kind: ExamKind, r: Random) => {
  if (kind === 'radiology') {
    const x = r.pick(RADIOLOGY);
    return { coded: `${x.code}^${x.name}^JJ1017`, modality: x.modality };
  }
  if (kind === 'endoscopy') return { coded: `${ENDOSCOPY.code}^${ENDOSCOPY.name}^${ENDOSCOPY.system}`, modality: 'ES' };
  return { coded: `${ECG.code}^${ECG.name}^${ECG.system}`, modality: 'ECG' };
};

/** OMG-01..03: OMG^O19 orders. */
export function examOrder(c: MessageContext, r: Random, kind: ExamKind, order: string, date: string, control = 'NW'): string {
  const code = { radiology: 'OMG-01', endoscopy: 'OMG-02', physiology: 'OMG-03' }[kind];
  const exam = examCode(kind, r);
  return withCareDate(code, 'OMG^O19', date, [msh(c, 'OMG^O19^OMG_O19'), pid(c), pv1(c), orc(c, control, order, date), 'TQ1|1||||||||R^^HL70485', `OBR|1|${order}||${exam.coded}||||||||||||${c.doctor}`]);
}

/** OMG-11/12: OMI^Z23 (radiology or endoscopy performed); OMG-13: ORU^R01 (physiology result). */
export function examPerformed(c: MessageContext, r: Random, kind: ExamKind, order: string, date: string): string {
  const exam = examCode(kind, r);
  if (kind === 'physiology') {
    const hr = r.int(55, 95);
    return withCareDate('OMG-13', 'ORU^R01', date.slice(0, 8), [
      msh(c, 'ORU^R01^ORU_R01'),
      pid(c),
      pv1(c),
      `OBR|1|${order}||${exam.coded}||||||||||||${c.doctor}||||||${c.time}|||F`,
      `OBX|1|TX|9A100&IMP^心電図所見^JC10||${r.pick(['正常範囲', '洞調律、異常なし', '軽度ＳＴ低下'])}||||||F`,
      `OBX|2|NM|32769^心拍数^99MFR||${hr}|bpm|||||F`,
    ]);
  }
  const code = kind === 'radiology' ? 'OMG-11' : 'OMG-12';
  const study = `2.999.392.2.${order}`;
  return withCareDate(code, 'OMI^Z23', date.slice(0, 8), [
    msh(c, 'OMI^Z23^OMI_Z23'),
    pid(c),
    pv1(c),
    orc(c, 'NW', order, date),
    'TQ1|1||||||||R^^HL70485',
    `OBR||${order}||${exam.coded}||||||||||||${c.doctor}||||||${c.time}|||F`,
    `IPC|A${order}|P${order}|${study}||${exam.modality}^^DCM`,
  ]);
}
