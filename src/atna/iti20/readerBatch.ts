/** Received syslog messages in a form that crosses to a reader thread cheaply: one buffer, offsets. */
import type { AuditRecord } from '../../store/types.ts';
import { RecordPacker, type PackedRecords } from './packedRecords.ts';
import type { MsgRange, ReceivedAuditReader, ReceivedSyslog } from './receivedAudit.ts';

export interface ReaderBatch {
  seq: number;
  /** The messages, one after another. */
  bytes: Uint8Array;
  /** Per message: its length in `bytes`, and the index of its context. */
  lengths: number[];
  contexts: number[];
  /** How and when messages came; consecutive messages of one chunk share theirs. */
  received: { transport: ReceivedSyslog['transport']; peer: ReceivedSyslog['peer']; receivedAt: string; problem?: string }[];
}

export function packBatch(seq: number, messages: ReceivedSyslog[]): ReaderBatch {
  const bytes = Buffer.concat(messages.map((m) => m.bytes));
  const lengths: number[] = [];
  const contexts: number[] = [];
  const received: ReaderBatch['received'] = [];
  let last: ReceivedSyslog | undefined;
  for (const m of messages) {
    lengths.push(m.bytes.length);
    if (!last || m.peer !== last.peer || m.receivedAt !== last.receivedAt || m.problem !== last.problem || m.transport !== last.transport) {
      received.push({ transport: m.transport, peer: m.peer, receivedAt: m.receivedAt, problem: m.problem });
    }
    contexts.push(received.length - 1);
    last = m;
  }
  return { seq, bytes, lengths, contexts, received };
}

/** The records of a batch, in order (read on the main thread when no reader thread can). */
export function readBatch(reader: ReceivedAuditReader, batch: ReaderBatch): AuditRecord[] {
  const out: AuditRecord[] = [];
  readEach(reader, batch, (r) => out.push(r));
  return out;
}

/**
 * The records of a batch packed to cross back to the main thread (a reader thread's answer). A
 * record whose XML is the MSG as it came is packed with where that lies in `batch.bytes` instead of
 * the text: the main thread has the bytes.
 */
export function readBatchPacked(reader: ReceivedAuditReader, batch: ReaderBatch): PackedRecords {
  const packer = new RecordPacker();
  readEach(reader, batch, (r, xmlAt) => packer.add(r, xmlAt));
  return packer.finish();
}

/** Reads each message in order, with where in `batch.bytes` the record's XML lies when it is the MSG as it came. */
function readEach(reader: ReceivedAuditReader, batch: ReaderBatch, visit: (r: AuditRecord, xmlAt: MsgRange | undefined) => void): void {
  const where: { msg?: MsgRange } = {};
  const all = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  let at = 0;
  for (let k = 0; k < batch.lengths.length; k++) {
    const bytes = all.subarray(at, at + batch.lengths[k]);
    const { transport, peer, receivedAt, problem } = batch.received[batch.contexts[k]];
    let record: AuditRecord;
    let xmlAt: MsgRange | undefined;
    where.msg = undefined;
    try {
      record = reader.fromSyslog({ transport, peer, receivedAt, problem, bytes }, where);
      // (Set by fromSyslog: TypeScript cannot see that.)
      const msg = where.msg as MsgRange | undefined;
      xmlAt = msg && { start: at + msg.start, end: at + msg.end };
    } catch (e) {
      // A bug must not lose the message: it is kept raw with what went wrong.
      record = reader.fromSyslog({ transport, peer, receivedAt, problem: `internal error reading it: ${e instanceof Error ? e.message : String(e)}`, bytes });
    }
    visit(record, xmlAt);
    at += batch.lengths[k];
  }
}
