/**
 * What the Audit Record Repository makes of one message it received (ITI-20): the syslog header
 * (RFC 5424), the MSG decoded as UTF-8, the DICOM audit message read and validated. A valid message is
 * stored and indexed; one that fails validation but can be read (an RFC 3881-style message, say) is
 * kept raw with its error and indexed on a best-effort basis; one that cannot be read at all is kept
 * raw with its error. Nothing is dropped.
 */
import type { AuditRecord } from '../../store/types.ts';
import { indexFields } from '../dicom/index.ts';
import { AuditMessageReader } from '../dicom/reader.ts';
import { parseSyslog, SyslogParseError, type SyslogMessage } from '../syslog/rfc5424.ts';
import { maskBytes, maskText } from '../../identity/individualNumber/mask.ts';
import { dicomMaskRequest, maskEnvelope, maskUnreadable, MASKED_NOTE, type IndividualNumberHolder } from './individualNumber.ts';
import { senderFields, type Sender } from './sender.ts';

export interface Peer {
  address: string;
  port: number;
  /** Subject CN of the client certificate (TLS with client authentication). */
  certificateSubject?: string;
  /** The node the listener matched the peer to (unset: not identified, as for in-process callers). */
  sender?: Sender;
}

export interface ReceivedSyslog {
  transport: 'syslog-tls' | 'syslog-tcp' | 'syslog-udp';
  peer: Peer;
  receivedAt: string;
  bytes: Buffer;
  /** A framing problem found before the message itself (oversize, cut short, not octet-counted). */
  problem?: string;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The MSG of a syslog message as text (UTF-8, ITI TF-2 3.20.4.1.2); throws when it is not UTF-8. */
export function decodeMsg(msg: Uint8Array): string {
  return UTF8.decode(msg);
}

/** Where a record's XML lies in the bytes of its message, when the XML is the MSG as it came. */
export interface MsgRange {
  start: number;
  end: number;
}

export function originOf(transport: string, peer: Peer): string {
  return `${transport} ${peer.address}${peer.certificateSubject ? ` CN=${peer.certificateSubject}` : ''}`;
}

/** A header field as JSON: the fields are PRINTUSASCII, so only " and \\ need escaping. */
function jsonField(v: string | null): string {
  if (v === null) return 'null';
  return v.indexOf('"') < 0 && v.indexOf('\\') < 0 ? `"${v}"` : JSON.stringify(v);
}

/** The syslog envelope kept with the record: the JSON of its header fields, built without an object. */
function envelopeJson(m: SyslogMessage): string {
  let json = `{"facility":${m.facility},"severity":${m.severity},"timestamp":${jsonField(m.timestamp)},"hostname":${jsonField(m.hostname)},"appName":${jsonField(m.appName)},"procId":${jsonField(m.procId)},"msgId":${jsonField(m.msgId)}`;
  if (m.structuredData.length) json += `,"structuredData":${JSON.stringify(m.structuredData)}`;
  return m.bom ? `${json},"bom":true}` : `${json}}`;
}

export class ReceivedAuditReader {
  private readonly reader = new AuditMessageReader();

  constructor(private readonly domains: IndividualNumberHolder) {}

  /**
   * The record of a received message. `where.msg` is set when the record's XML is exactly the MSG
   * decoded (nothing masked), so that a reader thread need not send the text back: the main thread
   * has the bytes.
   */
  fromSyslog(r: ReceivedSyslog, where?: { msg?: MsgRange }): AuditRecord {
    const origin = originOf(r.transport, r.peer);
    if (r.problem) return this.unread(r, origin, r.problem);
    let syslog: SyslogMessage;
    try {
      syslog = parseSyslog(r.bytes);
    } catch (e) {
      if (e instanceof SyslogParseError) return this.unread(r, origin, e.message);
      throw e;
    }
    const domain = this.domains.individualNumber;
    const header = envelopeJson(syslog);
    const envelope = maskEnvelope(header, undefined);
    let text: string;
    try {
      text = decodeMsg(syslog.msg);
    } catch {
      return this.unread(r, origin, 'MSG is not UTF-8 (ITI TF-2 3.20.4.1.2)', envelope);
    }
    let read = this.reader.read(text);
    if (!read.message) return this.unread(r, origin, read.errors.join('; '), envelope);
    const start = syslog.msg.byteOffset - r.bytes.byteOffset;
    const req = dicomMaskRequest(read.message, text, domain);
    let xml = text;
    let raw: Buffer | undefined = r.bytes;
    let notes: string[] = [];
    if (req) {
      // Masked on the text, then read again, so that every field indexed comes from the masked text.
      xml = maskText(text, req);
      const again = this.reader.read(xml);
      if (!again.message) return this.unread(r, origin, `${read.errors.join('; ') || 'valid'}, but not readable once individual numbers were masked`, maskEnvelope(header, req));
      read = again;
      raw = Buffer.concat([Buffer.from(maskEnvelope(r.bytes.subarray(0, start).toString('latin1'), req), 'latin1'), maskBytes(r.bytes.subarray(start), req)]);
      notes = [MASKED_NOTE];
    } else if (envelope !== header) {
      raw = Buffer.concat([Buffer.from(maskEnvelope(r.bytes.subarray(0, start).toString('latin1'), undefined), 'latin1'), r.bytes.subarray(start)]);
      notes = [MASKED_NOTE];
    } else if (where) {
      where.msg = { start, end: start + syslog.msg.length };
    }
    const message = read.message!;
    const fields = indexFields(message, r.receivedAt);
    const valid = read.errors.length === 0;
    const errors = [...read.errors, ...notes];
    return {
      eventTime: fields.eventTime,
      eventId: fields.eventId,
      eventTypeCode: fields.eventTypeCode,
      action: fields.action,
      outcome: fields.outcome,
      origin,
      xml,
      patientIds: fields.patientIds,
      status: valid ? 'valid' : 'invalid',
      error: errors.length ? errors.join('; ') : undefined,
      raw: valid ? undefined : raw,
      transport: r.transport,
      sourceId: fields.sourceId,
      envelope: req ? maskEnvelope(header, req) : envelope,
      moreEventTypeCodes: fields.moreEventTypeCodes,
      agents: fields.agents,
      objects: fields.objects,
      ...senderFields(r.peer.sender, fields.sourceId),
    };
  }

  /** A message kept raw with its error. */
  private unread(r: ReceivedSyslog, origin: string, error: string, envelope?: string): AuditRecord {
    const masked = maskUnreadable(r.bytes, this.domains.individualNumber);
    return {
      eventTime: r.receivedAt,
      eventId: '',
      eventTypeCode: '',
      action: '',
      outcome: -1,
      origin,
      xml: '',
      patientIds: [],
      status: 'unparsed',
      error: masked.masked ? `${maskText(error, masked.req)}; ${MASKED_NOTE}` : maskText(error, masked.req),
      raw: masked.bytes,
      transport: r.transport,
      envelope,
      ...senderFields(r.peer.sender, undefined),
    };
  }
}
