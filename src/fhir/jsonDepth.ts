/**
 * How deeply a JSON text nests, read from its bytes before it is parsed: a body nested thousands
 * deep parses, but every recursive step after (schema validation, serialization) may then overflow
 * the stack. Brackets inside strings do not count.
 */

/** Deeper than any FHIR R4 resource nests (a Bundle of AuditEvents with nested extensions is under 20). */
export const MAX_FHIR_JSON_DEPTH = 100;

/** True when the text nests arrays and objects more than `max` deep. */
export function nestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c /* \ */) i++;
      else if (b === 0x22 /* " */) inString = false;
    } else if (b === 0x22) {
      inString = true;
    } else if (b === 0x5b /* [ */ || b === 0x7b /* { */) {
      if (++depth > max) return true;
    } else if (b === 0x5d /* ] */ || b === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}
