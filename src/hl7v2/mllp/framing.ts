/**
 * MLLP framing (HL7 v2.5 Appendix C, MLLP release 1): <VT> message <FS><CR>.
 *
 * The decoder is fed TCP chunks as they come: several frames in one chunk and one frame split over
 * many chunks give the same events. Bytes outside a frame are counted and dropped; a frame larger
 * than the limit is skipped to its end, keeping its head so that the MSH can still be answered.
 */
export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

/** Bytes of an oversize or broken frame kept so that its MSH can be read for the negative ACK. */
const HEAD_BYTES = 4096;

export type MllpEvent =
  | { kind: 'message'; bytes: Buffer }
  | { kind: 'oversize'; head: Buffer; size: number }
  | { kind: 'truncated'; head: Buffer }
  /** Bytes outside any frame; `whitespace` when they were only CR, LF, space or tab (tolerated). */
  | { kind: 'garbage'; size: number; whitespace: boolean };

export function frame(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 3);
  out[0] = VT;
  out.set(payload, 1);
  out[payload.length + 1] = FS;
  out[payload.length + 2] = CR;
  return out;
}

export class MllpDecoder {
  private inFrame = false;
  private parts: Buffer[] = [];
  private size = 0;
  private oversize = false;
  private garbage = 0;
  private garbageIsWhitespace = true;
  private skipCr = false;

  constructor(private readonly maxMessageBytes: number) {}

  /** Whether the stream is inside a frame (its start block came, its end block not yet). */
  get midFrame(): boolean {
    return this.inFrame;
  }

  push(chunk: Buffer): MllpEvent[] {
    const events: MllpEvent[] = [];
    let i = 0;
    if (this.skipCr && chunk.length > 0) {
      if (chunk[0] === CR) i = 1;
      this.skipCr = false;
    }
    while (i < chunk.length) {
      if (!this.inFrame) {
        const start = chunk.indexOf(VT, i);
        const end = start < 0 ? chunk.length : start;
        this.noteGarbage(chunk, i, end);
        if (start < 0) {
          if (!this.garbageIsWhitespace) events.push(this.flushGarbage());
          break;
        }
        if (this.garbage > 0) events.push(this.flushGarbage());
        this.inFrame = true;
        i = start + 1;
        continue;
      }
      const fs = chunk.indexOf(FS, i);
      const vt = chunk.indexOf(VT, i);
      if (vt >= 0 && (fs < 0 || vt < fs)) {
        // A new start block inside a frame: the previous frame never ended.
        this.append(chunk.subarray(i, vt));
        events.push({ kind: 'truncated', head: this.head() });
        this.reset();
        this.inFrame = true;
        i = vt + 1;
        continue;
      }
      if (fs < 0) {
        this.append(chunk.subarray(i));
        break;
      }
      this.append(chunk.subarray(i, fs));
      events.push(this.complete());
      this.reset();
      i = fs + 1;
      if (i < chunk.length) {
        if (chunk[i] === CR) i++;
      } else {
        this.skipCr = true;
      }
    }
    return events;
  }

  private noteGarbage(chunk: Buffer, from: number, to: number): void {
    this.garbage += to - from;
    for (let k = from; k < to && this.garbageIsWhitespace; k++) {
      const b = chunk[k];
      if (b !== CR && b !== 0x0a && b !== 0x20 && b !== 0x09) this.garbageIsWhitespace = false;
    }
  }

  private flushGarbage(): MllpEvent {
    const ev: MllpEvent = { kind: 'garbage', size: this.garbage, whitespace: this.garbageIsWhitespace };
    this.garbage = 0;
    this.garbageIsWhitespace = true;
    return ev;
  }

  private append(b: Buffer): void {
    if (b.length === 0) return;
    this.size += b.length;
    if (this.oversize) return;
    if (this.size > this.maxMessageBytes) {
      this.oversize = true;
      const kept = Buffer.concat(this.parts);
      this.parts = [Buffer.concat([kept, b]).subarray(0, HEAD_BYTES)];
      return;
    }
    this.parts.push(b);
  }

  private head(): Buffer {
    return Buffer.concat(this.parts).subarray(0, HEAD_BYTES);
  }

  private complete(): MllpEvent {
    if (this.oversize) return { kind: 'oversize', head: this.head(), size: this.size };
    return { kind: 'message', bytes: this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts) };
  }

  private reset(): void {
    this.inFrame = false;
    this.parts = [];
    this.size = 0;
    this.oversize = false;
  }
}
