/**
 * One stored SS-MIX2 message read from its bytes: the character set from MSH-18 (ISO IR87 and its
 * spellings: ISO-2022-JP), the whole text decoded before it is split on delimiters, parsed, and checked
 * against the data type it is filed under.
 */
import { declaredCharset, decodeMessage, type Charset } from '../../hl7v2/charset.ts';
import { formatLocation, Hl7ProcessingError } from '../../hl7v2/errors.ts';
import { findControlCharacter } from '../../hl7v2/fieldContent.ts';
import { Hl7v2Message } from '../../hl7v2/message.ts';
import { careDateRef, type DataType } from './dataTypes.ts';

export type MessageReason = 'bad-encoding' | 'unparseable' | 'wrong-message-type';

export class StoredMessageError extends Error {
  constructor(
    readonly reason: MessageReason,
    message: string,
  ) {
    super(message);
  }
}

export interface StoredMessage {
  message: Hl7v2Message;
  charset: Charset;
  /** MSH-9 code^event. */
  messageKey: string;
}

const SEGMENT_ID = /^[A-Z][A-Z0-9]{2}$/;

/**
 * The message bytes of a file: many storages keep the MLLP frame characters the message arrived with
 * (a VT before, FS after), which are no part of the message.
 */
function unframed(bytes: Uint8Array): Uint8Array {
  let start = 0;
  let end = bytes.length;
  if (bytes[0] === 0x0b) start = 1;
  while (end > start && (bytes[end - 1] === 0x1c || bytes[end - 1] === 0x0d || bytes[end - 1] === 0x0a)) end--;
  return bytes.subarray(start, end);
}

/** Decodes and parses the bytes of a stored file; SS-MIX2 stores ISO-2022-JP, so that is the fallback. */
export function readStoredMessage(raw: Uint8Array): StoredMessage {
  const bytes = unframed(raw);
  let charset: Charset;
  let text: string;
  try {
    charset = declaredCharset(bytes, 'iso-2022-jp').charset;
    text = decodeMessage(bytes, charset);
  } catch (e) {
    throw new StoredMessageError('bad-encoding', e instanceof Error ? e.message : String(e));
  }
  let message: Hl7v2Message;
  try {
    message = Hl7v2Message.parse(text);
  } catch (e) {
    throw new StoredMessageError('unparseable', e instanceof Hl7ProcessingError ? e.message : 'message cannot be parsed');
  }
  // One file holds one message: a second MSH, or a line that is no segment, is damage (the parser
  // alone accepts a bare "MSH" line as an empty segment).
  const segs = message.segments();
  for (let i = 1; i < segs.length; i++) {
    if (segs[i].type === 'MSH') throw new StoredMessageError('unparseable', `segment ${i + 1} is a second MSH: one file holds one message`);
    if (!SEGMENT_ID.test(segs[i].type) || (segs[i].toString().length > 3 && segs[i].toString()[3] !== message.delimiters.field)) {
      throw new StoredMessageError('unparseable', `line ${i + 1} is not a segment`);
    }
  }
  // What the MLLP edge refuses (hl7v2/fieldContent.ts) is no stored message either.
  const control = findControlCharacter(message);
  if (control) throw new StoredMessageError('unparseable', `a control character in ${formatLocation(control)}`);
  const h = message.header.type;
  return { message, charset, messageKey: `${h.code}^${h.event}` };
}

/** Throws when the message is not one the data type is stored as (e.g. an RDE^O11 filed under OML-01). */
export function checkMessageType(m: StoredMessage, dt: DataType): void {
  if (!dt.messages.includes(m.messageKey)) {
    throw new StoredMessageError('wrong-message-type', `${m.messageKey} is not stored as ${dt.code} (${dt.messages.join(', ')})`);
  }
}

/** The care date (YYYYMMDD...) from the field the data type's message carries it in, or ''. */
export function careDateOf(m: StoredMessage, dt: DataType): string {
  const ref = careDateRef(dt, m.messageKey);
  if (!ref) return '';
  const seg = m.message.first(ref.segment);
  const v = seg?.get(ref.field) ?? '';
  return /^\d{4,14}/.exec(v)?.[0] ?? '';
}

/**
 * What sharing a stored message needs of its content, as plain data (so that a worker thread can
 * read it off the message): its type, when it was made (MSH-7), its care date, and the patient's
 * demographics for sourcePatientInfo.
 */
export interface StoredFacts {
  messageKey: string;
  /** MSH-7. */
  dateTime: string;
  /** The care-date field's value, or ''. */
  careDate: string;
  /** sourcePatientInfo values: PID-5, -7, -8, -11 as received (PID-5|..., ...). */
  sourcePatientInfo: string[];
}

export function storedFactsOf(m: StoredMessage, dt: DataType): StoredFacts {
  const pid = m.message.first('PID');
  return {
    messageKey: m.messageKey,
    dateTime: m.message.header.dateTime,
    careDate: careDateOf(m, dt),
    sourcePatientInfo: pid ? [5, 7, 8, 11].filter((n) => pid.raw(n) !== '').map((n) => `PID-${n}|${pid.raw(n)}`) : [],
  };
}
