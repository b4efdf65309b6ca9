/** Received syslog messages in a form that crosses to a reader thread cheaply: one buffer, offsets. */
import type { AuditRecord } from '../../store/types.ts';
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

/**
 * The records of a batch, in order. With `xmlAt`, it also gets, per record, where in `batch.bytes`
 * the record's XML lies when it is the MSG as it came (receivedAudit.ts), else undefined.
 */
export function readBatch(reader: ReceivedAuditReader, batch: ReaderBatch, xmlAt?: (MsgRange | undefined)[]): AuditRecord[] {
  const all = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  const out: AuditRecord[] = [];
  const where: { msg?: MsgRange } = {};
  let at = 0;
  for (let k = 0; k < batch.lengths.length; k++) {
    const bytes = all.subarray(at, at + batch.lengths[k]);
    const { transport, peer, receivedAt, problem } = batch.received[batch.contexts[k]];
    where.msg = undefined;
    try {
      out.push(reader.fromSyslog({ transport, peer, receivedAt, problem, bytes }, xmlAt && where));
      // (Set by fromSyslog: TypeScript cannot see that.)
      const msg = where.msg as MsgRange | undefined;
      xmlAt?.push(msg && { start: at + msg.start, end: at + msg.end });
    } catch (e) {
      // A bug must not lose the message: it is kept raw with what went wrong.
      out.push(reader.fromSyslog({ transport, peer, receivedAt, problem: `internal error reading it: ${e instanceof Error ? e.message : String(e)}`, bytes }));
      xmlAt?.push(undefined);
    }
    at += batch.lengths[k];
  }
  return out;
}
