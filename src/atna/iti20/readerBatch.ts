/** Received syslog messages in a form that crosses to a reader thread cheaply: one buffer, offsets. */
import type { AuditRecord } from '../../store/types.ts';
import type { ReceivedAuditReader, ReceivedSyslog } from './receivedAudit.ts';

export interface ReaderBatch {
  seq: number;
  bytes: Uint8Array;
  items: { transport: ReceivedSyslog['transport']; peer: ReceivedSyslog['peer']; receivedAt: string; problem?: string; start: number; end: number }[];
}

export function packBatch(seq: number, messages: ReceivedSyslog[]): ReaderBatch {
  const bytes = Buffer.concat(messages.map((m) => m.bytes));
  let at = 0;
  const items = messages.map((m) => {
    const item = { transport: m.transport, peer: m.peer, receivedAt: m.receivedAt, problem: m.problem, start: at, end: at + m.bytes.length };
    at += m.bytes.length;
    return item;
  });
  return { seq, bytes, items };
}

export function readBatch(reader: ReceivedAuditReader, batch: ReaderBatch): AuditRecord[] {
  const all = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  return batch.items.map((i) => {
    const bytes = all.subarray(i.start, i.end);
    try {
      return reader.fromSyslog({ transport: i.transport, peer: i.peer, receivedAt: i.receivedAt, problem: i.problem, bytes });
    } catch (e) {
      // A bug must not lose the message: it is kept raw with what went wrong.
      return reader.fromSyslog({ transport: i.transport, peer: i.peer, receivedAt: i.receivedAt, problem: `internal error reading it: ${e instanceof Error ? e.message : String(e)}`, bytes });
    }
  });
}
