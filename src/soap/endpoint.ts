/**
 * The SOAP 1.2 HTTP edge: one express router per endpoint (e.g. /services/registry), which reads a
 * plain SOAP or an MTOM/XOP request, checks the WS-Addressing Action against the transactions the
 * endpoint serves, admits the requester (node, XUA assertion, role: admission.ts), hands the typed
 * request to the transaction, and writes its response (MTOM when the transaction or the request asks
 * for it) or a SOAP Fault. Nothing below this file sees HTTP.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import type { Logger } from '../kernel/logger.ts';
import { httpContext } from '../kernel/httpContext.ts';
import { inRequest } from '../kernel/requestScope.ts';
import { StoreUnavailableError } from '../kernel/storeUnavailable.ts';
import type { NodeRole, RequestContext } from '../kernel/requestContext.ts';
import type { TransactionObserver, TransactionOutcome } from '../kernel/transactionObserver.ts';
import type { XmlElement, XmlLimits } from '../xml/parse.ts';
import { admit, type SoapGuard } from './admission.ts';
import { parseMediaType } from './contentType.ts';
import { faultEnvelope, responseEnvelope } from './envelope.ts';
import { localDecoder, type EnvelopeDecoder } from './envelopeDecoder.ts';
import { SoapFault, Subcodes } from './fault.ts';
import { buildMtomPackage, discardParts, readMultipart, type MimePart, type OutgoingPart } from './mtom.ts';

export interface SoapPeer {
  address: string;
  /** The URL the request was sent to, as this server sees it. */
  endpoint: string;
}

export interface SoapRequest {
  action: string;
  messageId?: string;
  replyTo?: string;
  body: XmlElement;
  /**
   * The Body as the action's registered decoder made it (envelopeDecoder.ts), when it ran; `body`
   * then holds only the element's name. Absent: the transaction decodes `body` itself.
   */
  predecoded?: unknown;
  /** Attachments by Content-ID (MTOM); empty for plain SOAP. */
  parts: Map<string, MimePart>;
  mtom: boolean;
  peer: SoapPeer;
  /** Who is asking: the node of the connection (and, with XUA, the user and purpose of use). */
  context: RequestContext;
}

export interface SoapResult {
  /** The Body's element. */
  bodyXml: string;
  attachments?: OutgoingPart[];
}

/** What the edge needs to know of a transaction; cf. the XDS descriptor table. */
export interface SoapTransaction {
  /** The IHE transaction, e.g. ITI-18. */
  id: string;
  name: string;
  action: string;
  responseAction: string;
  /** ITI TF-2x V.3.4: the request must be an MTOM package. */
  mtomRequest: 'required' | 'optional';
  /** 'always': the response is MTOM whatever the request; 'mirror': as the request came. */
  mtomResponse: 'always' | 'mirror';
  /** The node roles any of which lets a node call it (issue 14: source, consumer, gateway, ...). */
  roles: readonly NodeRole[];
  handle(req: SoapRequest): Promise<SoapResult>;
}

export interface SoapLimits {
  xml: XmlLimits;
  /** Largest request, MTOM package included. */
  maxRequestBytes: number;
  spoolThreshold: number;
  spoolDir: string;
  /** Bytes of MTOM parts one request keeps in memory; beyond it they are spooled. */
  memoryBudget: number;
  /** Most MIME parts in one request. */
  maxParts: number;
}

async function readAll(req: Request, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > max) throw new SoapFault('Sender', `the request exceeds the limit of ${max} bytes`, Subcodes.tooLarge);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

interface Incoming {
  root: Buffer;
  parts: MimePart[];
  mtom: boolean;
  /** The Content-Type's action parameter (SOAP 1.2 Part 2 7.1.4; RFC 3902), a hint only: the envelope's wsa:Action decides. */
  actionHint?: string;
}

async function readIncoming(req: Request, limits: SoapLimits): Promise<Incoming> {
  const ct = parseMediaType(req.headers['content-type']);
  if (ct.type === 'application/soap+xml') {
    return { root: await readAll(req, Math.min(limits.maxRequestBytes, limits.xml.maxBytes)), parts: [], mtom: false, actionHint: ct.params.action };
  }
  if (ct.type !== 'multipart/related') {
    throw new SoapFault('Sender', `unsupported Content-Type '${ct.type}': send application/soap+xml or an MTOM multipart/related package`, Subcodes.unsupportedMedia);
  }
  const parts = await readMultipart(req, ct.params.boundary ?? '', {
    maxBytes: limits.maxRequestBytes,
    spoolThreshold: limits.spoolThreshold,
    spoolDir: limits.spoolDir,
    memoryBudget: limits.memoryBudget,
    maxParts: limits.maxParts,
  });
  const start = ct.params.start?.replace(/^<|>$/g, '');
  const rootIndex = start ? parts.findIndex((p) => p.contentId === start) : 0;
  if (rootIndex < 0 || parts.length === 0) {
    discardParts(parts);
    throw new SoapFault('Sender', `the MTOM package has no root part${start ? ` <${start}>` : ''}`, Subcodes.badMime);
  }
  const [rootPart] = parts.splice(rootIndex, 1);
  let root: Buffer;
  if (rootPart.data) root = rootPart.data;
  else if (rootPart.size <= limits.xml.maxBytes) {
    root = fs.readFileSync(rootPart.file!);
    fs.rmSync(rootPart.file!, { force: true });
  } else {
    discardParts([rootPart, ...parts]);
    throw new SoapFault('Sender', `the SOAP part exceeds the limit of ${limits.xml.maxBytes} bytes`, Subcodes.tooLarge);
  }
  return { root, parts, mtom: true, actionHint: ct.params.action };
}

async function send(res: Response, status: number, contentType: string, pieces: (Buffer | { file: string })[]): Promise<void> {
  res.status(status);
  res.setHeader('Content-Type', contentType);
  for (const p of pieces) {
    if (Buffer.isBuffer(p)) {
      // A client gone (or cut off by a deadline) drains nothing: stop at its close too.
      if (!res.write(p)) await new Promise((r) => (res.once('drain', r), res.once('close', r)));
      if (res.destroyed) return;
    } else {
      await pipeline(fs.createReadStream(p.file, { highWaterMark: 1024 * 1024 }), res, { end: false });
    }
  }
  res.end();
}

export interface SoapRouterOptions {
  /** Who may call (node, XUA assertion, role), and where refusals are audited. */
  guard: SoapGuard;
  decoder?: EnvelopeDecoder;
  /** Told of every request answered: its transaction, outcome and duration (metrics, the transaction log). */
  observe?: TransactionObserver;
}

/**
 * The outcome a response Body reports: the status of its RegistryResponse (ebRS 3.0 section 2.1.5),
 * which leads the Body of every XDS.b response (AdhocQueryResponse, RetrieveDocumentSetResponse's
 * RegistryResponse); a Body without one answered as asked.
 */
export function outcomeOfBody(bodyXml: string): TransactionOutcome {
  const status = /ResponseStatusType:(Success|PartialSuccess|Failure)\b/.exec(bodyXml.slice(0, 4096))?.[1];
  return status === 'Failure' ? 'error' : status === 'PartialSuccess' ? 'partial' : 'success';
}

export function soapRouter(transactions: SoapTransaction[], limits: SoapLimits, log: Logger, opts: SoapRouterOptions): Router {
  const decoder = opts.decoder ?? localDecoder();
  const byAction = new Map(transactions.map((t) => [t.action, t]));
  const router = Router();
  router.post('/', async (req: Request, res: Response) => {
    const started = performance.now();
    const seen: { transaction: string; node?: string; outcome: TransactionOutcome } = { transaction: 'unknown', outcome: 'refused' };
    let relatesTo: string | undefined;
    let parts: MimePart[] = [];
    try {
      const incoming = await readIncoming(req, limits);
      parts = incoming.parts;
      const { env, predecoded } = await decoder.decode(incoming.root, limits.xml, incoming.actionHint);
      relatesTo = env.messageId;
      const tx = byAction.get(env.action);
      if (!tx) {
        throw new SoapFault('Sender', `action '${env.action}' is not served at this endpoint (${[...byAction.keys()].join(', ')})`, Subcodes.actionNotSupported, {
          problemAction: env.action,
        });
      }
      seen.transaction = tx.id;
      seen.node = httpContext(req).node?.name;
      const endpoint = `${req.protocol}://${req.get('host') ?? ''}${req.originalUrl}`;
      const context = await admit(opts.guard, log, tx, env, { ...httpContext(req), transport: 'soap' }, endpoint);
      if (tx.mtomRequest === 'required' && !incoming.mtom) {
        throw new SoapFault('Sender', `${tx.name} requires an MTOM/XOP package (multipart/related), ITI TF-2x V.3.4`, Subcodes.mtomRequired);
      }
      const result = await inRequest(tx.id, () => tx.handle({
        action: env.action,
        messageId: env.messageId,
        replyTo: env.replyTo,
        body: env.body,
        predecoded,
        parts: new Map(incoming.parts.map((p) => [p.contentId, p])),
        mtom: incoming.mtom,
        peer: { address: req.socket.remoteAddress ?? '', endpoint },
        context,
      }));
      seen.outcome = outcomeOfBody(result.bodyXml);
      const xml = responseEnvelope(tx.responseAction, env.messageId, result.bodyXml);
      if (tx.mtomResponse === 'always' || incoming.mtom) {
        const pkg = buildMtomPackage(xml, tx.responseAction, result.attachments ?? []);
        await send(res, 200, pkg.contentType, pkg.pieces);
      } else {
        await send(res, 200, `application/soap+xml; charset=UTF-8; action="${tx.responseAction}"`, [Buffer.from(xml, 'utf8')]);
      }
    } catch (e) {
      // The connection is gone (the client left, or a deadline cut it off: the listener answered 408).
      // Not req.destroyed: reading the body to its end (or stopping early) destroys the request stream
      // while its connection can still carry the answer; the response's socket tells.
      const socket = res.socket;
      if (!res.headersSent && (!socket || socket.destroyed || !socket.writable)) {
        log.warn('soap.request-aborted', { path: req.originalUrl, error: e instanceof Error ? e.message : String(e) });
        res.destroy();
        return;
      }
      // A transaction that does not answer a lost database in its own body (as XDS registry ones do) gets a Receiver fault.
      const lost = e instanceof StoreUnavailableError;
      const fault =
        e instanceof SoapFault
          ? e
          : lost
            ? new SoapFault('Receiver', 'the database is unavailable: the request was not processed; send it again later', Subcodes.storeUnavailable)
            : new SoapFault('Receiver', 'the request could not be processed', Subcodes.internal);
      if (lost) log.warn('soap.store-unavailable', { path: req.originalUrl, error: e.message });
      else if (!(e instanceof SoapFault)) log.error('soap.internal-error', { path: req.originalUrl, error: e instanceof Error ? e.message : String(e) });
      seen.outcome = fault.code === 'Receiver' ? 'internal' : 'refused';
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // The rest of an oversized or broken request is not read: close the connection after the fault.
      if (!req.complete) res.setHeader('Connection', 'close');
      await send(res, fault.httpStatus, 'application/soap+xml; charset=UTF-8', [Buffer.from(faultEnvelope(fault, relatesTo), 'utf8')]);
    } finally {
      discardParts(parts);
      opts.observe?.({ transaction: seen.transaction, edge: 'soap', outcome: seen.outcome, durationMs: performance.now() - started, node: seen.node });
    }
  });
  return router;
}

export function spoolDirOf(dataDir: string): string {
  return path.join(dataDir, 'spool');
}
