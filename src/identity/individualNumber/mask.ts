/**
 * Masking individual numbers in text that is kept (an audit record, a raw message kept with its
 * error): each digit of a number becomes `X`, whatever its spelling (digitSpellings.ts), and inside
 * base64 values too (a query kept as ParticipantObjectQuery, a FHIR valueBase64Binary), at whatever
 * alignment the number lies in the encoded bytes.
 */
import { checkDigitNumbers } from './freeText.ts';
import { digitRuns, maskSpans } from './digitSpellings.ts';

export interface MaskRequest {
  /** Numbers known to be individual numbers (identifiers the domain names), as decoded values. */
  numbers?: readonly string[];
  /** Every run of exactly 12 digits (when the text names the domain, any such run may be one). */
  allTwelveDigitRuns?: boolean;
  /** Every 12-digit run (or 4-4-4) that passes the check digit. */
  checkDigitRuns?: boolean;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const BASE64 = /[A-Za-z0-9+/]{16,}={0,2}/g;

function wanted(req: MaskRequest): boolean {
  return !!(req.numbers?.length || req.allTwelveDigitRuns || req.checkDigitRuns);
}

function maskDigits(text: string, req: MaskRequest): string {
  const digitNumbers: string[] = [];
  let out = text;
  for (const raw of req.numbers ?? []) {
    const n = raw.normalize('NFKC').trim();
    if (/^\d+$/.test(n)) digitNumbers.push(n);
    else if (n) out = out.split(n).join('X'.repeat(n.length));
  }
  const spans: [number, number][] = [];
  for (const run of digitRuns(out)) {
    if (req.allTwelveDigitRuns && run.digits.length === 12) {
      spans.push(...run.spans);
      continue;
    }
    const masked = new Set<number>();
    for (const n of digitNumbers) {
      for (let at = run.digits.indexOf(n); at >= 0; at = run.digits.indexOf(n, at + 1)) {
        for (let k = at; k < at + n.length; k++) masked.add(k);
      }
    }
    for (const k of [...masked].sort((a, b) => a - b)) spans.push(run.spans[k]);
  }
  if (req.checkDigitRuns) {
    const taken = new Set(spans.map((s) => s[0]));
    for (const r of checkDigitNumbers(out)) for (const s of r.spans) if (!taken.has(s[0])) spans.push(s);
  }
  spans.sort((a, b) => a[0] - b[0]);
  return maskSpans(out, spans);
}

function decodeBytes(b: Buffer): { text: string; encoding: 'utf8' | 'latin1' } {
  try {
    return { text: UTF8.decode(b), encoding: 'utf8' };
  } catch {
    return { text: b.toString('latin1'), encoding: 'latin1' };
  }
}

/** A base64 token with the numbers masked in what it encodes, or undefined when it holds none. */
function maskBase64(token: string, req: MaskRequest): string | undefined {
  for (let k = 0; k < 4; k++) {
    const len = Math.floor((token.length - k) / 4) * 4;
    if (len < 16) break;
    const body = token.slice(k, k + len);
    const decoded = decodeBytes(Buffer.from(body, 'base64'));
    const masked = maskDigits(decoded.text, req);
    if (masked !== decoded.text) {
      return token.slice(0, k) + Buffer.from(masked, decoded.encoding).toString('base64') + token.slice(k + len);
    }
  }
  return undefined;
}

/** Whether a text can hold a check-digit run at all: 12 digits, 4-4-4, or digits in another spelling. */
function mayHoldCheckDigitRun(text: string): boolean {
  return (
    /[0-9]{12}/.test(text) ||
    /[0-9]{4}[ \-\u3000\uFF0D\u2010-\u2015][0-9]{4}/.test(text) ||
    text.includes('&#') ||
    text.includes('\\u') ||
    text.includes('%3') ||
    /[\uFF10-\uFF19]/.test(text)
  );
}

/** The text with the requested numbers masked, in every spelling and inside base64 values. */
export function maskText(text: string, req: MaskRequest): string {
  if (!wanted(req)) return text;
  // Screening by check digit alone looks at digits as written, not inside base64.
  if (!req.numbers?.length && !req.allTwelveDigitRuns) return mayHoldCheckDigitRun(text) ? maskDigits(text, req) : text;
  const inBase64 = text.replace(BASE64, (token) => maskBase64(token, req) ?? token);
  return maskDigits(inBase64, req);
}

/** Bytes (UTF-8, or anything else read as Latin-1) with the requested numbers masked. */
export function maskBytes(bytes: Buffer, req: MaskRequest): Buffer {
  if (!wanted(req)) return bytes;
  const { text, encoding } = decodeBytes(bytes);
  const masked = maskText(text, req);
  return masked === text ? bytes : Buffer.from(masked, encoding);
}

/** A JSON-like value with the requested numbers masked in every string it holds (keys kept). */
export function maskStrings<T>(value: T, req: MaskRequest): T {
  if (!wanted(req)) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return maskText(v, req);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && !Buffer.isBuffer(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
