/**
 * Character sets of HL7 v2 messages (MSH-18, HL7 table 0211).
 *
 * Japanese messages (JAHIS, SS-MIX2) declare `~ISO IR87` (or a variant spelling) and carry kanji as
 * ISO-2022-JP: escape sequences switch to JIS X 0208, whose two-byte codes may contain the bytes of
 * `|`, `^`, `~`, `\` and `&`. So the raw bytes are never split on delimiters: MSH-18 is read with the
 * JIS runs masked out, the whole message is decoded, and only then parsed.
 */
import Encoding from 'encoding-japanese';
import { Hl7ProcessingError } from './errors.ts';

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
