/**
 * The HL7 v2 endpoint behind the MLLP listener, as a visible chain: decode the charset, parse, check
 * the header (version, processing id), route by MSH-9, refuse control characters in fields and
 * individual numbers, handle, and answer
 * in the acknowledgement mode the sender asked for (HL7 2.5 section 2.9). Every path ends in a
 * protocol answer; nothing here throws. This is the HL7 edge of node authorization: a peer that is no
 * configured node, or lacks the transaction's role, is refused here, and a refusal made deeper
 * (AccessDenied) is answered and audited here.
 */
import { buildResponse, EMPTY_HEADER, type AckCode, type RequestHeader, type Responder, type ResponseSpec } from './ack.ts';
import { declaredCharset, decodeMessage, encodeMessage, maskedHeader, type Charset } from './charset.ts';
import { Hl7ProcessingError, type Hl7ErrorDetail } from './errors.ts';
import { MAX_CONTROL_ID_LENGTH } from './controlId.ts';
import { findControlCharacter } from './fieldContent.ts';
import { findIndividualNumber } from './individualNumberGuard.ts';
import { Hl7v2Message } from './message.ts';
import type { MllpEvent } from './mllp/framing.ts';
import type { MllpHandler, PeerInfo } from './mllp/server.ts';
import type { Hl7Request, Hl7Transaction } from './transaction.ts';
import { message } from './builder.ts';
import type { AuditService } from '../audit/auditService.ts';
import { authorizationFailure } from '../audit/securityAlert.ts';
import { AccessDenied } from '../consent/errors.ts';
import { authorizeTransaction } from '../consent/feedAuthorization.ts';
import type { DomainDirectory } from '../identity/domainDirectory.ts';
import { InsufficientStorage } from '../kernel/freeSpace.ts';
import { inRequest } from '../kernel/requestScope.ts';
import { StoreUnavailableError } from '../kernel/storeUnavailable.ts';
import type { Logger } from '../kernel/logger.ts';
import type { RequestContext } from '../kernel/requestContext.ts';
import type { TransactionObserver, TransactionOutcome } from '../kernel/transactionObserver.ts';

export interface EndpointOptions {
  transactions: Hl7Transaction[];
  versions: readonly string[];
  /** MSH-11 values accepted; empty accepts any. */
  processingIds: readonly string[];
  defaultCharset: Charset;
  maxMessageBytes: number;
  responder: Responder;
  domains: DomainDirectory;
  audit: AuditService;
  log: Logger;
  /** Who the peer of a connection is (its node, from its certificate or its loopback address). */
  contextOf(peer: PeerInfo): RequestContext;
  /** Where the purpose of use of a request is read (config access.hl7v2PurposeOfUse, e.g. QPD-9). */
  purposeOfUseField?: string;
  /** Told of every message answered: its transaction, outcome and duration (metrics, the transaction log). */
  observe?: TransactionObserver;
}

/** What one message came to, for the observer. */
interface Seen {
  transaction: string;
  node?: string;
  outcome: TransactionOutcome;
}

const OUTCOME_OF_ACK: Record<string, TransactionOutcome> = { AA: 'success', AE: 'error', AR: 'refused' };

export function hl7Endpoint(opts: EndpointOptions): MllpHandler {
  const routes = new Map<string, Map<string, Hl7Transaction>>();
  for (const t of opts.transactions) {
    for (const a of t.accepts) {
      const events = routes.get(a.code) ?? new Map<string, Hl7Transaction>();
      for (const e of a.events) events.set(e, t);
      routes.set(a.code, events);
    }
  }
  const versions = new Set(opts.versions);
  const processingIds = new Set(opts.processingIds);

  /**
   * The response in the request's charset. When the request named none (MSH-18 empty: ASCII) and the
   * answer holds other characters (a kanji name), MSH-18 says what they are (HL7 table 0211).
   */
  const encode = (header: RequestHeader, spec: ResponseSpec, charset: Charset) => {
    const text = message(buildResponse(header, spec, opts.responder));
    if (!header.characterSet && /[^\x00-\x7f]/.test(text)) {
      const declared = charset === 'iso-2022-jp' ? '~ISO IR87' : 'UNICODE UTF-8';
      return encodeMessage(message(buildResponse({ ...header, characterSet: declared }, spec, opts.responder)), charset === 'iso-2022-jp' ? charset : 'utf-8');
    }
    return encodeMessage(text, charset);
  };

  /** A negative ACK for a message whose header may be only partly readable. */
  const nak = (header: RequestHeader, event: string, err: Hl7ProcessingError, charset: Charset) =>
    encode(header, { type: ['ACK', event, 'ACK'], ack: err.ack, errors: err.details }, charset);

  /**
   * A request refused by node authorization: ACK AR with ERR-3 207 and ERR-5 NOTAUTH, audited as a
   * Security Alert naming the requester and as the transaction's own failure where it has one.
   */
  const refuse = async (e: AccessDenied, req: Hl7Request, t: Hl7Transaction): Promise<Hl7ProcessingError> => {
    const err = Hl7ProcessingError.notAuthorized(e.message, t.locate?.(e.location));
    opts.log.warn('hl7.not-authorized', { peer: req.peer.address, node: req.context.node?.name, transaction: t.name, reason: e.reason });
    try {
      await opts.audit.record(authorizationFailure(opts.audit, req.context, { transaction: t.name, endpoint: req.peer.listener ?? 'mllp', reason: e.message }));
      if (t.auditRefusal) await opts.audit.record(t.auditRefusal(req, err));
    } catch (x) {
      // The refusal stands without its audit record.
      opts.log.error('hl7.audit-failed', { error: x instanceof Error ? x.message : String(x) });
    }
    return err;
  };

  const answer = async (ev: MllpEvent, peer: PeerInfo, seen: Seen): Promise<Buffer[]> => {
    if (ev.kind === 'garbage') return [];
    if (ev.kind === 'oversize' || ev.kind === 'truncated') {
      const header = headerFromRaw(ev.head);
      const detail: Hl7ErrorDetail =
        ev.kind === 'oversize'
          ? { code: 207, text: `Message of ${ev.size} bytes exceeds the limit of ${opts.maxMessageBytes} bytes` }
          : { code: 100, text: 'Frame ended without the MLLP end block', location: { segment: 'MSH' } };
      opts.log.warn('mllp.refused', { peer: peer.address, reason: ev.kind });
      return [nak(header.header, header.event, new Hl7ProcessingError('AR', detail), 'ascii')];
    }

    let charset: Charset = opts.defaultCharset;
    let header: RequestHeader = EMPTY_HEADER;
    let event = '';
    let msg: Hl7v2Message;
    try {
      const raw = headerFromRaw(ev.bytes);
      header = raw.header;
      event = raw.event;
      charset = declaredCharset(ev.bytes, opts.defaultCharset).charset;
      msg = Hl7v2Message.parse(decodeMessage(ev.bytes, charset));
    } catch (e) {
      const err = asProcessingError(e, opts.log);
      return [nak(header, event, err, 'ascii')];
    }

    header = msg.header;
    event = msg.header.type.event;
    const req: Hl7Request = { message: msg, charset, peer, bytes: ev.bytes, context: requestContext(opts, peer, msg) };
    seen.node = req.context.node?.name;
    const mode = ackMode(msg);
    let transaction: Hl7Transaction | undefined;
    let spec: ResponseSpec;
    try {
      transaction = checkAndRoute(msg, routes, versions, processingIds);
      seen.transaction = transaction.name;
      authorizeTransaction(req.context, transaction.name, transaction.roles);
      const control = findControlCharacter(msg);
      if (control) {
        const err = Hl7ProcessingError.error(102, 'A control character is not allowed in this field', control);
        if (transaction.auditRefusal) await opts.audit.record(transaction.auditRefusal(req, err));
        throw err;
      }
      const found = findIndividualNumber(msg, opts.domains);
      if (found) {
        // The number itself is never repeated: only where it was.
        const err = Hl7ProcessingError.reject(103, 'An identifier in the individual-number domain is not accepted', found);
        if (transaction.auditRefusal) await opts.audit.record(transaction.auditRefusal(req, err));
        throw err;
      }
      const routed = transaction;
      spec = await inRequest(routed.name, () => routed.handle(req));
    } catch (e) {
      const err = e instanceof AccessDenied && transaction ? await refuse(e, req, transaction) : asProcessingError(e, opts.log);
      spec = { type: ['ACK', event, 'ACK'], ack: err.ack, errors: err.details };
      if (!(e instanceof AccessDenied) && !(e instanceof Hl7ProcessingError)) seen.outcome = 'internal';
    }
    if (seen.outcome !== 'internal') seen.outcome = OUTCOME_OF_ACK[spec.ack] ?? 'error';

    const out: Buffer[] = [];
    if (mode.enhanced) {
      const accept: AckCode = spec.ack === 'AA' ? 'CA' : spec.ack === 'AE' ? 'CE' : 'CR';
      if (wants(mode.accept, accept === 'CA')) {
        out.push(encode(header, { type: ['ACK', event, 'ACK'], ack: accept, errors: spec.ack === 'AA' ? undefined : spec.errors }, charset));
      }
      if (!wants(mode.application, spec.ack === 'AA')) return out;
    }
    out.push(encode(header, { ...spec, profile: spec.profile ?? transaction?.profile }, charset));
    return out;
  };

  return async (ev: MllpEvent, peer: PeerInfo): Promise<Buffer[]> => {
    const started = performance.now();
    // Until the message is routed it is refused as a message of no known transaction.
    const seen: Seen = { transaction: 'unknown', outcome: 'refused' };
    const out = await answer(ev, peer, seen);
    if (ev.kind !== 'garbage') opts.observe?.({ transaction: seen.transaction, edge: 'mllp', outcome: seen.outcome, durationMs: performance.now() - started, node: seen.node });
    return out;
  };
}

function checkAndRoute(
  msg: Hl7v2Message,
  routes: Map<string, Map<string, Hl7Transaction>>,
  versions: Set<string>,
  processingIds: Set<string>,
): Hl7Transaction {
  const h = msg.header;
  if (h.controlId.length > MAX_CONTROL_ID_LENGTH) {
    throw Hl7ProcessingError.reject(102, `MSH-10 message control id is longer than ${MAX_CONTROL_ID_LENGTH} characters`, { segment: 'MSH', field: 10 });
  }
  if (!versions.has(h.version)) {
    throw Hl7ProcessingError.reject(203, `HL7 version ${h.version} is not supported`, { segment: 'MSH', field: 12 });
  }
  if (processingIds.size > 0 && !processingIds.has(h.processingId)) {
    throw Hl7ProcessingError.reject(202, `Processing id ${h.processingId} is not supported`, { segment: 'MSH', field: 11 });
  }
  const events = routes.get(h.type.code);
  if (!events) {
    throw Hl7ProcessingError.reject(200, `Message type ${h.type.code} is not supported`, { segment: 'MSH', field: 9, repetition: 1, component: 1 });
  }
  const t = events.get(h.type.event);
  if (!t) {
    throw Hl7ProcessingError.reject(201, `Trigger event ${h.type.code}^${h.type.event} is not supported`, {
      segment: 'MSH',
      field: 9,
      repetition: 1,
      component: 2,
    });
  }
  return t;
}

interface AckMode {
  enhanced: boolean;
  accept: string;
  application: string;
}

/** Original mode when MSH-15 and MSH-16 are both empty; in enhanced mode an empty field means AL. */
function ackMode(msg: Hl7v2Message): AckMode {
  const { acceptAckType: a, applicationAckType: b } = msg.header;
  if (!a && !b) return { enhanced: false, accept: '', application: '' };
  return { enhanced: true, accept: a || 'AL', application: b || 'AL' };
}

function wants(type: string, success: boolean): boolean {
  switch (type) {
    case 'NE':
      return false;
    case 'ER':
      return !success;
    case 'SU':
      return success;
    default:
      return true;
  }
}

function asProcessingError(e: unknown, log: Logger): Hl7ProcessingError {
  if (e instanceof Hl7ProcessingError) return e;
  // Not about the message: the receiver cannot take it now (HL7 2.5 2.9.2, AR), ERR-3 207; resend later.
  if (e instanceof InsufficientStorage) return Hl7ProcessingError.reject(207, 'Insufficient storage: the server refuses new data until space is freed; nothing was stored');
  // The database went away under the request (HL7 2.5 2.9.2, AE): not acknowledged, so the sender sends it again.
  if (e instanceof StoreUnavailableError) {
    log.warn('hl7.store-unavailable', { error: e.message });
    return Hl7ProcessingError.error(207, 'The database is unavailable: the message was not processed; send it again');
  }
  log.error('hl7.internal-error', { error: e instanceof Error ? e.message : String(e) });
  return Hl7ProcessingError.error(207, 'Application internal error');
}

/** What an answer can echo of a message whose body could not be parsed. */
function headerFromRaw(bytes: Buffer): { header: RequestHeader; event: string } {
  const h = maskedHeader(bytes);
  if (!h.startsWith('MSH') || h.length < 8) return { header: EMPTY_HEADER, event: '' };
  const f = h.split(h[3]);
  const comp = h[4] ?? '^';
  const safe = (s: string | undefined) => (s ?? '').replace(/[\r\n]/g, '');
  return {
    header: {
      rawSendingApplication: safe(f[2]),
      rawSendingFacility: safe(f[3]),
      rawReceivingApplication: safe(f[4]),
      rawReceivingFacility: safe(f[5]),
      controlId: safe(f[9]),
      processingId: safe(f[10]?.split(comp)[0]) || 'P',
      version: safe(f[11]?.split(comp)[0]) || '2.5',
      characterSet: '',
    },
    event: safe(f[8]?.split(comp)[1]),
  };
}

/** The context of one message: the connection's node, MSH-3/4, and the purpose of use where config says it is. */
function requestContext(opts: EndpointOptions, peer: PeerInfo, msg: Hl7v2Message): RequestContext {
  const ctx = opts.contextOf(peer);
  ctx.hl7 = { application: msg.header.sendingApplication, facility: msg.header.sendingFacility };
  const f = opts.purposeOfUseField?.match(/^([A-Z][A-Z0-9]{2})-(\d+)(?:\.(\d+))?$/);
  if (f) {
    const seg = msg.first(f[1]);
    const code = seg?.get(Number(f[2]), f[3] ? Number(f[3]) : 1) ?? '';
    if (code) ctx.purposeOfUse = { code, codeSystem: f[3] ? undefined : seg?.get(Number(f[2]), 3) || undefined };
  }
  return ctx;
}
