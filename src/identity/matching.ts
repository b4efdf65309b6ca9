/**
 * Demographic matching: how alike two patient records are. Used only to propose links for review;
 * the server never links two persons on a score alone.
 */
import { hl7Date } from '../hl7v2/datetime.ts';
import { addressKey, digitsKey, nameKey } from './normalize.ts';
import { phoneKey } from './searchKeys.ts';
import type { Demographics } from './types.ts';

export interface MatchScore {
  score: number;
  reasons: string[];
}

const KATAKANA_ONLY = /^[\u30a0-\u30ffー]+$/u;

export interface Features {
  birthDate: string;
  sex: string;
  kanaNames: Set<string>;
  otherNames: Set<string>;
  addresses: Set<string>;
  postalCodes: Set<string>;
  phones: Set<string>;
}

export function features(d: Demographics): Features {
  const f: Features = {
    birthDate: hl7Date(d.fields[7]?.[0]?.[0]?.[0] ?? ''),
    sex: d.fields[8]?.[0]?.[0]?.[0] ?? '',
    kanaNames: new Set(),
    otherNames: new Set(),
    addresses: new Set(),
    postalCodes: new Set(),
    phones: new Set(),
  };
  for (const name of d.fields[5] ?? []) {
    const full = nameKey((name[0]?.[0] ?? '') + (name[1]?.[0] ?? ''));
    if (!full) continue;
    // XPN-8 name representation code P (phonetic) or a katakana-only name is the kana reading.
    const kana = name[7]?.[0] === 'P' || KATAKANA_ONLY.test(full);
    (kana ? f.kanaNames : f.otherNames).add(full);
  }
  for (const addr of d.fields[11] ?? []) {
    const text = addressKey(
      [addr[3]?.[0], addr[2]?.[0], addr[0]?.[0], addr[1]?.[0], addr[7]?.[0]].filter(Boolean).join(''),
    );
    if (text) f.addresses.add(text);
    const zip = digitsKey(addr[4]?.[0] ?? '');
    if (zip) f.postalCodes.add(zip);
  }
  for (const field of [13, 14]) for (const tel of d.fields[field] ?? []) {
    const p = phoneKey(tel);
    if (p) f.phones.add(p);
  }
  return f;
}

const intersects = (a: Set<string>, b: Set<string>) => [...a].some((x) => b.has(x));

/**
 * Birth date must agree and sex must not disagree; then kana and kanji names weigh most, address,
 * postal code and phone add evidence.
 */
export function scoreMatch(a: Features, b: Features): MatchScore {
  if (!a.birthDate || a.birthDate !== b.birthDate) return { score: 0, reasons: [] };
  if (a.sex && b.sex && a.sex !== 'U' && b.sex !== 'U' && a.sex !== b.sex) return { score: 0, reasons: [] };
  const reasons = ['birthDate'];
  let score = 0.2;
  if (intersects(a.kanaNames, b.kanaNames)) {
    score += 0.35;
    reasons.push('kanaName');
  }
  if (intersects(a.otherNames, b.otherNames)) {
    score += 0.35;
    reasons.push('name');
  }
  if (intersects(a.addresses, b.addresses)) {
    score += 0.15;
    reasons.push('address');
  } else if (intersects(a.postalCodes, b.postalCodes)) {
    score += 0.05;
    reasons.push('postalCode');
  }
  if (intersects(a.phones, b.phones)) {
    score += 0.15;
    reasons.push('phone');
  }
  return { score: Math.min(1, Math.round(score * 100) / 100), reasons };
}
