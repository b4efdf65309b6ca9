/**
 * Splits a file of HL7 v2 messages into messages: MLLP-framed files by their frames, plain files at
 * each line that starts with MSH. ISO-2022-JP runs are skipped over, never split.
 */
import { MllpDecoder, VT } from './mllp/framing.ts';

const ESC = 0x1b;

export function splitMessages(bytes: Buffer): Buffer[] {
  if (bytes.indexOf(VT) >= 0) {
    return new MllpDecoder(bytes.length + 1)
      .push(bytes)
      .flatMap((e) => (e.kind === 'message' ? [e.bytes] : []));
  }
  const starts: number[] = [];
  let shifted = false;
  let lineStart = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === ESC && i + 1 < bytes.length) {
      shifted = bytes[i + 1] === 0x24 || (bytes[i + 1] === 0x28 && bytes[i + 2] === 0x49);
      continue;
    }
    if (!shifted && (b === 0x0d || b === 0x0a)) {
      lineStart = true;
      continue;
    }
    if (lineStart && !shifted && b === 0x4d && bytes[i + 1] === 0x53 && bytes[i + 2] === 0x48) starts.push(i);
    lineStart = false;
  }
  return starts.map((s, k) => trimEnd(bytes.subarray(s, k + 1 < starts.length ? starts[k + 1] : bytes.length)));
}

function trimEnd(b: Buffer): Buffer {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0x0d || b[end - 1] === 0x0a || b[end - 1] === 0x20)) end--;
  return b.subarray(0, end);
}
