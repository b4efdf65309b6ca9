/**
 * Audit records in the form that crosses back from a reader thread cheaply: all their strings as one
 * string, and a list of small integers saying where each ends and holding the numbers. Structured
 * cloning an object graph writes every key of every object and makes the receiving thread build it
 * again key by key; this costs both threads a fraction of that. Buffers travel beside it.
 */
import type { AuditRecord, AuditStatus } from '../../store/types.ts';
import { decodeMsg, type MsgRange } from './receivedAudit.ts';

export interface PackedRecords {
  count: number;
  text: string;
  /**
   * Lengths of the strings (-1: undefined; for an XML, -2 followed by where it lies in the batch's
   * bytes) and the numbers, in the order unpackRecords reads them.
   */
  numbers: number[];
  raws: Uint8Array[];
}

const STATUS: (AuditStatus | undefined)[] = [undefined, 'valid', 'invalid', 'unparsed'];

/** Every field of a record is packed: a field added to AuditRecord and not here does not compile. */
export const PACKED_FIELDS = {
  eventTime: true,
  eventId: true,
  eventTypeCode: true,
  action: true,
  outcome: true,
  origin: true,
  xml: true,
  patientIds: true,
  status: true,
  error: true,
  raw: true,
  format: true,
  transport: true,
  sourceId: true,
  envelope: true,
  moreEventTypeCodes: true,
  agents: true,
  objects: true,
} satisfies Record<keyof AuditRecord, true>;

/** `xmlAt`: per record, where its XML lies in the batch's bytes (readBatch), to be decoded there rather than sent. */
export function packRecords(records: AuditRecord[], xmlAt?: readonly (MsgRange | undefined)[]): PackedRecords {
  let text = '';
  const numbers: number[] = [];
  const raws: Uint8Array[] = [];
  const str = (s: string | undefined) => {
    if (s === undefined) numbers.push(-1);
    else {
      numbers.push(s.length);
      text += s;
    }
  };
  for (const [i, r] of records.entries()) {
    numbers.push(STATUS.indexOf(r.status), r.outcome, r.patientIds.length);
    if (r.raw) raws.push(r.raw);
    numbers.push(r.raw ? 1 : 0);
    str(r.eventTime);
    str(r.eventId);
    str(r.eventTypeCode);
    str(r.action);
    str(r.origin);
    const msg = xmlAt?.[i];
    if (msg) numbers.push(-2, msg.start, msg.end);
    else str(r.xml);
    str(r.error);
    str(r.format);
    str(r.transport);
    str(r.sourceId);
    str(r.envelope);
    for (const p of r.patientIds) str(p);
    // The indexed lists: all three present (received and read), or none.
    if (!r.moreEventTypeCodes || !r.agents || !r.objects) {
      numbers.push(-1);
      continue;
    }
    numbers.push(r.moreEventTypeCodes.length, r.agents.length, r.objects.length);
    for (const t of r.moreEventTypeCodes) str(t);
    for (const a of r.agents) {
      numbers.push(a.requestor ? 1 : 0);
      str(a.userId);
      str(a.userName);
      str(a.altUserId);
      str(a.networkAccessPoint);
    }
    for (const o of r.objects) {
      numbers.push(o.typeCode ?? -1, o.roleCode ?? -1);
      str(o.id);
      str(o.idTypeCode);
    }
  }
  return { count: records.length, text, numbers, raws };
}

/** The records again, on the receiving thread; raw bytes as Buffers; `bytes`: the batch's, where XML left behind lies. */
export function unpackRecords(p: PackedRecords, bytes?: Uint8Array): AuditRecord[] {
  const { text, numbers, raws } = p;
  let n = 0;
  let at = 0;
  let raw = 0;
  const str = (): string | undefined => {
    const length = numbers[n++];
    if (length < 0) return undefined;
    at += length;
    return text.slice(at - length, at);
  };
  const xml = (): string => {
    if (numbers[n] !== -2) return str()!;
    const start = numbers[n + 1];
    const end = numbers[n + 2];
    n += 3;
    return decodeMsg(bytes!.subarray(start, end));
  };
  const out: AuditRecord[] = [];
  for (let i = 0; i < p.count; i++) {
    const status = STATUS[numbers[n++]];
    const outcome = numbers[n++];
    const patients = numbers[n++];
    const r = numbers[n++] ? raws[raw++] : undefined;
    const record: AuditRecord = {
      eventTime: str()!,
      eventId: str()!,
      eventTypeCode: str()!,
      action: str()!,
      outcome,
      origin: str()!,
      xml: xml(),
      patientIds: [],
      status,
      error: str(),
      raw: r && (Buffer.isBuffer(r) ? r : Buffer.from(r.buffer, r.byteOffset, r.byteLength)),
      format: str() as AuditRecord['format'],
      transport: str(),
      sourceId: str(),
      envelope: str(),
    };
    for (let k = 0; k < patients; k++) record.patientIds.push(str()!);
    const more = numbers[n++];
    if (more >= 0) {
      const agents = numbers[n++];
      const objects = numbers[n++];
      record.moreEventTypeCodes = [];
      record.agents = [];
      record.objects = [];
      for (let k = 0; k < more; k++) record.moreEventTypeCodes.push(str()!);
      for (let k = 0; k < agents; k++) {
        const requestor = numbers[n++] === 1;
        record.agents.push({ userId: str()!, userName: str()!, altUserId: str()!, networkAccessPoint: str()!, requestor });
      }
      for (let k = 0; k < objects; k++) {
        const typeCode = numbers[n++];
        const roleCode = numbers[n++];
        record.objects.push({ id: str()!, typeCode: typeCode < 0 ? null : typeCode, roleCode: roleCode < 0 ? null : roleCode, idTypeCode: str()! });
      }
    }
    out.push(record);
  }
  return out;
}
