/** A patient record's demographics as the console shows them: names (kanji, kana), birth date, sex, address. */
import type { PatientRecord } from '../../identity/types.ts';

const first = (f: string[][][] | undefined, rep = 0, comp = 0) => f?.[rep]?.[comp]?.[0] ?? '';

export interface ShownDemographics {
  /** One entry per PID-5 repetition: ideographic (kanji) and phonetic (kana) forms. */
  names: string[];
  birthDate: string;
  sex: string;
  address: string;
}

export function shownDemographics(r: PatientRecord): ShownDemographics {
  const f = r.demographics.fields;
  const names = (f[5] ?? []).map((n) => `${n[0]?.[0] ?? ''} ${n[1]?.[0] ?? ''}`.trim()).filter(Boolean);
  const dob = first(f[7]);
  const birthDate = /^\d{8}/.test(dob) ? `${dob.slice(0, 4)}-${dob.slice(4, 6)}-${dob.slice(6, 8)}` : dob;
  const a = f[11]?.[0];
  const address = a ? [a[4]?.[0], a[3]?.[0], a[2]?.[0], a[0]?.[0], a[1]?.[0]].filter(Boolean).join(' ') : '';
  return { names, birthDate, sex: first(f[8]), address };
}
