/**
 * The syslog message of RFC 5424 (section 6): HEADER (PRI, VERSION, TIMESTAMP, HOSTNAME, APP-NAME,
 * PROCID, MSGID), STRUCTURED-DATA and MSG, with the UTF-8 BOM that may open MSG. Parsed from the bytes
 * as received; MSG is left as bytes for the caller to decode.
 */
import { digits } from '../asciiDigits.ts';

export interface StructuredDataElement {
  id: string;
  params: [string, string][];
}

export interface SyslogMessage {
  facility: number;
  severity: number;
  version: number;
  /** The header fields; null for the NILVALUE "-". */
  timestamp: string | null;
  hostname: string | null;
  appName: string | null;
  procId: string | null;
  msgId: string | null;
  structuredData: StructuredDataElement[];
  /** MSG without its BOM (a view into the input). */
  msg: Buffer;
  bom: boolean;
}

export class SyslogParseError extends Error {}

const SP = 0x20;

/** The longest HEADER (RFC 5424 6): PRI, VERSION and the five fields at their maximum lengths with their SPs. */
const MAX_HEADER = 5 + 3 + 1 + 32 + 1 + 255 + 1 + 48 + 1 + 128 + 1 + 32 + 1;

class Cursor {
  i = 0;
  /** The bytes that can hold the HEADER, as latin1 text: header fields are sliced from it. */
  readonly head: string;
  constructor(readonly b: Buffer) {
    this.head = b.toString('latin1', 0, Math.min(b.length, MAX_HEADER));
  }

  fail(what: string): never {
    throw new SyslogParseError(`RFC 5424: ${what} at byte ${this.i}`);
  }

  expect(byte: number, what: string): void {
    if (this.b[this.i] !== byte) this.fail(`${what} expected`);
    this.i++;
  }

  /** A header field: NILVALUE or 1..max PRINTUSASCII (33-126), up to the next SP. */
  field(name: string, max: number): string | null {
    const start = this.i;
    const b = this.b;
    while (this.i < b.length && b[this.i] !== SP) {
      const c = b[this.i];
      if (c < 33 || c > 126) this.fail(`${name} holds a character outside PRINTUSASCII`);
      this.i++;
    }
    const len = this.i - start;
    if (len === 0) this.fail(`${name} is empty`);
    if (len > max) this.fail(`${name} is longer than ${max}`);
    if (len === 1 && b[start] === 0x2d /* - */) return null;
    return this.text(start, this.i);
  }

  /** The bytes from start to end as latin1 text. */
  text(start: number, end: number): string {
    return end <= this.head.length ? this.head.slice(start, end) : this.b.toString('latin1', start, end);
  }
}

/** TIMESTAMP (RFC 5424 6.2.3): FULL-DATE "T" FULL-TIME of RFC 3339, with at most six fractional digits. */
function checkTimestamp(c: Cursor, ts: string): void {
  const n = ts.length;
  const mo = digits(ts, 5, 2);
  const d = digits(ts, 8, 2);
  const h = digits(ts, 11, 2);
  const mi = digits(ts, 14, 2);
  const s = digits(ts, 17, 2);
  let i = 19;
  let fraction = 0;
  if (ts.charCodeAt(i) === 46 /* . */) {
    while (fraction < 7 && digits(ts, i + 1 + fraction, 1) >= 0) fraction++;
    i += 1 + fraction;
  }
  let oh = 0;
  let om = 0;
  const zone = ts.charCodeAt(i);
  if (zone === 43 || zone === 45) {
    oh = digits(ts, i + 1, 2);
    om = digits(ts, i + 4, 2);
    if (ts.charCodeAt(i + 3) !== 58) oh = -1;
    i += 6;
  } else if (zone === 90 /* Z */) i++;
  else i = -1;
  const form =
    n >= 20 && digits(ts, 0, 4) >= 0 && ts.charCodeAt(4) === 45 && mo >= 0 && ts.charCodeAt(7) === 45 && d >= 0 && ts.charCodeAt(10) === 84 && h >= 0 && ts.charCodeAt(13) === 58 && mi >= 0 && ts.charCodeAt(16) === 58 && s >= 0;
  if (!form || i !== n || fraction === 7 || (ts.charCodeAt(19) === 46 && fraction === 0) || oh < 0 || om < 0) c.fail(`TIMESTAMP '${ts}' is not an RFC 3339 date-time`);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) c.fail(`TIMESTAMP '${ts}' is out of range`);
  if (oh > 23 || om > 59) c.fail(`TIMESTAMP '${ts}' has a bad offset`);
}

function sdName(c: Cursor, what: string): string {
  const b = c.b;
  const start = c.i;
  while (c.i < b.length) {
    const ch = b[c.i];
    if (ch === 0x3d /* = */ || ch === SP || ch === 0x5d /* ] */ || ch === 0x22 /* " */) break;
    if (ch < 33 || ch > 126) c.fail(`${what} holds a character outside PRINTUSASCII`);
    c.i++;
  }
  const len = c.i - start;
  if (len === 0 || len > 32) c.fail(`${what} must be 1 to 32 characters`);
  return b.toString('latin1', start, c.i);
}

function structuredData(c: Cursor): StructuredDataElement[] {
  const b = c.b;
  if (b[c.i] === 0x2d /* - */) {
    c.i++;
    return [];
  }
  const out: StructuredDataElement[] = [];
  while (b[c.i] === 0x5b /* [ */) {
    c.i++;
    const el: StructuredDataElement = { id: sdName(c, 'SD-ID'), params: [] };
    while (b[c.i] === SP) {
      c.i++;
      const name = sdName(c, 'PARAM-NAME');
      c.expect(0x3d, '=');
      c.expect(0x22, 'opening " of PARAM-VALUE');
      const parts: Buffer[] = [];
      let from = c.i;
      for (;;) {
        if (c.i >= b.length) c.fail('unterminated PARAM-VALUE');
        const ch = b[c.i];
        if (ch === 0x5c /* \ */ && (b[c.i + 1] === 0x22 || b[c.i + 1] === 0x5c || b[c.i + 1] === 0x5d)) {
          parts.push(b.subarray(from, c.i));
          from = c.i + 1;
          c.i += 2;
          continue;
        }
        if (ch === 0x22) break;
        if (ch === 0x5d) c.fail('] must be escaped in PARAM-VALUE');
        c.i++;
      }
      parts.push(b.subarray(from, c.i));
      c.i++;
      el.params.push([name, Buffer.concat(parts).toString('utf8')]);
    }
    c.expect(0x5d, '] closing SD-ELEMENT');
    out.push(el);
  }
  if (out.length === 0) c.fail('STRUCTURED-DATA expected');
  return out;
}

export function parseSyslog(b: Buffer): SyslogMessage {
  const c = new Cursor(b);
  c.expect(0x3c, '< opening PRI');
  const priStart = c.i;
  while (c.i < b.length && b[c.i] >= 0x30 && b[c.i] <= 0x39) c.i++;
  const priText = c.text(priStart, c.i);
  if (priText.length === 0 || priText.length > 3 || (priText.length > 1 && priText[0] === '0')) c.fail('PRIVAL must be 0 to 191 without leading zeros');
  const pri = Number(priText);
  if (pri > 191) c.fail('PRIVAL must be 0 to 191');
  c.expect(0x3e, '> closing PRI');
  const vStart = c.i;
  while (c.i < b.length && b[c.i] >= 0x30 && b[c.i] <= 0x39) c.i++;
  const vText = c.text(vStart, c.i);
  if (vText.length === 0 || vText.length > 3 || vText[0] === '0') c.fail('VERSION expected');
  if (vText !== '1') c.fail(`VERSION ${vText} is not supported (RFC 5424 is version 1)`);
  c.expect(SP, 'SP after VERSION');
  const timestamp = c.field('TIMESTAMP', 32);
  if (timestamp !== null) checkTimestamp(c, timestamp);
  c.expect(SP, 'SP after TIMESTAMP');
  const hostname = c.field('HOSTNAME', 255);
  c.expect(SP, 'SP after HOSTNAME');
  const appName = c.field('APP-NAME', 48);
  c.expect(SP, 'SP after APP-NAME');
  const procId = c.field('PROCID', 128);
  c.expect(SP, 'SP after PROCID');
  const msgId = c.field('MSGID', 32);
  c.expect(SP, 'SP after MSGID');
  const sd = structuredData(c);
  let msg = b.subarray(b.length);
  let bom = false;
  if (c.i < b.length) {
    c.expect(SP, 'SP before MSG');
    msg = b.subarray(c.i);
    if (msg[0] === 0xef && msg[1] === 0xbb && msg[2] === 0xbf) {
      bom = true;
      msg = msg.subarray(3);
    }
  }
  return { facility: pri >> 3, severity: pri & 7, version: 1, timestamp, hostname, appName, procId, msgId, structuredData: sd, msg, bom };
}

/** Builds an RFC 5424 message (what this server forwards): MSG is UTF-8, without a BOM (ITI TF-2 3.20.4.1.2). */
export function formatSyslog(m: {
  facility: number;
  severity: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  msg: string;
}): Buffer {
  const field = (v: string, max: number) => {
    const printable = v.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
    return printable === '' ? '-' : printable;
  };
  const header = `<${m.facility * 8 + m.severity}>1 ${m.timestamp} ${field(m.hostname, 255)} ${field(m.appName, 48)} ${field(m.procId, 128)} ${field(m.msgId, 32)} - `;
  return Buffer.concat([Buffer.from(header, 'latin1'), Buffer.from(m.msg, 'utf8')]);
}
