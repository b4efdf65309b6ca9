/** Received syslog messages in a form that crosses to a reader thread cheaply: one buffer, offsets. */
import type { AuditRecord } from '../../store/types.ts';
import type { ReceivedAuditReader, ReceivedSyslog } from './receivedAudit.ts';

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

export function readBatch(reader: ReceivedAuditReader, batch: ReaderBatch): AuditRecord[] {
  const all = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  const out: AuditRecord[] = [];
  let at = 0;
  for (let k = 0; k < batch.lengths.length; k++) {
    const bytes = all.subarray(at, at + batch.lengths[k]);
    at += batch.lengths[k];
    const { transport, peer, receivedAt, problem } = batch.received[batch.contexts[k]];
    try {
      out.push(reader.fromSyslog({ transport, peer, receivedAt, problem, bytes }));
    } catch (e) {
      // A bug must not lose the message: it is kept raw with what went wrong.
      out.push(reader.fromSyslog({ transport, peer, receivedAt, problem: `internal error reading it: ${e instanceof Error ? e.message : String(e)}`, bytes }));
    }
  }
  return out;
}
