/**
 * Characters no field may hold. HL7 v2.5 ST and the data types built on it carry printable
 * characters only (2.A.74); CR ends a segment, and the escape sequences of ISO-2022-JP were consumed
 * by decoding. So a C0 control character or DEL in a field, raw or written as a hex escape (\X00\),
 * is a data type error. Free text may carry a tab (as some hospital systems write it); an identifier
 * (a CX, a query parameter) may carry no control character at all.
 */
import type { ErrorLocation } from './errors.ts';
import type { Hl7v2Message, Segment } from './message.ts';

/** A line break in text can only come of an escape (\.br\, \X0D0A\): formatting, allowed. */
const CONTROL_IN_TEXT = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const CONTROL_IN_IDENTIFIER = /[\x00-\x1f\x7f]/;

/** Fields that hold identifiers: the CX fields of PID and MRG, and QPD-3 (the PIX key, the PDQ parameters). */
export const IDENTIFIER_FIELDS: Readonly<Record<string, readonly number[]>> = {
  PID: [2, 3, 4, 18, 21],
  MRG: [1, 2, 3, 4, 7],
  QPD: [3],
};

/** Where the first control character of the message is, or undefined. */
export function findControlCharacter(msg: Hl7v2Message): ErrorLocation | undefined {
  const d = msg.delimiters;
  for (const seg of msg.segments()) {
    const line = seg.toString();
    // Most segments have neither a control character nor an escape: nothing to look at field by field.
    if (!CONTROL_IN_IDENTIFIER.test(line) && !line.includes(d.escape)) continue;
    const count = line.split(d.field).length - (seg.type === 'MSH' ? 0 : 1);
    for (let field = seg.type === 'MSH' ? 3 : 1; field <= count; field++) {
      const loc = inField(seg, field, IDENTIFIER_FIELDS[seg.type]?.includes(field) ? CONTROL_IN_IDENTIFIER : CONTROL_IN_TEXT);
      if (loc) return loc;
    }
  }
  return undefined;
}

function inField(seg: Segment, field: number, forbidden: RegExp): ErrorLocation | undefined {
  const reps = seg.reps(field);
  for (let r = 0; r < reps.length; r++) {
    const comps = reps[r].values();
    for (let c = 0; c < comps.length; c++) {
      for (let s = 0; s < comps[c].length; s++) {
        if (forbidden.test(comps[c][s])) {
          return { segment: seg.type, sequence: seg.sequence, field, repetition: r + 1, component: c + 1, subcomponent: comps[c].length > 1 ? s + 1 : undefined };
        }
      }
    }
  }
  return undefined;
}
