/**
 * Typed HL7 v2 processing errors. Handlers throw these deep inside; the MLLP edge turns them into
 * an ACK/RSP with MSA-1 AE or AR and an ERR segment (ITI TF-2 Appendix C.2.3).
 */

/** HL7 table 0357 (message error condition codes). */
export const HL7_0357 = {
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  204: 'Unknown key identifier',
  205: 'Duplicate key identifier',
  206: 'Application record locked',
  207: 'Application internal error',
} as const;

export type Hl7ErrorCode = keyof typeof HL7_0357;

/** ERL data type: where in the message the error is (HL7 2.5 section 2.A.27). */
export interface ErrorLocation {
  segment: string;
  sequence?: number;
  field?: number;
  repetition?: number;
  component?: number;
  subcomponent?: number;
}

export function formatLocation(loc: ErrorLocation): string {
  const parts: (string | number | undefined)[] = [
    loc.segment,
    loc.sequence ?? 1,
    loc.field,
    loc.repetition,
    loc.component,
    loc.subcomponent,
  ];
  while (parts.length && parts[parts.length - 1] === undefined) parts.pop();
  return parts.map((p) => (p === undefined ? '' : String(p))).join('^');
}

/** ERR-5 application error code (CWE; HL7 2.5 user-defined table 0533). */
export interface ApplicationErrorCode {
  code: string;
  text: string;
  system: string;
}

/**
 * This server's ERR-5 for a request refused by node authorization: table 0357 has no code for it, so
 * ERR-3 is 207 and ERR-5 says what happened.
 */
export const NOT_AUTHORIZED: ApplicationErrorCode = { code: 'NOTAUTH', text: 'Not authorized', system: 'HIE' };

export interface Hl7ErrorDetail {
  code: Hl7ErrorCode;
  /** Text safe to send back: never contains identifiers from the individual-number domain. */
  text: string;
  location?: ErrorLocation;
  severity?: 'E' | 'W' | 'I';
  application?: ApplicationErrorCode;
}

/**
 * An error in an inbound message. `ack` is AR when the message is rejected for its form
 * (unsupported type, version, unparseable) and AE when it was understood but could not be applied.
 */
export class Hl7ProcessingError extends Error {
  readonly ack: 'AE' | 'AR';
  readonly details: Hl7ErrorDetail[];

  constructor(ack: 'AE' | 'AR', details: Hl7ErrorDetail | Hl7ErrorDetail[]) {
    const list = Array.isArray(details) ? details : [details];
    super(list.map((d) => `${d.code} ${d.text}`).join('; '));
    this.name = 'Hl7ProcessingError';
    this.ack = ack;
    this.details = list;
  }

  static reject(code: Hl7ErrorCode, text: string, location?: ErrorLocation): Hl7ProcessingError {
    return new Hl7ProcessingError('AR', { code, text, location });
  }

  static error(code: Hl7ErrorCode, text: string, location?: ErrorLocation): Hl7ProcessingError {
    return new Hl7ProcessingError('AE', { code, text, location });
  }

  /**
   * A request refused by node authorization: AR (HL7 2.5 section 2.9.2, the receiving application
   * will not process it), ERR-3 207, ERR-5 NOTAUTH^Not authorized^HIE, ERR-8 the reason.
   */
  static notAuthorized(text: string, location?: ErrorLocation): Hl7ProcessingError {
    return new Hl7ProcessingError('AR', { code: 207, text, location, application: NOT_AUTHORIZED });
  }
}
