/**
 * Character sets of HL7 v2 messages (MSH-18, HL7 table 0211).
 *
 * Japanese messages (JAHIS, SS-MIX2) declare `~ISO IR87` (or a variant spelling) and carry kanji as
 * ISO-2022-JP: escape sequences switch to JIS X 0208, whose two-byte codes may contain the bytes of
 * `|`, `^`, `~`, `\` and `&`. So the raw bytes are never split on delimiters: MSH-18 is read with the
 * JIS runs masked out, the whole message is decoded, and only then parsed.
 */
import Encoding from 'encoding-japanese';
import { Hl7ProcessingError, type ErrorLocation } from './errors.ts';

export type Charset = 'ascii' | 'utf-8' | 'iso-2022-jp' | 'latin1';

const ESC = 0x1b;

/** Normalized MSH-18 spellings (upper case, spaces, hyphens and underscores removed). */
const CHARSET_BY_NAME: Record<string, Charset> = {
  '': 'ascii',
  ASCII: 'ascii',
  ISOIR6: 'ascii',
  ISO646: 'ascii',
  USASCII: 'ascii',
  UNICODEUTF8: 'utf-8',
  UTF8: 'utf-8',
  UNICODE: 'utf-8',
  ISOIR87: 'iso-2022-jp',
  ISOIR159: 'iso-2022-jp',
  ISOIR13: 'iso-2022-jp',
  ISOIR14: 'iso-2022-jp',
  ISO2022JP: 'iso-2022-jp',
  ISO20221994: 'iso-2022-jp',
  JIS: 'iso-2022-jp',
  '8859/1': 'latin1',
  ISO88591: 'latin1',
  ISOIR100: 'latin1',
};

function normalizeName(name: string): string {
  return name.toUpperCase().replace(/[\s_-]/g, '');
}

export function charsetFromName(name: string): Charset | undefined {
  return CHARSET_BY_NAME[normalizeName(name)];
}

/**
 * The raw MSH segment as latin1 text with every ISO-2022-JP shifted run replaced by `?`, so that
 * splitting it on delimiters is safe. Ends at the first CR or LF.
 */
export function maskedHeader(bytes: Uint8Array): string {
  let out = '';
  let shifted = false; // inside a JIS X 0208 run or a JIS X 0201 katakana run
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === ESC && i + 2 < bytes.length) {
      const b1 = bytes[i + 1];
      const b2 = bytes[i + 2];
      if (b1 === 0x24 /* $ */) {
        shifted = true;
        i += b2 === 0x28 /* ( */ ? 3 : 2;
        continue;
      }
      if (b1 === 0x28 /* ( */) {
        shifted = b2 === 0x49; /* ESC ( I: half-width katakana */
        i += 2;
        continue;
      }
    }
    if (!shifted && (b === 0x0d || b === 0x0a)) break;
    out += shifted ? '?' : String.fromCharCode(b);
  }
  return out;
}

export interface DeclaredCharset {
  charset: Charset;
  /** MSH-18 as received, to be echoed in responses. */
  msh18: string;
}

/** Reads MSH-18 from raw bytes. Every repetition counts: `~ISO IR87` means ASCII plus JIS X 0208. */
export function declaredCharset(bytes: Uint8Array, fallback: Charset): DeclaredCharset {
  const header = maskedHeader(bytes);
  if (!header.startsWith('MSH') || header.length < 8) return { charset: fallback, msh18: '' };
  const fieldSep = header[3];
  const repSep = header[5] ?? '~';
  const fields = header.split(fieldSep);
  const msh18 = fields[17] ?? '';
  if (msh18 === '') return { charset: containsEscape(bytes) ? 'iso-2022-jp' : fallback, msh18 };
  let chosen: Charset | undefined;
  for (const rep of msh18.split(repSep)) {
    if (rep === '') continue;
    const cs = charsetFromName(rep);
    if (!cs) {
      const rep0 = msh18.split(repSep).indexOf(rep) + 1;
      throw Hl7ProcessingError.reject(103, `Character set '${rep}' in MSH-18 is not supported`, {
        segment: 'MSH',
        field: 18,
        repetition: rep0,
      });
    }
    if (cs === 'iso-2022-jp' || !chosen || chosen === 'ascii') chosen = cs;
  }
  return { charset: chosen ?? fallback, msh18 };
}

function containsEscape(bytes: Uint8Array): boolean {
  return bytes.indexOf(ESC) >= 0;
}

const decoders: Record<Charset, TextDecoder> = {
  ascii: new TextDecoder('utf-8', { fatal: true }),
  'utf-8': new TextDecoder('utf-8', { fatal: true }),
  'iso-2022-jp': new TextDecoder('iso-2022-jp', { fatal: true }),
  latin1: new TextDecoder('latin1'),
};

/** Decodes a whole message. Bytes that are not valid in the declared charset reject the message. */
export function decodeMessage(bytes: Uint8Array, charset: Charset): string {
  if (charset === 'iso-2022-jp') {
    const broken = brokenIso2022jp(bytes);
    if (broken) throw Hl7ProcessingError.reject(102, `Message bytes are not valid ISO-2022-JP: ${broken.problem}`, broken.location);
  }
  try {
    return decoders[charset].decode(bytes);
  } catch {
    throw Hl7ProcessingError.reject(102, `Message bytes are not valid ${charset}`, { segment: 'MSH', field: 18 });
  }
}

export function encodeMessage(text: string, charset: Charset): Buffer {
  switch (charset) {
    case 'iso-2022-jp': {
      const codes = Encoding.convert(Encoding.stringToCode(text), { to: 'JIS', from: 'UNICODE' });
      return Buffer.from(codes);
    }
    case 'latin1':
      return Buffer.from(text, 'latin1');
    default:
      return Buffer.from(text, 'utf8');
  }
}

/** The designations ISO-2022-JP allows (RFC 1468; JIS X 0201 katakana as the WHATWG decoder reads it). */
const DESIGNATIONS: Record<string, 'single' | 'double' | 'katakana'> = {
  '(B': 'single', // ASCII
  '(J': 'single', // JIS X 0201 Roman
  '(I': 'katakana', // JIS X 0201 katakana
  '$@': 'double', // JIS C 6226-1978
  '$B': 'double', // JIS X 0208-1983
};

export interface Iso2022jpProblem {
  problem: string;
  /** The segment and field where the broken run is (the field counted on delimiters outside JIS runs). */
  location: ErrorLocation;
}

/**
 * What the decoder lets through but ISO-2022-JP forbids, found before decoding: an escape sequence
 * that is no designation of RFC 1468, a JIS X 0208 run of an odd number of bytes, and a shifted run
 * that does not return to ASCII (or JIS Roman) before the segment ends ("the line ends in ASCII",
 * RFC 1468). Left alone, such a run swallows the delimiters after it as kanji: the fields that
 * follow (birth date, sex) are lost in a garbled name.
 */
export function brokenIso2022jp(bytes: Uint8Array): Iso2022jpProblem | undefined {
  let mode: 'single' | 'double' | 'katakana' = 'single';
  let runBytes = 0;
  let segStart = 0;
  let fields = 0;
  const seen = new Map<string, number>();
  let segment = '';
  const where = (): ErrorLocation => {
    if (!segment) segment = String.fromCharCode(...bytes.subarray(segStart, Math.min(segStart + 3, bytes.length)));
    // A line that is no segment: the fault is the message's charset, declared in MSH-18.
    if (!/^[A-Z][A-Z0-9]{2}$/.test(segment)) return { segment: 'MSH', field: 18 };
    // MSH-1 is the field separator itself: the n-th separator opens MSH-(n+1).
    const field = segment === 'MSH' ? fields + 1 : fields;
    return { segment, sequence: seen.get(segment) ?? 1, field: field > 0 ? field : undefined };
  };
  const endOfRun = (): Iso2022jpProblem | undefined =>
    mode === 'double' && runBytes % 2 === 1 ? { problem: 'a JIS X 0208 run of an odd number of bytes', location: where() } : undefined;
  let fieldSep = 0x7c;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (i === segStart) {
      segment = '';
      fields = 0;
      const name = String.fromCharCode(...bytes.subarray(i, Math.min(i + 3, bytes.length)));
      if (name === 'MSH' && i + 3 < bytes.length) fieldSep = bytes[i + 3];
      if (/^[A-Z][A-Z0-9]{2}$/.test(name)) seen.set(name, (seen.get(name) ?? 0) + 1);
    }
    if (b === ESC) {
      const designation = String.fromCharCode(...bytes.subarray(i + 1, Math.min(i + 3, bytes.length)));
      const next = DESIGNATIONS[designation];
      if (!next) return { problem: 'an escape sequence that is no ISO-2022-JP designation', location: where() };
      const odd = endOfRun();
      if (odd) return odd;
      mode = next;
      runBytes = 0;
      i += 2;
      continue;
    }
    if (b === 0x0d || b === 0x0a) {
      if (mode !== 'single') return { problem: 'a JIS run that does not return to ASCII before the segment ends', location: where() };
      segStart = i + 1;
      continue;
    }
    if (mode === 'single') {
      if (b === fieldSep) fields++;
    } else {
      runBytes++;
    }
  }
  if (mode !== 'single') return { problem: 'a JIS run that does not return to ASCII before the message ends', location: where() };
  return undefined;
}
