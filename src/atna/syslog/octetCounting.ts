/**
 * Octet-counting framing of syslog over a stream (RFC 5425 section 4.3): each message is sent as
 * MSG-LEN SP SYSLOG-MSG, MSG-LEN in decimal without leading zeros. Any number of frames may arrive in
 * one chunk and a frame may be split across chunks. A frame larger than the limit is skipped by its
 * length (its first bytes kept); bytes that are not a frame header end the decoding of the stream.
 */
export type Frame =
  | { kind: 'message'; bytes: Buffer }
  /** A frame over the size limit: `head` holds its first bytes, the rest was skipped. */
  | { kind: 'oversize'; size: number; head: Buffer }
  /** Bytes that are not octet-counted framing; nothing after them is decoded. */
  | { kind: 'invalid'; bytes: Buffer; reason: string };

const MAX_LENGTH_DIGITS = 10;

export class OctetCountingDecoder {
  /** Digits of MSG-LEN read so far (state 'length'), or the frame being read (state 'body'/'skip'). */
  private state: 'length' | 'body' | 'skip' | 'broken' = 'length';
  private lengthText = '';
  private expected = 0;
  private received = 0;
  private parts: Buffer[] = [];

  constructor(private readonly maxMessageBytes: number) {}

  push(chunk: Buffer): Frame[] {
    const out: Frame[] = [];
    let i = 0;
    while (i < chunk.length && this.state !== 'broken') {
      if (this.state === 'length') {
        const c = chunk[i];
        if (c >= 0x30 && c <= 0x39 && !(c === 0x30 && this.lengthText === '') && this.lengthText.length < MAX_LENGTH_DIGITS) {
          this.lengthText += String.fromCharCode(c);
          i++;
          continue;
        }
        if (c === 0x20 && this.lengthText !== '') {
          i++;
          this.expected = Number(this.lengthText);
          this.lengthText = '';
          this.received = 0;
          this.parts = [];
          this.state = this.expected > this.maxMessageBytes ? 'skip' : 'body';
          continue;
        }
        const bytes = Buffer.concat([Buffer.from(this.lengthText, 'latin1'), chunk.subarray(i, i + this.maxMessageBytes)]);
        out.push({ kind: 'invalid', bytes, reason: 'not octet-counted framing (RFC 5425 4.3): MSG-LEN SP expected' });
        this.state = 'broken';
        break;
      }
      const want = this.expected - this.received;
      const take = Math.min(want, chunk.length - i);
      if (this.state === 'body' || this.received < this.maxMessageBytes) {
        const keep = this.state === 'body' ? take : Math.min(take, this.maxMessageBytes - this.received);
        if (keep > 0) this.parts.push(chunk.subarray(i, i + keep));
      }
      this.received += take;
      i += take;
      if (this.received === this.expected) {
        const bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
        out.push(this.state === 'body' ? { kind: 'message', bytes } : { kind: 'oversize', size: this.expected, head: bytes });
        this.parts = [];
        this.state = 'length';
      }
    }
    return out;
  }

  /** Whether the stream is in the middle of a frame (its length or its body). */
  get midFrame(): boolean {
    return this.state === 'body' || this.state === 'skip' || (this.state === 'length' && this.lengthText !== '');
  }

  /** What an unfinished frame holds, when the stream ends or stalls in the middle of one. */
  unfinished(): { bytes: Buffer; received: number; expected: number } | undefined {
    if (this.state === 'body' || this.state === 'skip') {
      return { bytes: Buffer.concat(this.parts), received: this.received, expected: this.expected };
    }
    if (this.state === 'length' && this.lengthText !== '') return { bytes: Buffer.from(this.lengthText, 'latin1'), received: 0, expected: 0 };
    return undefined;
  }
}
