/**
 * MTOM/XOP packages (multipart/related, W3C XOP 1.0 and SOAP MTOM): a streaming, binary-safe reader
 * and a writer. The reader never holds a large part twice: parts above the spool threshold go to a
 * temporary file under the data folder as they arrive, with their SHA-1 and size computed on the
 * way, so that the repository can move the file into its blob store instead of copying it. A
 * package's memory is bounded whatever its parts: once the parts kept in memory reach the
 * request's memory budget, every further byte is spooled too, however small its part; and the
 * number of parts is capped.
 *
 * Delimiters are found whether lines end in CRLF (RFC 2046) or bare LF (as some captured test
 * material has them); the line break before a delimiter belongs to the delimiter.
 */
import { createHash, randomUUID, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { LeftoverSweep } from '../kernel/leftoverFiles.ts';
import { SoapFault, Subcodes, type FaultSubcode } from './fault.ts';

export interface MimePart {
  headers: Record<string, string>;
  /** Content-ID without its angle brackets. */
  contentId: string;
  contentType: string;
  size: number;
  /**
   * SHA-1 of a spooled part (lowercase hex), computed as it was written. A part kept in memory is
   * hashed by whoever needs it, off the event loop (WebCrypto digest runs in the thread pool).
   */
  sha1?: string;
  /** The content, when it is small enough to be kept in memory (joined from `pieces` when first read). */
  data?: Buffer;
  /**
   * The same content as it arrived, by reference (no copy): for whoever only passes the bytes on, as
   * the Initiating Gateway does with a peer's documents (issue 16).
   */
  pieces?: readonly Buffer[];
  /** The spool file holding the content otherwise; the caller moves or removes it. */
  file?: string;
}

export interface MultipartLimits {
  /** Largest whole package. */
  maxBytes: number;
  /** Parts above this size are spooled to a file. */
  spoolThreshold: number;
  spoolDir: string;
  /** Bytes of parts (and their headers) kept in memory for the whole package; beyond it parts are spooled. */
  memoryBudget?: number;
  /** Most parts in a package. */
  maxParts?: number;
}

/** What a part's headers and bookkeeping are counted as in the memory budget, beyond their bytes. */
const PART_OVERHEAD = 512;

/** The memory a package's parts hold, shared by its part sinks. */
interface Budget {
  used: number;
  readonly limit: number;
}

class PartSink {
  private chunks: Buffer[] = [];
  private size = 0;
  private hash?: Hash;
  private fd?: number;
  private file?: string;

  constructor(
    readonly headers: Record<string, string>,
    private readonly limits: MultipartLimits,
    private readonly budget: Budget,
  ) {}

  write(b: Buffer): void {
    if (b.length === 0) return;
    this.size += b.length;
    if (this.fd === undefined && (this.size > this.limits.spoolThreshold || this.budget.used + b.length > this.budget.limit)) {
      // What this part held in memory goes to its file: the budget has it back.
      this.budget.used -= this.size - b.length;
      fs.mkdirSync(this.limits.spoolDir, { recursive: true });
      this.file = path.join(this.limits.spoolDir, `part-${randomUUID()}.tmp`);
      this.fd = fs.openSync(this.file, 'w');
      this.hash = createHash('sha1');
      for (const c of this.chunks) {
        this.hash.update(c);
        fs.writeSync(this.fd, c);
      }
      this.chunks = [];
    }
    if (this.fd !== undefined) {
      this.hash!.update(b);
      fs.writeSync(this.fd, b);
    }
    // The chunk is the stream's own and never reused: kept by reference, copied once by finish().
    else {
      this.chunks.push(b);
      this.budget.used += b.length;
    }
  }

  finish(): MimePart {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    const id = this.headers['content-id'] ?? '';
    const part: MimePart = {
      headers: this.headers,
      contentId: id.replace(/^\s*<|>\s*$/g, '').trim(),
      contentType: this.headers['content-type'] ?? 'application/octet-stream',
      size: this.size,
      sha1: this.hash?.digest('hex'),
      file: this.file,
    };
    return this.fd === undefined ? inMemory(part, this.chunks) : part;
  }

  discard(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
    if (this.file) fs.rmSync(this.file, { force: true });
  }
}

/**
 * A part kept in memory: its pieces, and its bytes as one Buffer joined only when `data` is first
 * read (a part that arrived in one piece is that piece). Passing a document on needs no copy of it.
 */
function inMemory(part: MimePart, chunks: Buffer[]): MimePart {
  let joined: Buffer | undefined;
  part.pieces = chunks;
  Object.defineProperty(part, 'data', { enumerable: true, get: () => (joined ??= chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)) });
  return part;
}

/** Where a crash may leave spooled parts (`part-<uuid>.tmp`): for the sweep at start. */
export function spoolLeftovers(spoolDir: string): Omit<LeftoverSweep, 'before'> {
  return { dirs: [spoolDir], isTemporary: (name) => name.startsWith('part-') && name.endsWith('.tmp') };
}

/** Removes the spool files of parts nobody took. */
export function discardParts(parts: Iterable<MimePart>): void {
  for (const p of parts) if (p.file) fs.rmSync(p.file, { force: true });
}

/**
 * The header block of one part: an MTOM part has three or four short fields (Content-Type,
 * Content-Transfer-Encoding, Content-ID), far under this; more is refused, not held.
 */
export const MAX_PART_HEADER_BYTES = 16 * 1024;

/** The transport padding a boundary line may carry (RFC 2046 5.1.1) before its line break. */
const MAX_DELIMITER_PADDING = 1024;

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = block.split(/\r?\n/);
  let last = '';
  for (const line of lines) {
    if (/^[ \t]/.test(line) && last) {
      out[last] += ' ' + line.trim();
      continue;
    }
    const c = line.indexOf(':');
    if (c <= 0) continue;
    last = line.slice(0, c).trim().toLowerCase();
    out[last] = line.slice(c + 1).trim();
  }
  return out;
}

/** Reads a multipart/related body into its parts, in order. */
export async function readMultipart(body: AsyncIterable<Buffer> | Readable, boundary: string, limits: MultipartLimits): Promise<MimePart[]> {
  if (!boundary) throw new SoapFault('Sender', 'multipart/related without a boundary', Subcodes.badMime);
  const dash = Buffer.from('--' + boundary);
  const delim = Buffer.from('\n--' + boundary);
  const parts: MimePart[] = [];
  const budget: Budget = { used: 0, limit: limits.memoryBudget ?? Number.POSITIVE_INFINITY };
  const maxParts = limits.maxParts ?? Number.POSITIVE_INFINITY;
  let sink: PartSink | undefined;
  let state = 'preamble' as 'preamble' | 'headers' | 'body' | 'end';
  let buf: Buffer = Buffer.alloc(0);
  let total = 0;
  const fail = (reason: string, subcode: FaultSubcode = Subcodes.badMime): never => {
    throw new SoapFault('Sender', reason, subcode);
  };

  /** After a delimiter at `at` (its first byte): the closing `--` or the rest of the line. */
  const afterDelimiter = (at: number): boolean => {
    const rest = at + dash.length;
    if (buf.length < rest + 2) return false;
    if (buf[rest] === 0x2d && buf[rest + 1] === 0x2d) {
      state = 'end';
      buf = Buffer.alloc(0);
      return true;
    }
    const nl = buf.indexOf(0x0a, rest);
    if (nl < 0) {
      if (buf.length - rest > MAX_DELIMITER_PADDING) fail('a MIME boundary line does not end');
      return false;
    }
    buf = buf.subarray(nl + 1);
    state = 'headers';
    return true;
  };

  const step = (): boolean => {
    if (state === 'preamble') {
      const at = buf.subarray(0, dash.length).equals(dash) ? 0 : (() => {
        const i = buf.indexOf(delim);
        return i < 0 ? -1 : i + 1;
      })();
      if (at < 0) {
        if (buf.length > delim.length) buf = buf.subarray(buf.length - delim.length);
        return false;
      }
      return afterDelimiter(at);
    }
    if (state === 'headers') {
      let end = buf.indexOf('\r\n\r\n');
      let skip = 4;
      const lf = buf.indexOf('\n\n');
      if (lf >= 0 && (end < 0 || lf < end)) {
        end = lf;
        skip = 2;
      }
      if (end < 0) {
        if (buf.length > MAX_PART_HEADER_BYTES) fail(`MIME part headers exceed ${MAX_PART_HEADER_BYTES} bytes`);
        return false;
      }
      if (end > MAX_PART_HEADER_BYTES) fail(`MIME part headers exceed ${MAX_PART_HEADER_BYTES} bytes`);
      if (parts.length >= maxParts) fail(`the MIME package has more than ${maxParts} parts`, Subcodes.tooLarge);
      budget.used += end + PART_OVERHEAD;
      sink = new PartSink(parseHeaders(buf.subarray(0, end).toString('latin1')), limits, budget);
      buf = buf.subarray(end + skip);
      state = 'body';
      return true;
    }
    if (state === 'body') {
      const i = buf.indexOf(delim);
      if (i < 0) {
        // Keep what could be the start of a delimiter (and a CR before it).
        const keep = delim.length + 1;
        if (buf.length > keep) {
          sink!.write(buf.subarray(0, buf.length - keep));
          buf = buf.subarray(buf.length - keep);
        }
        return false;
      }
      const end = i > 0 && buf[i - 1] === 0x0d ? i - 1 : i;
      if (buf.length < i + delim.length + 2) return false;
      sink!.write(buf.subarray(0, end));
      parts.push(sink!.finish());
      sink = undefined;
      return afterDelimiter(i + 1);
    }
    return false;
  };

  /**
   * `buf` and the next chunk as one buffer. Inside a part's body `buf` is only the tail kept in case
   * it starts a delimiter: when the tail and the chunk's first bytes hold no delimiter, the tail is
   * the part's and the chunk is taken as it is, so a large part's bytes are not copied on the way in.
   */
  const join = (tail: Buffer, chunk: Buffer): Buffer => {
    if (state === 'body' && tail.length <= delim.length + 1 && chunk.length > delim.length + 1) {
      if (Buffer.concat([tail, chunk.subarray(0, delim.length + 1)]).indexOf(delim) < 0) {
        sink!.write(tail);
        return chunk;
      }
    }
    return Buffer.concat([tail, chunk]);
  };

  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limits.maxBytes) fail(`the MIME package exceeds the limit of ${limits.maxBytes} bytes`, Subcodes.tooLarge);
      if (state === 'end') continue;
      buf = buf.length ? join(buf, chunk) : chunk;
      while (step());
    }
    if (state !== 'end') fail('the MIME package ends before its closing delimiter');
  } catch (e) {
    sink?.discard();
    discardParts(parts);
    throw e;
  }
  return parts;
}

/** One part of an outgoing package: bytes in memory or a file streamed from disk. */
export interface OutgoingPart {
  contentId: string;
  contentType: string;
  data?: Buffer | readonly Buffer[];
  file?: string;
}

export interface OutgoingPackage {
  contentType: string;
  /** Buffers and files, in order; files are streamed when written. */
  pieces: (Buffer | { file: string })[];
}

/** An MTOM package: the SOAP envelope as the root part, then the attachments. */
export function buildMtomPackage(envelopeXml: string, action: string, attachments: OutgoingPart[]): OutgoingPackage {
  const boundary = `MIMEBoundary_${randomUUID().replace(/-/g, '')}`;
  const rootId = `root.${randomUUID()}@hie`;
  const pieces: OutgoingPackage['pieces'] = [
    Buffer.from(
      `--${boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\n` +
        `Content-Transfer-Encoding: binary\r\nContent-ID: <${rootId}>\r\n\r\n`,
    ),
    Buffer.from(envelopeXml, 'utf8'),
  ];
  for (const a of attachments) {
    pieces.push(
      Buffer.from(`\r\n--${boundary}\r\nContent-Type: ${a.contentType}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <${a.contentId}>\r\n\r\n`),
    );
    if (a.file) pieces.push({ file: a.file });
    else if (Buffer.isBuffer(a.data)) pieces.push(a.data);
    else pieces.push(...a.data!);
  }
  pieces.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  const contentType =
    `multipart/related; boundary="${boundary}"; type="application/xop+xml"; start="<${rootId}>"; ` +
    `start-info="application/soap+xml"; action="${action}"`;
  return { contentType, pieces };
}

/** cid: URLs (RFC 2392) are percent-encoded Content-IDs. */
export function contentIdOfHref(href: string): string | undefined {
  if (!/^cid:/i.test(href)) return undefined;
  try {
    return decodeURIComponent(href.slice(4));
  } catch {
    return href.slice(4);
  }
}
