/**
 * Acknowledgements and responses (ITI TF-2 Appendix C.2.3): MSH, MSA, ERR..., then the body a
 * transaction adds (QAK, QPD, PID, DSC). MSA-3 and MSA-6 are not used; each error is an ERR with
 * ERR-2 location, ERR-3 code from HL7 table 0357, ERR-4 severity, ERR-5 an application error code
 * where table 0357 has none (node authorization) and ERR-8 user message.
 */
import { echoedControlId } from './controlId.ts';
import { formatLocation, HL7_0357, type Hl7ErrorDetail } from './errors.ts';
import { hl7Timestamp } from './datetime.ts';
import { msh, raw, segment } from './builder.ts';
import type { MessageHeader } from './message.ts';

export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';

export interface ResponseSpec {
  /** MSH-9 of the response, e.g. ['RSP', 'K23', 'RSP_K23']. */
  type: [string, string, string];
  ack: AckCode;
  errors?: Hl7ErrorDetail[];
  /** Segments after MSA and ERR, without CR. */
  body?: string[];
  /** MSH-21, e.g. ['ITI-9', 'IHE']... only for v2.5 responses. */
  profile?: [string, string];
}

/** What the response echoes of the request; fields that could not be read are empty. */
export type RequestHeader = Pick<
  MessageHeader,
  'rawSendingApplication' | 'rawSendingFacility' | 'rawReceivingApplication' | 'rawReceivingFacility' | 'controlId' | 'processingId' | 'version' | 'characterSet'
>;

export const EMPTY_HEADER: RequestHeader = {
  rawSendingApplication: '',
  rawSendingFacility: '',
  rawReceivingApplication: '',
  rawReceivingFacility: '',
  controlId: '',
  processingId: 'P',
  version: '2.5',
  characterSet: '',
};

export interface Responder {
  /** Our MSH-3/MSH-4 when the request did not name us in MSH-5/MSH-6. */
  application: string;
  facility: string;
  nextControlId(): string;
}

export function errSegment(e: Hl7ErrorDetail): string {
  return segment('ERR', [
    undefined,
    e.location ? raw(formatLocation(e.location)) : undefined,
    [String(e.code), HL7_0357[e.code], 'HL70357'],
    e.severity ?? 'E',
    e.application ? [e.application.code, e.application.text, e.application.system] : undefined,
    undefined,
    undefined,
    e.text,
  ]);
}

export function buildResponse(req: RequestHeader, spec: ResponseSpec, me: Responder): string[] {
  const version = req.version || '2.5';
  const segments = [
    msh({
      sendingApplication: req.rawReceivingApplication ? raw(req.rawReceivingApplication) : me.application,
      sendingFacility: req.rawReceivingFacility ? raw(req.rawReceivingFacility) : me.facility,
      receivingApplication: raw(req.rawSendingApplication),
      receivingFacility: raw(req.rawSendingFacility),
      dateTime: hl7Timestamp(),
      messageType: spec.type,
      controlId: me.nextControlId(),
      processingId: req.processingId || 'P',
      version,
      characterSet: req.characterSet || undefined,
      profile: version.startsWith('2.3') ? undefined : spec.profile,
    }),
    segment('MSA', [spec.ack, echoedControlId(req.controlId)]),
    ...(spec.errors ?? []).map(errSegment),
    ...(spec.body ?? []),
  ];
  return segments;
}
