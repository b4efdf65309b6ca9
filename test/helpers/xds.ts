/**
 * Talking SOAP 1.2 (plain or MTOM) to the test server's XDS endpoints, reading the replies, and
 * validating every reply against the standard schemas with xmllint (driver.xsd of the conformance
 * material pulls in SOAP 1.2, WS-Addressing, ebRIM/ebRS and the XDS.b schema).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { parseMediaType } from '../../src/soap/contentType.ts';
import { readMultipart, type MimePart } from '../../src/soap/mtom.ts';
import { NS } from '../../src/soap/namespaces.ts';
import { parseXml, type XmlElement } from '../../src/xml/parse.ts';
import { conformanceDir, missingMessage } from './conformance.ts';
import { adt } from './messages.ts';
import { field, startTestServer, tempDir, type TestServer } from './hieServer.ts';
import { decodeRegistryObjectList, registryObjectListOf } from '../../src/ebxml/decode.ts';
import type { RegisterOptions } from '../../src/xds/registry/service.ts';

export const ACTIONS = {
  iti18: 'urn:ihe:iti:2007:RegistryStoredQuery',
  iti41: 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b',
  iti42: 'urn:ihe:iti:2007:RegisterDocumentSet-b',
  iti43: 'urn:ihe:iti:2007:RetrieveDocumentSet',
  iti57: 'urn:ihe:iti:2010:UpdateDocumentSet',
  iti62: 'urn:ihe:iti:2010:DeleteDocumentSet',
} as const;

/** The NIST affinity domain most XDS samples use. */
export const NIST_AFFINITY = '1.3.6.1.4.1.21367.2005.3.7';

export function affinityConfig(oid = NIST_AFFINITY) {
  return { identity: { regional: { authority: { namespace: 'AFFINITY', oid } } } };
}

/** ITI-8 feed of a patient of the affinity domain, as a Patient Identity Source does for a registry. */
export async function feedPatient(s: TestServer, id: string, oid = NIST_AFFINITY): Promise<void> {
  const ack = await s.send(adt({ ids: [`${id}^^^AFFINITY&${oid}&ISO`], event: 'A01' }));
  expect(field(ack, 'MSA', 1), `feed of ${id}`).to.equal('AA');
}

export const pid = (id: string, oid = NIST_AFFINITY) => `${id}^^^&${oid}&ISO`;

/** A test server of the NIST affinity domain with these patients fed, and a client of its XDS endpoints. */
export async function startXdsServer(patients: string[], overrides: Record<string, unknown> = {}): Promise<{ s: TestServer; c: XdsClient }> {
  const s = await startTestServer({ ...affinityConfig(), ...overrides });
  for (const p of patients) await feedPatient(s, p);
  return { s, c: new XdsClient(s.app.ports.http!) };
}

/** Registers a SubmitObjectsRequest through the registry service in process (e.g. On-Demand entries, as ITI-61 would). */
export async function registerInProcess(s: TestServer, submitObjectsRequestXml: string, opts: RegisterOptions = {}): Promise<void> {
  const objects = decodeRegistryObjectList(registryObjectListOf(parseXml(submitObjectsRequestXml))!);
  await s.app.store.write((tx) => s.app.xds.registry.register(tx, objects, opts));
}

/** The blob files of a server's repository. */
export function blobFiles(dataDir: string): string[] {
  const dir = path.join(dataDir, 'blobs');
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => /[0-9a-f]{40}$/.test(f)) : [];
}

export function envelope(action: string, bodyXml: string, messageId = `urn:uuid:${randomUUID()}`): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${NS.soap12}" xmlns:wsa="${NS.wsa}"><soap:Header>` +
    `<wsa:Action soap:mustUnderstand="true">${action}</wsa:Action><wsa:MessageID>${messageId}</wsa:MessageID>` +
    `<wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>` +
    `</soap:Header><soap:Body>${bodyXml.replace(/^\s*<\?xml[^>]*\?>/, '')}</soap:Body></soap:Envelope>`
  );
}

/**
 * A captured request envelope that lacks wsa:MessageID, with one added after its wsa:Action: the
 * captures of NIST's message validator carry none, which WS-Addressing 1.0 Core 3.1 requires of a
 * request that expects a reply (ITI TF-2x V.3.2.1).
 */
export function withMessageId(envelopeXml: string, messageId = `urn:uuid:${randomUUID()}`): string {
  if (/<(\w+:)?MessageID[\s>]/.test(envelopeXml)) throw new Error('the envelope already has a MessageID');
  const at = /<\/(\w+:)?Action\s*>/.exec(envelopeXml);
  if (!at) throw new Error('the envelope has no wsa:Action');
  const end = at.index + at[0].length;
  return `${envelopeXml.slice(0, end)}<wsa:MessageID xmlns:wsa="${NS.wsa}">${messageId}</wsa:MessageID>${envelopeXml.slice(end)}`;
}

export interface Reply {
  status: number;
  contentType: string;
  /** The SOAP envelope text. */
  xml: string;
  envelope: XmlElement;
  /** The Body's first element. */
  body: XmlElement;
  attachments: MimePart[];
}

export interface Attachment {
  contentId: string;
  contentType?: string;
  /** The content, or its consecutive pieces (mtomPieces writes them one after another). */
  data: Buffer | Buffer[];
}

/** An MTOM/XOP package of an envelope and attachments as the pieces a client writes one after another (the attachments not copied). */
export function mtomPieces(envelopeXml: string, action: string, attachments: Attachment[], boundary = `b_${randomUUID()}`): { contentType: string; pieces: Buffer[] } {
  const pieces: Buffer[] = [
    Buffer.from(`--${boundary}\r\nContent-Type: application/xop+xml; charset=UTF-8; type="application/soap+xml"\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <root@test>\r\n\r\n${envelopeXml}`),
  ];
  for (const a of attachments) {
    pieces.push(Buffer.from(`\r\n--${boundary}\r\nContent-Type: ${a.contentType ?? 'application/octet-stream'}\r\nContent-Transfer-Encoding: binary\r\nContent-ID: <${a.contentId}>\r\n\r\n`), ...[a.data].flat());
  }
  pieces.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return {
    contentType: `multipart/related; boundary="${boundary}"; type="application/xop+xml"; start="<root@test>"; start-info="application/soap+xml"; action="${action}"`,
    pieces,
  };
}

/** The same package in one buffer, as a client sends it. */
export function mtomBody(envelopeXml: string, action: string, attachments: Attachment[], boundary = `b_${randomUUID()}`): { contentType: string; body: Buffer } {
  const p = mtomPieces(envelopeXml, action, attachments, boundary);
  return { contentType: p.contentType, body: Buffer.concat(p.pieces) };
}

export async function post(port: number, urlPath: string, contentType: string, body: Buffer | string, agent?: http.Agent): Promise<{ status: number; contentType: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method: 'POST', agent, headers: { 'Content-Type': contentType } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const replySpool = tempDir('hie-xds-replies-');

export async function readReply(r: { status: number; contentType: string; body: Buffer }): Promise<Reply> {
  const ct = parseMediaType(r.contentType);
  let xml: Buffer;
  let attachments: MimePart[] = [];
  if (ct.type === 'multipart/related') {
    const parts = await readMultipart(Readable.from([r.body]), ct.params.boundary, { maxBytes: 1e10, spoolThreshold: 1e10, spoolDir: replySpool });
    const start = ct.params.start?.replace(/[<>]/g, '');
    const root = parts.find((p) => p.contentId === start) ?? parts[0];
    xml = root.data!;
    attachments = parts.filter((p) => p !== root);
  } else xml = r.body;
  const text = xml.toString('utf8');
  const env = parseXml(text);
  const body = env.children.find((c) => c.local === 'Body')!.children[0];
  return { status: r.status, contentType: r.contentType, xml: text, envelope: env, body, attachments };
}

export class XdsClient {
  constructor(
    readonly port: number,
    readonly registryPath = '/services/registry',
    readonly repositoryPath = '/services/repository',
  ) {}

  async soap(urlPath: string, action: string, bodyXml: string, messageId?: string): Promise<Reply> {
    return readReply(await post(this.port, urlPath, `application/soap+xml; charset=UTF-8; action="${action}"`, envelope(action, bodyXml, messageId)));
  }

  async mtom(urlPath: string, action: string, bodyXml: string, attachments: Attachment[]): Promise<Reply> {
    const pkg = mtomBody(envelope(action, bodyXml), action, attachments);
    return readReply(await post(this.port, urlPath, pkg.contentType, pkg.body));
  }

  register(bodyXml: string): Promise<Reply> {
    return this.soap(this.registryPath, ACTIONS.iti42, bodyXml);
  }

  query(bodyXml: string): Promise<Reply> {
    return this.soap(this.registryPath, ACTIONS.iti18, bodyXml);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading RegistryResponses

export const STATUS = {
  success: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success',
  failure: 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure',
  partial: 'urn:ihe:iti:2007:ResponseStatusType:PartialSuccess',
};

export function registryResponseOf(body: XmlElement): XmlElement {
  if (body.local === 'RegistryResponse') return body;
  return body.children.find((c) => c.local === 'RegistryResponse')!;
}

export function errorCodes(el: XmlElement): string[] {
  const list = el.children.find((c) => c.local === 'RegistryErrorList');
  return (list?.children ?? []).map((e) => e.attrs.errorCode);
}

export function expectSuccess(r: Reply): void {
  const rr = r.body.local === 'AdhocQueryResponse' ? r.body : registryResponseOf(r.body);
  expect(rr.attrs.status, `${errorCodes(rr).join(', ')}\n${r.xml.slice(0, 3000)}`).to.equal(STATUS.success);
}

export function expectFailure(r: Reply, code: string): void {
  const rr = r.body.local === 'AdhocQueryResponse' ? r.body : registryResponseOf(r.body);
  expect(rr.attrs.status, r.xml.slice(0, 2000)).to.equal(STATUS.failure);
  expect(errorCodes(rr), r.xml.slice(0, 2000)).to.include(code);
}

export function faultOf(r: Reply): { code: string; subcode?: string; reason: string } {
  const fault = r.body;
  expect(fault.local, r.xml).to.equal('Fault');
  const code = fault.children.find((c) => c.local === 'Code')!;
  const sub = code.children.find((c) => c.local === 'Subcode');
  return {
    code: code.children.find((c) => c.local === 'Value')!.text.trim(),
    subcode: sub?.children.find((c) => c.local === 'Value')?.text.trim(),
    reason: fault.children.find((c) => c.local === 'Reason')!.children[0].text,
  };
}

// ---------------------------------------------------------------------------------------------
// Schema validation of replies

const DRIVER = path.join(conformanceDir(), 'schemas', 'driver.xsd');

/** The DICOM audit message schema ATNA names (ITI TF-2 3.20.6). */
export const DICOM_AUDIT_SCHEMA = path.join(conformanceDir(), 'schemas', 'atna', 'dicom2017c.xsd');

/** Validates documents (by default SOAP envelopes, against the standard schemas) in one xmllint run; fails with every error. */
export function expectSchemaValid(xmls: string[], schema = DRIVER): void {
  if (!fs.existsSync(schema)) throw new Error(missingMessage(schema));
  const dir = tempDir('hie-xds-validate-');
  const files = xmls.map((x, i) => {
    const f = path.join(dir, `reply-${i}.xml`);
    fs.writeFileSync(f, x);
    return f;
  });
  const r = spawnSync('xmllint', ['--noout', '--schema', schema, ...files], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error('xmllint not found: apt-get install libxml2-utils');
  const out = `${r.stdout}\n${r.stderr}`;
  const bad = files.filter((f) => !out.includes(`${f} validates`));
  const report = bad.map((f) => `${f}:\n${out.split('\n').filter((l) => l.startsWith(f + ':')).slice(0, 5).join('\n')}\n${fs.readFileSync(f, 'utf8').slice(0, 1500)}`);
  fs.rmSync(dir, { recursive: true, force: true });
  expect(bad, report.join('\n\n')).to.have.length(0);
}

/** Collects every reply of a suite, to validate them all at its end. */
export class ReplyLog {
  readonly xmls: string[] = [];
  add<T extends Reply>(r: T): T {
    this.xmls.push(r.xml);
    return r;
  }
}

/** The envelope as the XOP infoset it stands for: each xop:Include replaced by its part in base64 (W3C XOP 1.0 3.2). */
export function xopDecoded(r: Reply): string {
  const byId = new Map(r.attachments.map((a) => [a.contentId, a]));
  return r.xml.replace(/<xop:Include[^>]*href="cid:([^"]+)"[^>]*\/>/g, (_m, cid: string) => {
    const a = byId.get(decodeURIComponent(cid));
    if (!a) throw new Error(`no attachment ${cid}`);
    return (a.data ?? fs.readFileSync(a.file!)).toString('base64');
  });
}

export function retrieveRequest(docs: { repositoryUniqueId: string; documentUniqueId: string }[]): string {
  return (
    `<xdsb:RetrieveDocumentSetRequest xmlns:xdsb="urn:ihe:iti:xds-b:2007">` +
    docs.map((d) => `<xdsb:DocumentRequest><xdsb:RepositoryUniqueId>${d.repositoryUniqueId}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>${d.documentUniqueId}</xdsb:DocumentUniqueId></xdsb:DocumentRequest>`).join('') +
    `</xdsb:RetrieveDocumentSetRequest>`
  );
}

/** The documents of an ITI-43 reply by DocumentUniqueId, bytes resolved from their attachments. */
export function retrievedDocuments(r: Reply): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const byId = new Map(r.attachments.map((a) => [a.contentId, a]));
  for (const dr of r.body.children.filter((c) => c.local === 'DocumentResponse')) {
    const uid = dr.children.find((c) => c.local === 'DocumentUniqueId')!.text;
    const doc = dr.children.find((c) => c.local === 'Document')!;
    const inc = doc.children.find((c) => c.local === 'Include');
    const a = inc ? byId.get(decodeURIComponent(inc.attrs.href.slice(4))) : undefined;
    out.set(uid, a ? (a.data ?? fs.readFileSync(a.file!)) : Buffer.from(doc.text, 'base64'));
  }
  return out;
}

/**
 * What a LeafClass AdhocQueryResponse must hold for each object (ITI TF-2a 3.18.4.1.3, ebRIM 3.0):
 * an id and, for DocumentEntries, SubmissionSets, Folders and Associations, their status. Returns
 * the problems found; this server's replies have none.
 */
export function leafClassProblems(response: XmlElement): string[] {
  const list = response.children.find((c) => c.local === 'RegistryObjectList');
  const out: string[] = [];
  for (const o of list?.children ?? []) {
    if (!o.attrs.id) out.push(`${o.local} without an id`);
    if (['ExtrinsicObject', 'RegistryPackage', 'Association'].includes(o.local) && !o.attrs.status) out.push(`${o.local} ${o.attrs.id} without a status`);
  }
  return out;
}
