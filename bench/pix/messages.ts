/**
 * The benchmark's HL7 v2 messages, as a Japanese hospital system sends them: ADT^A04 with the name
 * in kanji (XPN-8 I) and in katakana (XPN-8 P), and a PDQ query by kana family-name prefix.
 */
import { encodeMessage } from '../../src/hl7v2/charset.ts';
import type { Patient } from './population.ts';

export type BenchCharset = 'iso-2022-jp' | 'utf-8';

/** MSH-18 for each charset: JAHIS/SS-MIX2 write `~ISO IR87` (ASCII, plus JIS X 0208 for kanji and kana). */
export const MSH18: Record<BenchCharset, string> = { 'iso-2022-jp': '~ISO IR87', 'utf-8': 'UNICODE UTF-8' };

export interface Facility {
  application: string;
  namespace: string;
  oid: string;
}

/** The sending hospitals: one per load-generator connection. */
export const FACILITIES: Facility[] = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({
  application: `HIS_${n}`,
  namespace: `HOSP_${n}`,
  oid: `1.2.392.200119.6.102.1113${String(n).padStart(4, '0')}`,
}));

const TIMESTAMP = '20240401093000';

/** The PID segment of a patient (also what the PDQ database loader stores). */
export function pidSegment(p: Patient, f: Facility): string {
  return [
    'PID',
    '1',
    '',
    `${p.id}^^^${f.namespace}&${f.oid}&ISO^PI`,
    '',
    `${p.familyKanji}^${p.givenKanji}^^^^^L^I~${p.familyKana}^${p.givenKana}^^^^^L^P`,
    '',
    p.birthDate,
    p.sex,
    '',
    '',
    `${p.street}^^${p.city}^${p.prefecture}^${p.zip}^JPN^H`,
    '',
    `^PRN^PH^^^^^^^^^${p.phone}`,
  ].join('|');
}

export function adtA04(p: Patient, f: Facility, controlId: string, charset: BenchCharset): string {
  return (
    [
      `MSH|^~\\&|${f.application}|${f.namespace}|HIE|REGION|${TIMESTAMP}||ADT^A04^ADT_A01|${controlId}|P|2.5||||||${MSH18[charset]}`,
      `EVN||${TIMESTAMP}`,
      pidSegment(p, f),
      'PV1|1|O',
    ].join('\r') + '\r'
  );
}

/** QBP^Q22 by kana family-name prefix, first `limit` records (RCP-2 n^RD). */
export function pdqByKanaPrefix(prefix: string, controlId: string, tag: string, limit: number, charset: BenchCharset): string {
  return (
    [
      `MSH|^~\\&|PDQ_CONSUMER|CLINIC_9|HIE|REGION|${TIMESTAMP}||QBP^Q22^QBP_Q21|${controlId}|P|2.5||||||${MSH18[charset]}`,
      `QPD|IHE PDQ Query|${tag}|@PID.5.1.1^${prefix}*`,
      `RCP|I|${limit}^RD`,
    ].join('\r') + '\r'
  );
}

export function encode(text: string, charset: BenchCharset): Buffer {
  return encodeMessage(text, charset);
}
