/**
 * Individual numbers for tests, and a search of every byte a server wrote for them: in plain digits,
 * full-width digits, UTF-16 (both byte orders), XML character references (hex and decimal) and
 * base64 at each of the three alignments a number can take inside a longer base64 value.
 */
import fs from 'node:fs';
import path from 'node:path';
import { individualNumberCheckDigit } from '../../src/identity/token/checkDigit.ts';

/** A valid individual number (12 digits, the last the check digit of the first eleven). */
export function individualNumber(first11: string): string {
  return first11 + individualNumberCheckDigit(first11);
}

/** The characters of base64 that depend on the number alone, with `k` bytes before it. */
function base64Core(n: Buffer, k: number): string {
  const enc = (fill: number) => Buffer.concat([Buffer.alloc(k, fill), n, Buffer.alloc(3, fill)]).toString('base64');
  const [a, b] = [enc(0x00), enc(0xff)];
  let best = '';
  let run = '';
  for (let i = 0; i < a.length; i++) {
    run = a[i] === b[i] ? run + a[i] : '';
    if (run.length > best.length) best = run;
  }
  return best;
}

/** Every spelling of the number the search looks for, by name. */
export function spellings(number: string): Record<string, Buffer> {
  const ascii = Buffer.from(number, 'ascii');
  const utf16le = Buffer.from(number, 'utf16le');
  const utf16be = Buffer.from(utf16le).swap16();
  const out: Record<string, Buffer> = {
    plain: ascii,
    fullWidth: Buffer.from([...number].map((d) => String.fromCharCode(0xff10 + Number(d))).join(''), 'utf8'),
    utf16le,
    utf16be,
    hexRefs: Buffer.from([...number].map((d) => `&#x3${d};`).join('')),
    decRefs: Buffer.from([...number].map((d) => `&#${48 + Number(d)};`).join('')),
  };
  for (let k = 0; k < 3; k++) out[`base64@${k}`] = Buffer.from(base64Core(ascii, k));
  return out;
}

/** Every file under the folder (the database, its -wal and -shm, blobs, spool, anything else). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Where each number is found, in any spelling, in the given byte sources: `where: number spelling`. */
export function findNumbers(sources: Record<string, Buffer>, numbers: string[]): string[] {
  const hits: string[] = [];
  for (const n of numbers) {
    for (const [name, needle] of Object.entries(spellings(n))) {
      for (const [where, bytes] of Object.entries(sources)) if (bytes.includes(needle)) hits.push(`${where}: ${n} ${name}`);
    }
  }
  return hits;
}
