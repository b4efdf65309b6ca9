/** PID segment <-> demographics. PID-3 (identifiers) is handled by the transactions themselves. */
import { segment, type Field } from '../../hl7v2/builder.ts';
import type { Segment } from '../../hl7v2/message.ts';
import type { Demographics } from '../../identity/types.ts';

/**
 * PID fields kept as demographics. PID-2, -3, -4 (identifiers) are cross-references, not
 * demographics; PID-19 and PID-20 (social security and driver's license numbers) are personal
 * numbers this server has no use for and does not keep.
 */
const KEPT_FIELDS = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39];

export function readDemographics(pid: Segment): Demographics {
  const fields: Demographics['fields'] = {};
  for (const n of KEPT_FIELDS) {
    const reps = pid.reps(n);
    if (reps.length === 0) continue;
    const value = reps.map((r) => r.values());
    if (value.some((rep) => rep.some((c) => c.some((s) => s !== '')))) fields[n] = value;
  }
  return { fields };
}

/** A PID segment: PID-1 set id, PID-3 as given, the rest from the demographics. */
export function writePid(setId: number | undefined, pid3: Field, d: Demographics, overrides: Record<number, Field> = {}): string {
  const last = Math.max(5, ...Object.keys(d.fields).map(Number), ...Object.keys(overrides).map(Number));
  const fields: Field[] = [];
  for (let n = 1; n <= last; n++) {
    if (n === 1) fields.push(setId === undefined ? undefined : String(setId));
    else if (n === 3) fields.push(pid3);
    else if (n in overrides) fields.push(overrides[n]);
    else {
      const reps = d.fields[n];
      fields.push(reps ? { repeat: reps.map((rep) => rep.map((c) => (c.length > 1 ? c : c[0]))) } : undefined);
    }
  }
  return segment('PID', fields);
}
