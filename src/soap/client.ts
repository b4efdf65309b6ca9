/**
 * A small SOAP 1.2 client with WS-Addressing (ITI TF-2x Appendix V) and, when asked or when there are
 * attachments, MTOM/XOP (as ITI-41 requires): the request's Action, MessageID, ReplyTo (anonymous) and
 * To, and any further header blocks (an X-Service User's wsse:Security with its assertion, ITI-40);
 * over TLS with a client certificate when given one; the answer's Body element, or a SOAP Fault as a
 * SoapFaultError. Used by the SS-MIX2 adapter that publishes to a running HIE and by `hie xds`.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import { Readable } from 'node:stream';
import { parseXml, type XmlElement } from '../xml/parse.ts';
import { escapeText } from '../xml/write.ts';
import { parseMediaType } from './contentType.ts';
import { buildMtomPackage, readMultipart, type MimePart, type OutgoingPart } from './mtom.ts';
import { NS } from './namespaces.ts';

export class SoapClientError extends Error {}

/** The server answered with a SOAP Fault. */
export class SoapFaultError extends SoapClientError {
  constructor(
    message: string,
    /** env:Code/env:Value and the first env:Subcode/env:Value, as written (e.g. `env:Sender`, `wsse:FailedCheck`). */
    readonly code: string,
    readonly subcode: string | undefined,
    readonly reason: string,
    readonly status: number,
    /** The fault's envelope, as received. */
    readonly envelopeXml: string,
  ) {
    super(message);
  }
}

export interface SoapCall {
  url: string;
  action: string;
  bodyXml: string;
  attachments?: OutgoingPart[];
  mtom?: boolean;
  timeoutMs?: number;
  /** More SOAP header blocks, as XML (e.g. a wsse:Security header carrying an X-User Assertion). */
  headers?: string;
  /** For https: the CA to trust and the client certificate and key to present (PEM contents). */
  tls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer };
}

const ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';

export function requestEnvelope(action: string, to: string, bodyXml: string, messageId = `urn:uuid:${randomUUID()}`, headers = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${NS.soap12}" xmlns:wsa="${NS.wsa}"><soap:Header>` +
    `<wsa:Action soap:mustUnderstand="true">${escapeText(action)}</wsa:Action><wsa:MessageID>${messageId}</wsa:MessageID>` +
    `<wsa:ReplyTo><wsa:Address>${ANONYMOUS}</wsa:Address></wsa:ReplyTo><wsa:To soap:mustUnderstand="true">${escapeText(to)}</wsa:To>` +
    headers +
    `</soap:Header><soap:Body>${bodyXml}</soap:Body></soap:Envelope>`
  );
}

function post(url: URL, contentType: string, pieces: Buffer[], timeoutMs: number, tls: SoapCall['tls']): Promise<{ status: number; contentType: string; body: Buffer }> {
  const client = url.protocol === 'https:' ? https : http;
  const options: https.RequestOptions = { method: 'POST', headers: { 'content-type': contentType, 'content-length': pieces.reduce((n, p) => n + p.length, 0) }, timeout: timeoutMs };
  if (url.protocol === 'https:' && tls) Object.assign(options, { ca: tls.ca, cert: tls.cert, key: tls.key, agent: false });
  return new Promise((resolve, reject) => {
    const req = client.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new SoapClientError(`no answer from ${url.href} within ${timeoutMs} ms`)));
    req.on('error', reject);
    for (const p of pieces) req.write(p);
    req.end();
  });
}

/** Sends the request and returns the answer's Body element; a Fault or a non-SOAP answer throws SoapClientError. */
export async function callSoap(c: SoapCall): Promise<XmlElement> {
  return (await callSoapWithAttachments(c)).body;
}

/**
 * As callSoap, with the answer's MTOM attachments by Content-ID (without angle brackets), as an
 * ITI-43 Document Consumer needs them to resolve each document's xop:Include.
 */
export async function callSoapWithAttachments(c: SoapCall): Promise<{ body: XmlElement; attachments: Map<string, Buffer> }> {
  const url = new URL(c.url);
  const { contentType, pieces } = requestPackage(c);
  const res = await post(url, contentType, pieces, c.timeoutMs ?? 60_000, c.tls);
  const mt = parseMediaType(res.contentType);
  let xml: Buffer = res.body;
  const attachments = new Map<string, Buffer>();
  if (mt.type === 'multipart/related') {
    const parts = await readMultipart(Readable.from([res.body]), mt.params.boundary ?? '', { maxBytes: 1 << 30, spoolThreshold: 1 << 30, spoolDir: os.tmpdir() });
    const start = mt.params.start?.replace(/[<>]/g, '');
    const root = parts.find((p) => p.contentId === start) ?? parts[0];
    xml = root?.data ?? Buffer.alloc(0);
    for (const p of parts) if (p !== root) attachments.set(p.contentId, p.data ?? (p.file ? fs.readFileSync(p.file) : Buffer.alloc(0)));
  }
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch {
    throw new SoapClientError(`${url.href} answered HTTP ${res.status} without a SOAP envelope`);
  }
  const body = root.children.find((x) => x.ns === NS.soap12 && x.local === 'Body')?.children[0];
  if (!body) throw new SoapClientError(`${url.href} answered HTTP ${res.status} with an empty SOAP Body`);
  if (body.local === 'Fault') {
    const text = (el: XmlElement | undefined): string => (el ? el.text.trim() || el.children.map(text).join(' ') : '');
    const code = body.children.find((x) => x.local === 'Code');
    const value = (el: XmlElement | undefined) => el?.children.find((x) => x.local === 'Value')?.text.trim();
    const reason = text(body.children.find((x) => x.local === 'Reason'));
    throw new SoapFaultError(`SOAP Fault from ${url.href}: ${reason}`, value(code) ?? '', value(code?.children.find((x) => x.local === 'Subcode')), reason, res.status, xml.toString('utf8'));
  }
  return { body, attachments };
}

/** A whole answer: the envelope as received, its Body element and its MTOM attachments (issue 16, the XCA Initiating Gateway). */
export interface SoapAnswer {
  status: number;
  envelopeXml: string;
  body: XmlElement;
  /** Attachments by arrival order; kept in memory up to the spool threshold, else in files under spoolDir (the caller removes them). */
  attachments: MimePart[];
}

/** The request as it goes on the wire: a SOAP 1.2 envelope, or an MTOM package when asked or with attachments. */
function requestPackage(c: SoapCall): { contentType: string; pieces: Buffer[] } {
  const envelope = requestEnvelope(c.action, c.url, c.bodyXml, undefined, c.headers);
  if (!c.mtom && !(c.attachments && c.attachments.length > 0)) {
    return { contentType: `application/soap+xml; charset=UTF-8; action="${c.action}"`, pieces: [Buffer.from(envelope, 'utf8')] };
  }
  const pkg = buildMtomPackage(envelope, c.action, c.attachments ?? []);
  const pieces = pkg.pieces.map((p) => {
    if (Buffer.isBuffer(p)) return p;
    throw new SoapClientError('file attachments are not sent by this client');
  });
  return { contentType: pkg.contentType, pieces };
}

export interface SoapExchange extends SoapCall {
  /** The whole exchange, connection to last byte, within timeoutMs; larger answers are refused. */
  maxResponseBytes: number;
  spoolDir: string;
  spoolThreshold?: number;
  /** A keep-alive agent for this peer (its TLS options included). */
  agent?: http.Agent;
}

/** POST with a deadline on the whole exchange and a cap on the answer's size. */
/** The answer's body as it arrived, chunk by chunk (a multipart answer's documents are not copied). */
function postBounded(url: URL, contentType: string, pieces: Buffer[], c: SoapExchange): Promise<{ status: number; contentType: string; body: Buffer[] }> {
  const client = url.protocol === 'https:' ? https : http;
  const timeoutMs = c.timeoutMs ?? 60_000;
  const options: https.RequestOptions = { method: 'POST', headers: { 'content-type': contentType, 'content-length': pieces.reduce((n, p) => n + p.length, 0) } };
  if (c.agent) options.agent = c.agent;
  else if (url.protocol === 'https:' && c.tls) Object.assign(options, { ca: c.tls.ca, cert: c.tls.cert, key: c.tls.key, agent: false });
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    const req = client.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > c.maxResponseBytes) {
          fail(new SoapClientError(`${url.href} answered more than ${c.maxResponseBytes} bytes`));
          res.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: chunks });
      });
      res.on('error', (e) => fail(e));
      res.on('aborted', () => fail(new SoapClientError(`${url.href} closed the connection before the end of its answer`)));
    });
    const timer = setTimeout(() => fail(new SoapClientError(`no complete answer from ${url.href} within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (e) => fail(e));
    for (const p of pieces) req.write(p);
    req.end();
  });
}

/**
 * Sends the request and returns the whole answer (envelope, Body, attachments). Throws SoapFaultError
 * for a Fault and SoapClientError for anything else that is not a SOAP answer: no connection, TLS
 * refused, too slow, too large, not XML, no Body.
 */
export async function exchangeSoap(c: SoapExchange): Promise<SoapAnswer> {
  const url = new URL(c.url);
  const { contentType, pieces } = requestPackage(c);
  let res: { status: number; contentType: string; body: Buffer[] };
  try {
    res = await postBounded(url, contentType, pieces, c);
  } catch (e) {
    if (e instanceof SoapClientError) throw e;
    throw new SoapClientError(`${url.href}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const mt = parseMediaType(res.contentType);
  let xml: Buffer;
  let attachments: SoapAnswer['attachments'] = [];
  if (mt.type === 'multipart/related') {
    let parts: SoapAnswer['attachments'];
    try {
      parts = await readMultipart(Readable.from(res.body), mt.params.boundary ?? '', { maxBytes: c.maxResponseBytes, spoolThreshold: c.spoolThreshold ?? 1 << 20, spoolDir: c.spoolDir });
    } catch (e) {
      throw new SoapClientError(`${url.href} answered a broken MTOM package: ${e instanceof Error ? e.message : String(e)}`);
    }
    const start = mt.params.start?.replace(/[<>]/g, '');
    const root = parts.find((p) => p.contentId === start) ?? parts[0];
    attachments = parts.filter((p) => p !== root);
    xml = root?.data ?? Buffer.alloc(0);
  } else xml = Buffer.concat(res.body);
  const fail = (message: string): never => {
    for (const a of attachments) if (a.file) fs.rmSync(a.file, { force: true });
    throw new SoapClientError(message);
  };
  let root: XmlElement | undefined;
  try {
    root = parseXml(xml);
  } catch {
    fail(`${url.href} answered HTTP ${res.status} without a SOAP envelope`);
  }
  const body = root!.ns === NS.soap12 && root!.local === 'Envelope' ? root!.children.find((x) => x.ns === NS.soap12 && x.local === 'Body')?.children[0] : undefined;
  if (!body) return fail(`${url.href} answered HTTP ${res.status} without a SOAP 1.2 Body`);
  const envelopeXml = xml.toString('utf8');
  if (body.local === 'Fault') {
    for (const a of attachments) if (a.file) fs.rmSync(a.file, { force: true });
    const text = (el: XmlElement | undefined): string => (el ? el.text.trim() || el.children.map(text).join(' ') : '');
    const code = body.children.find((x) => x.local === 'Code');
    const value = (el: XmlElement | undefined) => el?.children.find((x) => x.local === 'Value')?.text.trim();
    const reason = text(body.children.find((x) => x.local === 'Reason'));
    throw new SoapFaultError(`SOAP Fault from ${url.href}: ${reason}`, value(code) ?? '', value(code?.children.find((x) => x.local === 'Subcode')), reason, res.status, envelopeXml);
  }
  return { status: res.status, envelopeXml, body, attachments };
}
