/**
 * The inbound HL7 v2 message model: handlers get plain, unescaped strings by position (field,
 * repetition, component, subcomponent) and a typed MSH header. Handlers never see delimiters or
 * escape sequences. Delimiters and unescaping follow the `hl7v2` package (see `parse` for when its
 * full parse still runs).
 */
import { HL7Error, HL7Message, hl7UnEscape } from 'hl7v2';
import { Hl7ProcessingError, HL7_0357, type Hl7ErrorCode } from './errors.ts';

export interface Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
}

/** What `hl7UnEscape` reads of a message: its delimiters. */
type UnescapeContext = Pick<HL7Message, 'fieldSeparator' | 'componentSeparator' | 'repetitionSeparator' | 'escapeCharacter' | 'subComponentSeparator'>;

/** One repetition of a field, split into components and subcomponents, unescaped. */
export class Repetition {
  private readonly comps: string[][];

  constructor(
    readonly raw: string,
    private readonly d: Delimiters,
    private readonly msg: UnescapeContext,
  ) {
    this.comps = raw === '' ? [] : raw.split(d.component).map((c) => c.split(d.subcomponent));
  }

  /** Component `c` (1-based), subcomponent `s` (1-based), unescaped; '' when absent or HL7 null. */
  get(c = 1, s = 1): string {
    const v = this.comps[c - 1]?.[s - 1];
    if (v === undefined || v === '' || v === '""') return '';
    if (v.indexOf(this.d.escape) < 0) return v;
    const u = hl7UnEscape(v, this.msg as HL7Message);
    return typeof u === 'string' ? u : '';
  }

  /** Every component with its subcomponents, unescaped. */
  values(): string[][] {
    return this.comps.map((c, ci) => c.map((_, si) => this.get(ci + 1, si + 1)));
  }

  /** The raw (escaped) text of component `c`, with its subcomponents. */
  rawComponent(c: number): string {
    return (this.comps[c - 1] ?? []).join(this.d.subcomponent);
  }

  get componentCount(): number {
    return this.comps.length;
  }

  isEmpty(): boolean {
    return this.comps.every((c) => c.every((s) => s === ''));
  }
}

/**
 * One segment, read from its own line of the message text: the parser validates the message, but
 * fields are taken from the text as received so that echoes (QPD in RSP) are exact.
 */
export class Segment {
  private readonly fields: string[];

  constructor(
    readonly type: string,
    private readonly line: string,
    private readonly d: Delimiters,
    private readonly msg: UnescapeContext,
    /** 1-based position among segments of the same type (ERL sequence). */
    readonly sequence: number,
  ) {
    // MSH-1 is the field separator itself: field n of MSH is parts[n - 1], of any other segment parts[n].
    this.fields = type === 'MSH' ? ['', d.field, ...line.split(d.field).slice(1)] : line.split(d.field);
  }

  /** The raw (escaped) text of field `n`, all repetitions. */
  raw(n: number): string {
    return this.fields[n] ?? '';
  }

  reps(n: number): Repetition[] {
    const raw = this.raw(n);
    if (raw === '') return [];
    // MSH-1 and MSH-2 hold the delimiters themselves and are never split.
    if (this.type === 'MSH' && n <= 2) return [new Repetition(raw, { ...this.d, component: '\0', subcomponent: '\0' }, this.msg)];
    return raw.split(this.d.repetition).map((r) => new Repetition(r, this.d, this.msg));
  }

  get(n: number, c = 1, s = 1, r = 0): string {
    return this.reps(n)[r]?.get(c, s) ?? '';
  }

  /** The segment exactly as received. */
  toString(): string {
    return this.line;
  }
}

export interface MessageType {
  code: string;
  event: string;
  structure: string;
}

export interface MessageHeader {
  sendingApplication: string;
  sendingFacility: string;
  receivingApplication: string;
  receivingFacility: string;
  /** Raw (escaped) MSH-3..6, echoed into responses swapped. */
  rawSendingApplication: string;
  rawSendingFacility: string;
  rawReceivingApplication: string;
  rawReceivingFacility: string;
  dateTime: string;
  type: MessageType;
  controlId: string;
  processingId: string;
  version: string;
  acceptAckType: string;
  applicationAckType: string;
  /** MSH-18 as received (raw). */
  characterSet: string;
}

export class Hl7v2Message {
  readonly header: MessageHeader;
  readonly delimiters: Delimiters;
  private readonly wrapped: Segment[];

  private constructor(
    msg: UnescapeContext,
    readonly text: string,
  ) {
    this.delimiters = {
      field: msg.fieldSeparator,
      component: msg.componentSeparator,
      repetition: msg.repetitionSeparator,
      escape: msg.escapeCharacter,
      subcomponent: msg.subComponentSeparator,
    };
    const counts = new Map<string, number>();
    this.wrapped = text
      .split('\r')
      .filter((line) => line !== '')
      .map((line) => {
        const type = line.slice(0, 3);
        const n = (counts.get(type) ?? 0) + 1;
        counts.set(type, n);
        return new Segment(type, line, this.delimiters, msg, n);
      });
    const msh = this.wrapped[0];
    this.header = {
      sendingApplication: firstOf(msh.reps(3)[0]),
      sendingFacility: firstOf(msh.reps(4)[0]),
      receivingApplication: firstOf(msh.reps(5)[0]),
      receivingFacility: firstOf(msh.reps(6)[0]),
      rawSendingApplication: msh.raw(3),
      rawSendingFacility: msh.raw(4),
      rawReceivingApplication: msh.raw(5),
      rawReceivingFacility: msh.raw(6),
      dateTime: msh.get(7),
      type: { code: msh.get(9, 1), event: msh.get(9, 2), structure: msh.get(9, 3) },
      controlId: msh.get(10),
      processingId: msh.get(11),
      version: msh.get(12),
      acceptAckType: msh.get(15),
      applicationAckType: msh.get(16),
      characterSet: msh.raw(18),
    };
  }

  /**
   * Parses decoded message text. Segment ends may be CR, LF or CRLF. A frame holding a second MSH
   * is refused: one frame carries one message (HL7 2.5 Appendix C, MLLP).
   */
  static parse(text: string): Hl7v2Message {
    const normalized = text.replace(/\r\n|\n\r|\n/g, '\r').replace(/^[\s\x00]+/, '').replace(/[\r\s]+$/, '');
    if (!normalized.startsWith('MSH') || normalized.length < 8) {
      throw Hl7ProcessingError.reject(100, 'Message does not begin with an MSH segment', { segment: 'MSH', sequence: 1 });
    }
    const fieldSep = normalized[3];
    const secondMsh = normalized.indexOf(`\rMSH${fieldSep}`);
    if (secondMsh >= 0) {
      throw Hl7ProcessingError.reject(100, 'More than one message in one frame', { segment: 'MSH', sequence: 2 });
    }
    // The package's full parse builds a typed tree (dictionary lookups, date coercion) that nothing
    // here reads. In its lenient mode it refuses only a header too short to hold MSH-2 (which
    // delimitersOf refuses alike) and a \M (multi-byte) escape whose bytes do not come in pairs;
    // so it runs only when the text holds a \M or \m escape, and refuses exactly what it refused.
    // messageLibraryParity.test.ts holds it to that.
    let parsed: UnescapeContext;
    try {
      parsed = /\\[Mm]/.test(normalized) ? HL7Message.parse(normalized) : delimitersOf(normalized);
    } catch (e) {
      throw fromLibraryError(e);
    }
    const m = new Hl7v2Message(parsed, normalized);
    validateHeader(m);
    return m;
  }

  segments(): readonly Segment[] {
    return this.wrapped;
  }

  first(type: string): Segment | undefined {
    return this.wrapped.find((s) => s.type === type);
  }

  all(type: string): Segment[] {
    return this.wrapped.filter((s) => s.type === type);
  }

  /** The message text of the given segments, CR-terminated (for audit ParticipantObjectQuery). */
  segmentText(types: string[]): string {
    return this.wrapped
      .filter((s) => types.includes(s.type))
      .map((s) => s.toString() + '\r')
      .join('');
  }
}

/**
 * The delimiters as `HL7Message.parseRaw` reads them: MSH-1, and MSH-2 character by character. It
 * fails where parseRaw fails (a header too short to hold MSH-2).
 */
function delimitersOf(text: string): UnescapeContext {
  const cr = text.indexOf('\r');
  const header = cr < 0 ? text : text.slice(0, cr);
  const fieldSeparator = header[3];
  const encoding = header.split(fieldSeparator)[1];
  return {
    fieldSeparator,
    componentSeparator: encoding[0],
    repetitionSeparator: encoding[1],
    escapeCharacter: encoding[2],
    subComponentSeparator: encoding[3],
  };
}

function firstOf(rep: Repetition | undefined): string {
  if (!rep) return '';
  return rep.get(1) || rep.get(2);
}

function validateHeader(m: Hl7v2Message): void {
  const h = m.header;
  if (!h.type.code) throw Hl7ProcessingError.reject(101, 'MSH-9 message type is missing', { segment: 'MSH', field: 9, repetition: 1, component: 1 });
  if (!h.controlId) throw Hl7ProcessingError.reject(101, 'MSH-10 message control id is missing', { segment: 'MSH', field: 10 });
  if (!h.processingId) throw Hl7ProcessingError.reject(101, 'MSH-11 processing id is missing', { segment: 'MSH', field: 11 });
  if (!h.version) throw Hl7ProcessingError.reject(101, 'MSH-12 version id is missing', { segment: 'MSH', field: 12 });
}

function fromLibraryError(e: unknown): Hl7ProcessingError {
  if (e instanceof HL7Error) {
    const code = (e.hl7ErrorCode && e.hl7ErrorCode in HL7_0357 ? e.hl7ErrorCode : 102) as Hl7ErrorCode;
    // The library's text may quote field values; only the location is reported back.
    return Hl7ProcessingError.reject(code, `Message cannot be parsed (segment ${e.segmentType || 'MSH'})`, {
      segment: e.segmentType || 'MSH',
      sequence: e.segmentSequence ? e.segmentSequence + 1 : 1,
      field: e.fieldPosition || undefined,
    });
  }
  return Hl7ProcessingError.reject(102, 'Message cannot be parsed');
}
