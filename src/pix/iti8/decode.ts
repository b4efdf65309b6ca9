/**
 * ITI-8 message structure (ITI TF-2 3.8.4.1.2, 3.8.4.2.2): MSH, EVN, PID, PV1 for A01/A04/A05/A08;
 * MSH, EVN, PID, MRG, [PV1] for A40. Missing required parts are errors located where they belong.
 */
import { isValidDtm } from '../../hl7v2/datetime.ts';
import { Hl7ProcessingError } from '../../hl7v2/errors.ts';
import type { Hl7v2Message, Repetition } from '../../hl7v2/message.ts';
import type { Demographics } from '../../identity/types.ts';
import { readCx } from '../codec/cx.ts';
import { readDemographics } from '../codec/pid.ts';
import type { PositionedCx } from '../patientFeed.ts';

export interface Iti8Request {
  event: 'A01' | 'A04' | 'A05' | 'A08' | 'A40';
  ids: PositionedCx[];
  priors: PositionedCx[];
  demographics: Demographics;
}

function requireSegment(msg: Hl7v2Message, type: string) {
  const seg = msg.first(type);
  if (!seg) throw Hl7ProcessingError.error(100, `Required segment ${type} is missing`, { segment: type });
  return seg;
}

/**
 * A field's identifiers, at most `max` of them. More is refused whole (AR): HL7 table 0357 has no
 * code for a repetition count, and 102 (data type error) is about a value's form, so this is 207, as
 * for a message over the size limit; nothing is stored.
 */
function identifiers(reps: Repetition[], max: number, at: { segment: string; field: number }): PositionedCx[] {
  if (reps.length > max) {
    throw Hl7ProcessingError.reject(207, `${at.segment}-${at.field} has ${reps.length} repetitions: at most ${max} patient identifiers are accepted`, { ...at, repetition: max + 1 });
  }
  return reps.map((r, index) => Object.assign(readCx(r), { index })).filter((cx) => cx.id !== '');
}

/** `maxIdentifiers`: repetitions of PID-3 (and MRG-1) accepted (config pix.maxIdentifiers). */
export function decodeIti8(msg: Hl7v2Message, maxIdentifiers: number): Iti8Request {
  const event = msg.header.type.event as Iti8Request['event'];
  requireSegment(msg, 'EVN');
  const pid = requireSegment(msg, 'PID');
  const ids = identifiers(pid.reps(3), maxIdentifiers, { segment: 'PID', field: 3 });
  if (ids.length === 0) throw Hl7ProcessingError.error(101, 'PID-3 holds no patient identifier', { segment: 'PID', field: 3 });
  const demographics = readDemographics(pid);
  // PID-7 is a DTM (HL7 2.5 3.4.2.7): a value that names no real date is refused, not kept as ''.
  const birth = pid.get(7);
  if (birth && !isValidDtm(birth)) throw Hl7ProcessingError.error(102, 'PID-7 date/time of birth is not a valid date', { segment: 'PID', field: 7 });
  // A PID-5 of separators only carries no name (and would be kept as none).
  if (!demographics.fields[5]) throw Hl7ProcessingError.error(101, 'PID-5 patient name is required', { segment: 'PID', field: 5 });
  let priors: PositionedCx[] = [];
  if (event === 'A40') {
    const mrg = requireSegment(msg, 'MRG');
    priors = identifiers(mrg.reps(1), maxIdentifiers, { segment: 'MRG', field: 1 });
    if (priors.length === 0) throw Hl7ProcessingError.error(101, 'MRG-1 prior patient identifier is required', { segment: 'MRG', field: 1 });
  } else {
    requireSegment(msg, 'PV1');
  }
  return { event, ids, priors, demographics };
}
