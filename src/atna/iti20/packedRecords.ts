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
  numbers: Int32Array;
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
  sender: true,
  senderMark: true,
} satisfies Record<keyof AuditRecord, true>;

/**
 * Packs records one at a time, so that a reader thread can let go of each record (and its XML) as
 * soon as it is read instead of holding a whole batch of them until the batch is sent. A record's
 * strings are copied into one flat string of its own at once: most are slices of its XML text, and
 * a slice keeps the whole text alive (and copied by every young-generation collection) for as long
 * as anything holds it.
 */
export class RecordPacker {
  private readonly texts: string[] = [];
  private readonly numbers: number[] = [];
  private readonly raws: Uint8Array[] = [];
  private count = 0;
  /** The strings of the record being added. */
  private parts: string[] = [];

  /** `xmlAt`: where the record's XML lies in the batch's bytes (readBatch), to be decoded there rather than sent. */
  add(r: AuditRecord, xmlAt?: MsgRange): void {
    this.parts = [];
    this.addFields(r, xmlAt);
    // join makes a flat string of its own, holding on to none of the parts.
    this.texts.push(this.parts.join(''));
  }

  private addFields(r: AuditRecord, xmlAt?: MsgRange): void {
    const { numbers } = this;
    this.count++;
    numbers.push(STATUS.indexOf(r.status), r.outcome, r.patientIds.length);
    if (r.raw) this.raws.push(r.raw);
    numbers.push(r.raw ? 1 : 0);
    this.str(r.eventTime);
    this.str(r.eventId);
    this.str(r.eventTypeCode);
    this.str(r.action);
    this.str(r.origin);
    if (xmlAt) numbers.push(-2, xmlAt.start, xmlAt.end);
    else this.str(typeof r.xml === 'string' ? r.xml : decodeMsg(r.xml));
    this.str(r.error);
    this.str(r.format);
    this.str(r.transport);
    this.str(r.sourceId);
    this.str(r.envelope);
    this.str(r.sender);
    this.str(r.senderMark);
    for (const p of r.patientIds) this.str(p);
    // The indexed lists: all three present (received and read), or none.
    if (!r.moreEventTypeCodes || !r.agents || !r.objects) {
      numbers.push(-1);
      return;
    }
    numbers.push(r.moreEventTypeCodes.length, r.agents.length, r.objects.length);
    for (const t of r.moreEventTypeCodes) this.str(t);
    for (const a of r.agents) {
      numbers.push(a.requestor ? 1 : 0);
      this.str(a.userId);
      this.str(a.userName);
      this.str(a.altUserId);
      this.str(a.networkAccessPoint);
    }
    for (const o of r.objects) {
      numbers.push(o.typeCode ?? -1, o.roleCode ?? -1);
      this.str(o.id);
      this.str(o.idTypeCode);
    }
  }

  finish(): PackedRecords {
    // A typed array's elements live outside V8's heap: while the records wait for the store, the
    // collector neither copies nor marks them.
    return { count: this.count, text: this.texts.join(''), numbers: Int32Array.from(this.numbers), raws: this.raws };
  }

  private str(s: string | undefined): void {
    if (s === undefined) this.numbers.push(-1);
    else {
      this.numbers.push(s.length);
      this.parts.push(s);
    }
  }
}

export function packRecords(records: AuditRecord[]): PackedRecords {
  const packer = new RecordPacker();
  for (const r of records) packer.add(r);
  return packer.finish();
}

/**
 * Records on their way to the store: read already, or a reader thread's packed answer that is
 * unpacked only when it is written. Unpacked on arrival, a record would wait in the write queue
 * (up to `highWater` records) long enough to be copied into V8's old generation, and every major
 * garbage collection would mark it again until it is written.
 */
export interface PendingRecords {
  readonly count: number;
  /** The records (a packed answer is unpacked at each call). */
  records(): AuditRecord[];
}

export function readRecords(records: AuditRecord[]): PendingRecords {
  return { count: records.length, records: () => records };
}

/** `bytes`: the batch's, as for unpackRecords. */
export function pendingPacked(p: PackedRecords, bytes: Uint8Array): PendingRecords {
  return { count: p.count, records: () => unpackRecords(p, bytes) };
}

/**
 * The records again, on the receiving thread; raw bytes as Buffers. `bytes`: the batch's, where XML
 * left behind lies; such a record's XML is that part of the batch, not decoded (AuditRecord.xml).
 */
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
  const xml = (): string | Buffer => {
    if (numbers[n] !== -2) return str()!;
    const start = numbers[n + 1];
    const end = numbers[n + 2];
    n += 3;
    return Buffer.from(bytes!.buffer, bytes!.byteOffset + start, end - start);
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
      sender: str(),
      senderMark: str() as AuditRecord['senderMark'],
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
