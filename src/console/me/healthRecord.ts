/**
 * A patient's own health record read out of the SS-MIX2 HL7 v2 messages of their documents, so that
 * a person can follow it: lab results (OBX: item, value, units, reference range, flag), prescriptions
 * (RXE with TQ1 and RXR), allergies (AL1, IAM), problems (PRB), and encounters (PV1 of ADT messages).
 * Values are taken as the messages carry them; nothing is computed or interpreted.
 */
import type { ParsedMessage, ParsedSegment } from '../documents/hl7Table.ts';
import { fieldText, observations } from '../documents/hl7Table.ts';
import { shownDtm } from '../documents/entry.ts';

export interface Source {
  facility: string;
  date: string;
}

export interface HealthRecord {
  labs: (Source & { test: string; item: string; value: string; units: string; range: string; flag: string })[];
  prescriptions: (Source & { drug: string; amount: string; units: string; instructions: string; days: string; route: string })[];
  allergies: (Source & { allergen: string; kind: string; severity: string; reaction: string })[];
  problems: (Source & { problem: string; onset: string; status: string })[];
  encounters: (Source & { kind: string; department: string; doctor: string })[];
}

export const emptyRecord = (): HealthRecord => ({ labs: [], prescriptions: [], allergies: [], problems: [], encounters: [] });

const c = (s: ParsedSegment | undefined, field: number, comp = 0, rep = 0) => s?.fields[field]?.[rep]?.[comp] ?? '';
/** A coded element's text, else its code. */
const text = (s: ParsedSegment | undefined, field: number) => c(s, field, 1) || c(s, field, 0);

const PATIENT_CLASS: Record<string, string> = { O: '外来 / outpatient', I: '入院 / inpatient', E: '救急 / emergency' };

/** Adds what one message says to the record. */
export function addMessage(r: HealthRecord, m: ParsedMessage, source: Source): void {
  const msh = m.segments[0];
  const type = c(msh, 9, 0);
  const seg = (name: string) => m.segments.filter((s) => s.name === name);
  if (type === 'OUL' || type === 'ORU') {
    const obr = seg('OBR')[0];
    for (const o of observations(m)) r.labs.push({ ...source, date: shownDtm(o.time) || source.date, test: text(obr, 4), item: o.item, value: o.value, units: o.units, range: o.range, flag: o.flag });
  }
  // Each RXE with the TQ1 and RXR that follow it (OMP^O09 / RDE^O11 order groups).
  let current: HealthRecord['prescriptions'][number] | undefined;
  for (const s of m.segments) {
    if (s.name === 'RXE') {
      current = { ...source, drug: text(s, 2), amount: c(s, 3), units: text(s, 5), instructions: fieldText(s.fields[7] ?? []), days: '', route: '' };
      r.prescriptions.push(current);
    } else if (s.name === 'TQ1' && current) {
      const pattern = s.fields[3]?.[0]?.[0] ?? '';
      current.instructions = current.instructions || pattern.split(' ').slice(1).join(' ') || pattern;
      current.days = [c(s, 6, 0), c(s, 6, 1)].filter(Boolean).join(' ');
    } else if (s.name === 'RXR' && current) {
      current.route = text(s, 1);
    } else if (s.name === 'ORC') {
      current = undefined;
    }
  }
  for (const s of seg('AL1')) r.allergies.push({ ...source, allergen: text(s, 3), kind: text(s, 2), severity: text(s, 4), reaction: fieldText(s.fields[5] ?? []) });
  for (const s of seg('IAM')) r.allergies.push({ ...source, allergen: text(s, 3), kind: text(s, 2), severity: text(s, 4), reaction: fieldText(s.fields[5] ?? []) });
  // Onset: PRB-16 (HL7 v2.5); the project's SS-MIX2 samples carry it one field later, so a date there counts too; else PRB-7 (established).
  const dateIn = (s: ParsedSegment, f: number) => (/^\d{8}/.test(c(s, f)) ? shownDtm(c(s, f)) : '');
  for (const s of seg('PRB')) r.problems.push({ ...source, problem: text(s, 3), onset: dateIn(s, 16) || dateIn(s, 17) || dateIn(s, 7), status: text(s, 14) });
  if (type === 'ADT') {
    const pv1 = seg('PV1')[0];
    const evn = seg('EVN')[0];
    if (pv1 && c(pv1, 2)) {
      const date = shownDtm(c(pv1, 44)) || shownDtm(c(evn, 6)) || shownDtm(c(evn, 2)) || source.date;
      const doctor = [c(pv1, 7, 1), c(pv1, 7, 2)].filter(Boolean).join(' ');
      r.encounters.push({ ...source, date, kind: PATIENT_CLASS[c(pv1, 2)] ?? c(pv1, 2), department: text(pv1, 10), doctor });
    }
  }
}

/** Newest first, in every section. */
export function sorted(r: HealthRecord): HealthRecord {
  const by = <T extends { date: string }>(l: T[]) => [...l].sort((a, b) => b.date.localeCompare(a.date));
  return { labs: by(r.labs), prescriptions: by(r.prescriptions), allergies: by(r.allergies), problems: by(r.problems), encounters: by(r.encounters) };
}
