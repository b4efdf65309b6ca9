/**
 * A deterministic synthetic population: patient number i always has the same name, birth date, sex,
 * address and phone for a given seed, whichever process generates it and in whatever order.
 */
import { AGE_BANDS, CITIES, FEMALE_GIVEN, MALE_GIVEN, SURNAMES, type City } from './names.ts';

export interface Patient {
  /** Local patient ID (PID-3.1). */
  id: string;
  familyKanji: string;
  familyKana: string;
  givenKanji: string;
  givenKana: string;
  sex: 'M' | 'F';
  /** YYYYMMDD */
  birthDate: string;
  street: string;
  city: string;
  prefecture: string;
  /** NNN-NNNN */
  zip: string;
  /** Formatted, e.g. 03-1234-5678 or 090-1234-5678. */
  phone: string;
}

/** mulberry32: small, fast, good enough to spread synthetic data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One independent stream per (seed, index), so any patient can be made on its own. */
export function streamFor(seed: number, index: number): () => number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return mulberry32(h);
}

export class Weighted<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(
    private readonly items: T[],
    weight: (t: T) => number,
  ) {
    let sum = 0;
    for (const it of items) this.cumulative.push((sum += weight(it)));
    this.total = sum;
  }

  pick(rnd: () => number): T {
    const x = rnd() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo];
  }
}

const surnames = new Weighted(SURNAMES, (s) => s[2]);
const males = new Weighted(MALE_GIVEN, (s) => s[2]);
const females = new Weighted(FEMALE_GIVEN, (s) => s[2]);
const cities = new Weighted(CITIES, (c) => c.weight);
const ages = new Weighted(AGE_BANDS, (a) => a[2] * (a[1] - a[0] + 1));

/** Ages are counted back from a fixed day so that the data do not change with the calendar. */
const REFERENCE_DAY = Date.UTC(2024, 3, 1);
const DAY_MS = 86_400_000;

const int = (rnd: () => number, lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const digits = (rnd: () => number, n: number) => {
  let s = '';
  for (let i = 0; i < n; i++) s += String(int(rnd, 0, 9));
  return s;
};

function phone(rnd: () => number, c: City): string {
  if (rnd() < 0.5) return `0${int(rnd, 7, 9)}0-${digits(rnd, 4)}-${digits(rnd, 4)}`;
  const local = 10 - c.areaCode.length;
  const head = local - 4;
  return `${c.areaCode}-${int(rnd, 2, 9)}${digits(rnd, head - 1)}-${digits(rnd, 4)}`;
}

export function patient(seed: number, index: number, idPrefix = 'P'): Patient {
  const rnd = streamFor(seed, index);
  const [familyKanji, familyKana] = surnames.pick(rnd);
  const sex = rnd() < 0.485 ? 'M' : 'F';
  const [givenKanji, givenKana] = (sex === 'M' ? males : females).pick(rnd);
  const [lo, hi] = ages.pick(rnd);
  const ageDays = int(rnd, lo * 365, hi * 365 + 364);
  const birth = new Date(REFERENCE_DAY - ageDays * DAY_MS);
  const birthDate = `${birth.getUTCFullYear()}${String(birth.getUTCMonth() + 1).padStart(2, '0')}${String(birth.getUTCDate()).padStart(2, '0')}`;
  const c = cities.pick(rnd);
  const town = c.towns[int(rnd, 0, c.towns.length - 1)];
  const street = `${town}${int(rnd, 1, 5)}-${int(rnd, 1, 30)}-${int(rnd, 1, 20)}`;
  return {
    id: `${idPrefix}${String(index).padStart(9, '0')}`,
    familyKanji,
    familyKana,
    givenKanji,
    givenKana,
    sex,
    birthDate,
    street,
    city: c.city,
    prefecture: c.prefecture,
    zip: `${c.zip}-${digits(rnd, 4)}`,
    phone: phone(rnd, c),
  };
}

/**
 * Kana family-name prefixes to query, drawn from the surname distribution (popular names are
 * asked for more often, as in a registration desk): the first `length` characters of a reading.
 */
export function queryPrefixes(seed: number, count: number, length = 2): string[] {
  const rnd = mulberry32(seed ^ 0x5eed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(surnames.pick(rnd)[1].slice(0, length));
  return out;
}
