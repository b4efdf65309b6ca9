import { createHmac } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/**
 * A keyed one-way value: HMAC-SHA-256 under `key`, its first 160 bits as 32 base32 characters
 * (short enough for CX-1 yet far from any collision in a nation's population).
 */
export function keyedDigest(key: Buffer, label: string, value: string): string {
  const mac = createHmac('sha256', key).update(label).update('\0').update(value, 'utf8').digest();
  return base32(mac.subarray(0, 20));
}
