/**
 * The Document Repository's client of a remote Document Registry: ITI-42 Register Document Set-b
 * over SOAP 1.2 (ITI TF-2b 3.42.4.1.2), sent when config names xds.repository.registryUrl.
 *
 * The registry's answer decides: its warnings come back as warnings, its errors as the errors of
 * the ITI-41 response (ITI TF-2b 3.42.4.2.3.1). A registry that cannot be reached, times out,
 * answers a SOAP Fault or anything but a readable RegistryResponse is XDSRegistryNotAvailable
 * ("Repository was unable to access the Registry", ITI TF-3 Table 4.2.4.1-2).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { encodeRegistryObjectList } from '../../ebxml/encode.ts';
import type { Identifiable } from '../../ebxml/rim.ts';
import { decodeRegistryResponse, RegistryResponseError, type RegistryError } from '../../ebxml/registryResponse.ts';
import { parseMediaType } from '../../soap/contentType.ts';
import { readMultipart } from '../../soap/mtom.ts';
import { NS } from '../../soap/namespaces.ts';
import { childOf, parseXml, XmlError } from '../../xml/parse.ts';
import { escapeText } from '../../xml/write.ts';
import { XdsError, XdsErrors } from '../registry/errors.ts';
import { XDS } from '../transactions.ts';

export interface RemoteRegistryConfig {
  url: string;
  timeoutMs: number;
  tls?: { ca?: string; cert?: string; key?: string };
  /** Where a multipart answer's parts may be spooled (never large for a RegistryResponse). */
  spoolDir: string;
}

export interface RemoteRegistration {
  warnings: RegistryError[];
}

const MAX_RESPONSE = 16 * 1024 * 1024;

export class RemoteRegistry {
  private readonly agentOptions: https.AgentOptions;

  constructor(readonly cfg: RemoteRegistryConfig) {
    const t = cfg.tls;
    this.agentOptions = {
      ca: t?.ca ? fs.readFileSync(t.ca) : undefined,
      cert: t?.cert ? fs.readFileSync(t.cert) : undefined,
      key: t?.key ? fs.readFileSync(t.key) : undefined,
      minVersion: 'TLSv1.2',
    };
  }

  /** ITI-42: registers the objects; throws XdsErrors with the registry's errors, or XDSRegistryNotAvailable. */
  async register(objects: Identifiable[]): Promise<RemoteRegistration> {
    const d = XDS['ITI-42'];
    const body =
      `<lcm:SubmitObjectsRequest xmlns:lcm="${NS.lcm}" xmlns:rim="${NS.rim}">${encodeRegistryObjectList(objects)}</lcm:SubmitObjectsRequest>`;
    const envelope =
      `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="${NS.soap12}" xmlns:wsa="${NS.wsa}"><env:Header>` +
      `<wsa:Action env:mustUnderstand="true">${d.action}</wsa:Action><wsa:MessageID>urn:uuid:${randomUUID()}</wsa:MessageID>` +
      `<wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo>` +
      `<wsa:To env:mustUnderstand="true">${escapeText(this.cfg.url)}</wsa:To></env:Header><env:Body>${body}</env:Body></env:Envelope>`;
    const reply = await this.post(Buffer.from(envelope, 'utf8'), `application/soap+xml; charset=UTF-8; action="${d.action}"`);
    const response = await this.registryResponseOf(reply);
    if (response.status === 'Success') return { warnings: response.errors };
    throw new XdsErrors(response.errors);
  }

  private unavailable(why: string): XdsError {
    return new XdsError('XDSRegistryNotAvailable', `the Document Registry at ${this.cfg.url} could not be used: ${why}`);
  }

  private post(body: Buffer, contentType: string): Promise<{ status: number; contentType: string; body: Buffer }> {
    const url = new URL(this.cfg.url);
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        url,
        { method: 'POST', headers: { 'Content-Type': contentType, 'Content-Length': body.length }, timeout: this.cfg.timeoutMs, ...(url.protocol === 'https:' ? this.agentOptions : {}) },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE) req.destroy(new Error('the answer is too large'));
            else chunks.push(c);
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
          res.on('error', (e) => reject(this.unavailable(e.message)));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.cfg.timeoutMs} ms`)));
      req.on('error', (e) => reject(this.unavailable(e.message)));
      req.end(body);
    });
  }

  /** The RegistryResponse of an answer, plain SOAP or MTOM; a Fault or anything unreadable is XDSRegistryNotAvailable. */
  private async registryResponseOf(r: { status: number; contentType: string; body: Buffer }) {
    try {
      const ct = parseMediaType(r.contentType);
      let xml = r.body;
      if (ct.type === 'multipart/related') {
        const parts = await readMultipart(Readable.from([r.body]), ct.params.boundary ?? '', { maxBytes: MAX_RESPONSE, spoolThreshold: MAX_RESPONSE, spoolDir: this.cfg.spoolDir });
        const start = ct.params.start?.replace(/^<|>$/g, '');
        xml = (parts.find((p) => p.contentId === start) ?? parts[0])?.data ?? Buffer.alloc(0);
      }
      const env = parseXml(xml);
      const body = env.ns === NS.soap12 && env.local === 'Envelope' ? childOf(env, NS.soap12, 'Body') : undefined;
      const first = body?.children[0];
      if (!first) throw this.unavailable(`HTTP ${r.status} without a SOAP 1.2 envelope`);
      if (first.ns === NS.soap12 && first.local === 'Fault') {
        const reason = childOf(first, NS.soap12, 'Reason')?.children[0]?.text.trim() ?? '';
        throw this.unavailable(`SOAP Fault: ${reason}`);
      }
      return decodeRegistryResponse(first);
    } catch (e) {
      if (e instanceof XdsError) throw e;
      if (e instanceof RegistryResponseError || e instanceof XmlError) throw this.unavailable(`unreadable answer (${e.message})`);
      throw this.unavailable(e instanceof Error ? e.message : String(e));
    }
  }
}
