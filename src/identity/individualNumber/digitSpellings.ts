/**
 * Digits as a message may spell them: ASCII and full-width digits, XML character references (hex or
 * decimal, with leading zeros), JSON \u escapes and URL percent-encoding. A run of digits may mix
 * spellings (`1&#x32;３...`); each run is found with the span of every digit in the text, so that a
 * number can be found by its value and masked whatever its spelling.
 */

const ONE =
  '[0-9\\uFF10-\\uFF19]|&#[xX]0*(?:3[0-9]|[fF][fF]1[0-9]);|&#0*(?:4[89]|5[0-7]|6530[4-9]|6531[0-3]);|\\\\u(?:003[0-9]|[fF][fF]1[0-9])|%3[0-9]';
const RUN = new RegExp(`(?:${ONE})+`, 'g');
const DIGIT = new RegExp(ONE, 'g');

export interface DigitRun {
  /** The digits, in ASCII. */
  digits: string;
  /** Per digit: [start, end) of its spelling in the text. */
  spans: [number, number][];
}

function valueOf(spelled: string): string {
  if (spelled.length === 1) {
    const c = spelled.charCodeAt(0);
    return String.fromCharCode(c >= 0xff10 ? c - 0xff10 + 48 : c);
  }
  if (spelled[0] === '%') return spelled[2];
  let code: number;
  if (spelled[0] === '\\') code = parseInt(spelled.slice(2), 16);
  else if (spelled[2] === 'x' || spelled[2] === 'X') code = parseInt(spelled.slice(3, -1), 16);
  else code = parseInt(spelled.slice(2, -1), 10);
  return String.fromCharCode(code >= 0xff10 ? code - 0xff10 + 48 : code);
}

/** True when the text may hold a digit spelled otherwise than in ASCII. */
function mayBeSpelled(text: string): boolean {
  return /[&\\%\uFF10-\uFF19]/.test(text);
}

/** Every maximal run of digits in the text, whatever their spelling. */
export function digitRuns(text: string): DigitRun[] {
  const out: DigitRun[] = [];
  if (!mayBeSpelled(text)) {
    for (const m of text.matchAll(/[0-9]+/g)) {
      const spans: [number, number][] = [];
      for (let i = 0; i < m[0].length; i++) spans.push([m.index + i, m.index + i + 1]);
      out.push({ digits: m[0], spans });
    }
    return out;
  }
  for (const m of text.matchAll(RUN)) {
    let digits = '';
    const spans: [number, number][] = [];
    for (const d of m[0].matchAll(DIGIT)) {
      digits += valueOf(d[0]);
      spans.push([m.index + d.index, m.index + d.index + d[0].length]);
    }
    out.push({ digits, spans });
  }
  return out;
}

/** The text with the digits at the given spans (sorted, not overlapping) each replaced by `X`. */
export function maskSpans(text: string, spans: [number, number][]): string {
  if (spans.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [s, e] of spans) {
    out += text.slice(at, s) + 'X';
    at = e;
  }
  return out + text.slice(at);
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** The text with XML character references, JSON \u escapes, HL7 hex escapes (\Xhh..\) and percent-encoding decoded, NFKC-normalized. */
export function decodeSpellings(text: string): string {
  let t = text;
  if (t.includes('&')) t = t.replace(/&(amp|lt|gt|quot|apos);/g, (_, n: string) => NAMED[n]);
  if (t.includes('&#')) {
    t = t.replace(/&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));/g, (whole, hex: string | undefined, dec: string | undefined) => {
      const code = hex ? parseInt(hex, 16) : Number(dec);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    });
  }
  if (t.includes('\\u')) t = t.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  if (t.includes('\\X')) t = t.replace(/\\X((?:[0-9A-Fa-f]{2})+)\\/g, (_, h: string) => Buffer.from(h, 'hex').toString('latin1'));
  if (t.includes('%')) t = t.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return t.normalize('NFKC');
}
