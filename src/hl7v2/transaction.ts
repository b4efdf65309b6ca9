/** What an HL7 v2 transaction (ITI-8, ITI-9, ITI-21, ...) gives the MLLP endpoint. */
import type { AuditMessage } from '../audit/auditMessage.ts';
import type { NodeRole, RequestContext } from '../kernel/requestContext.ts';
import type { ResponseSpec } from './ack.ts';
import type { Charset } from './charset.ts';
import type { ErrorLocation, Hl7ProcessingError } from './errors.ts';
import type { Hl7v2Message } from './message.ts';
import type { PeerInfo } from './mllp/server.ts';

export interface Hl7Request {
  message: Hl7v2Message;
  charset: Charset;
  /** The message as received (for a transaction that keeps it, e.g. as a document). */
  bytes?: Buffer;
  peer: PeerInfo;
  /** Who is asking: the node of the connection, MSH-3/4, the purpose of use. */
  context: RequestContext;
}

export interface Hl7Transaction {
  /** ITI-8, ITI-9, ... */
  name: string;
  /** MSH-9.1 message code and the trigger events (MSH-9.2) it takes. */
  accepts: { code: string; events: string[] }[];
  /**
   * The node roles that may use it (any one of them). Checked by the endpoint before `handle`, with
   * the rule that a peer matching no configured node is refused every transaction.
   */
  roles?: readonly NodeRole[];
  /** MSH-21 profile of its responses. */
  profile?: [string, string];
  /**
   * Handles a request that passed the endpoint's checks. A handler records its own audit events;
   * it throws Hl7ProcessingError for errors the endpoint should answer with a plain ACK.
   */
  handle(req: Hl7Request): Promise<ResponseSpec>;
  /**
   * The audit message of a request refused before or by `handle` for its form or for node
   * authorization (an individual number, an unknown node, a facility not the node's).
   */
  auditRefusal?(req: Hl7Request, err: Hl7ProcessingError): AuditMessage;
  /** Where in the message an item refused by node authorization is (AccessDenied's location, in the service's terms). */
  locate?(location: unknown): ErrorLocation | undefined;
}
