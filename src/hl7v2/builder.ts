/**
 * Outbound HL7 v2 segments. Values are escaped with the `hl7v2` package's escaper; a `Raw` value is
 * already ER7 (an echoed field) and is written as it is.
 */
import { hl7Escape } from 'hl7v2';

export class Raw {
  constructor(readonly er7: string) {}
}

export const raw = (er7: string): Raw => new Raw(er7);

/** A leaf value, or an array of subcomponents. */
export type Component = string | undefined | Raw | (string | undefined)[];
/** A single repetition: a leaf, or an array of components. */
export type Rep = Component | Component[];
/** A field: one repetition, several (`{ repeat }`), or raw ER7. */
export type Field = Rep | { repeat: Rep[] };

const esc = (v: string | undefined): string => (v === undefined || v === '' ? '' : hl7Escape(v));

function writeComponent(c: Component): string {
  if (c instanceof Raw) return c.er7;
  if (Array.isArray(c)) return trimJoin(c.map(esc), '&');
  return esc(c);
}

function writeRep(r: Rep): string {
  return Array.isArray(r) ? trimJoin((r as Component[]).map(writeComponent), '^') : writeComponent(r);
}

function writeField(f: Field): string {
  if (f && typeof f === 'object' && !Array.isArray(f) && !(f instanceof Raw) && 'repeat' in f) {
    return f.repeat.map(writeRep).join('~');
  }
  return writeRep(f as Rep);
}

function trimJoin(parts: string[], sep: string): string {
  let end = parts.length;
  while (end > 0 && parts[end - 1] === '') end--;
  return parts.slice(0, end).join(sep);
}

/** One segment, without its terminating CR. Trailing empty fields are dropped. */
export function segment(type: string, fields: Field[]): string {
  return trimJoin([type, ...fields.map(writeField)], '|');
}

export interface MshFields {
  sendingApplication: Field;
  sendingFacility: Field;
  receivingApplication: Field;
  receivingFacility: Field;
  dateTime: string;
  messageType: [string, string, string];
  controlId: string;
  processingId: string;
  version: string;
  acceptAckType?: string;
  applicationAckType?: string;
  /** MSH-18, raw (echoed from the request or chosen by config). */
  characterSet?: string;
  /** MSH-21 message profile identifier, e.g. ['ITI-10', 'IHE']. */
  profile?: [string, string];
}

/** The MSH segment: MSH-1 and MSH-2 are written literally (HL7 2.5 2.14.9). */
export function msh(h: MshFields): string {
  const rest = segment('X', [
    h.sendingApplication,
    h.sendingFacility,
    h.receivingApplication,
    h.receivingFacility,
    h.dateTime,
    undefined,
    h.messageType,
    h.controlId,
    h.processingId,
    h.version,
    undefined,
    undefined,
    h.acceptAckType,
    h.applicationAckType,
    undefined,
    h.characterSet === undefined ? undefined : raw(h.characterSet),
    undefined,
    undefined,
    h.profile,
  ]);
  return 'MSH|^~\\&' + rest.slice(1);
}

/** A whole message: segments joined and terminated by CR. */
export function message(segments: string[]): string {
  return segments.join('\r') + '\r';
}
