/**
 * What the Audit Record Repository makes of one message it received (ITI-20): the syslog header
 * (RFC 5424), the MSG decoded as UTF-8, the DICOM audit message read and validated. A valid message is
 * stored and indexed; one that fails validation but can be read (an RFC 3881-style message, say) is
 * kept raw with its error and indexed on a best-effort basis; one that cannot be read at all is kept
 * raw with its error. Nothing is dropped.
 */
import type { IndividualNumberPolicy } from '../../hl7v2/individualNumberGuard.ts';
import type { AuditRecord } from '../../store/types.ts';
import { indexFields } from '../dicom/index.ts';
import { AuditMessageReader } from '../dicom/reader.ts';
import { parseSyslog, SyslogParseError, type SyslogMessage } from '../syslog/rfc5424.ts';
import { individualNumbersIn, maskNumbers, maskUnreadable } from './individualNumber.ts';

export interface Peer {
  address: string;
  port: number;
  /** Subject CN of the client certificate (TLS with client authentication). */
  certificateSubject?: string;
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

export function originOf(transport: string, peer: Peer): string {
  return `${transport} ${peer.address}${peer.certificateSubject ? ` CN=${peer.certificateSubject}` : ''}`;
}

export class ReceivedAuditReader {
  private readonly reader = new AuditMessageReader();

  constructor(private readonly policy: IndividualNumberPolicy) {}

  fromSyslog(r: ReceivedSyslog): AuditRecord {
    const origin = originOf(r.transport, r.peer);
    const unread = (error: string, envelope?: string): AuditRecord => {
      const masked = maskUnreadable(r.bytes, this.policy);
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
        error: masked.masked ? `${error}; individual numbers masked` : error,
        raw: masked.bytes,
        transport: r.transport,
        envelope,
      };
    };
    if (r.problem) return unread(r.problem);
    let syslog: SyslogMessage;
    try {
      syslog = parseSyslog(r.bytes);
    } catch (e) {
      if (e instanceof SyslogParseError) return unread(e.message);
      throw e;
    }
    const envelope = JSON.stringify({
      facility: syslog.facility,
      severity: syslog.severity,
      timestamp: syslog.timestamp,
      hostname: syslog.hostname,
      appName: syslog.appName,
      procId: syslog.procId,
      msgId: syslog.msgId,
      structuredData: syslog.structuredData.length ? syslog.structuredData : undefined,
      bom: syslog.bom || undefined,
    });
    let text: string;
    try {
      text = UTF8.decode(syslog.msg);
    } catch {
      return unread('MSG is not UTF-8 (ITI TF-2 3.20.4.1.2)', envelope);
    }
    const read = this.reader.read(text);
    if (!read.message) return unread(read.errors.join('; '), envelope);
    const numbers = individualNumbersIn(read.message, this.policy);
    const fields = indexFields(read.message, r.receivedAt);
    const valid = read.errors.length === 0;
    let { patientIds, objects } = fields;
    let error = valid ? undefined : read.errors.join('; ');
    let raw = valid ? undefined : r.bytes;
    if (numbers.length) {
      patientIds = patientIds.map((p) => maskNumbers(p, numbers));
      objects = objects!.map((o) => ({ ...o, id: maskNumbers(o.id, numbers) }));
      error = [...read.errors, 'individual numbers masked'].join('; ');
      if (raw) raw = Buffer.from(maskNumbers(r.bytes.toString('utf8'), numbers), 'utf8');
    }
    return {
      eventTime: fields.eventTime,
      eventId: fields.eventId,
      eventTypeCode: fields.eventTypeCode,
      action: fields.action,
      outcome: fields.outcome,
      origin,
      xml: maskNumbers(text, numbers),
      patientIds,
      status: valid ? 'valid' : 'invalid',
      error,
      raw,
      transport: r.transport,
      sourceId: fields.sourceId,
      envelope,
      moreEventTypeCodes: fields.moreEventTypeCodes,
      agents: fields.agents,
      objects,
    };
  }
}
