/**
 * Who sent a received audit message (ITI-20), and whether its AuditSourceID is theirs. The listener
 * knows the peer (its TLS client certificate, or its address on a plaintext listener) and the node it
 * matched; the message says which audit source it comes from. A message whose AuditSourceID is not
 * one of the sending node's (config nodes[].auditSourceIds, else the node's name) is kept all the
 * same, marked `source-not-sender`; one from a peer that matched no node is marked `unknown-sender`.
 * A node acting for every facility (the operator, the local identity on loopback) relays for every
 * source.
 */
import type { RequestContext } from '../../kernel/requestContext.ts';
import type { AuditRecord } from '../../store/types.ts';

/** The node a message came from, or 'unknown' for a peer that matched no node. */
export type Sender = { node: string; auditSourceIds: readonly string[] | '*' } | 'unknown';

export type SenderMark = NonNullable<AuditRecord['senderMark']>;

export function senderOf(ctx: RequestContext): Sender {
  const n = ctx.node;
  if (!n) return 'unknown';
  return { node: n.name, auditSourceIds: n.facilities === '*' ? '*' : [...n.auditSourceIds] };
}

/**
 * The sender fields of a record: the node's name, and the mark when the source is not the sender's.
 * `sender` undefined: the peer was not identified (in-process callers), nothing to mark. A message
 * that could not be read names no source and is only marked when its sender is unknown.
 */
export function senderFields(sender: Sender | undefined, sourceId: string | undefined): Pick<AuditRecord, 'sender' | 'senderMark'> {
  if (sender === undefined) return {};
  if (sender === 'unknown') return { senderMark: 'unknown-sender' };
  if (sourceId === undefined || sender.auditSourceIds === '*' || sender.auditSourceIds.includes(sourceId)) return { sender: sender.node };
  return { sender: sender.node, senderMark: 'source-not-sender' };
}
