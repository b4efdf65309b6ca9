/**
 * One peer Responding Gateway as the Initiating Gateway sees it: its community, a keep-alive
 * connection pool (with the link's TLS: the peer's CA, this node's certificate and key), the calls
 * (ITI-38, ITI-39) each bounded by the peer's timeout and the largest answer, and its health: after
 * `failuresBeforeBackoff` failures in a row it is skipped for `backoffMs`, answering at once with the
 * reason. A call never throws anything but PeerFailure.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { exchangeSoap, SoapFaultError, type SoapAnswer } from '../../soap/client.ts';
import type { RequestContext } from '../../kernel/requestContext.ts';
import { NS } from '../../soap/namespaces.ts';
import type { Community } from '../community.ts';
import { XCA } from '../transactions.ts';
import { MalformedAnswer, queryAnswer, retrieveAnswer, type QueryAnswer, type RetrieveAnswer } from './answers.ts';

/** Why a peer gave no usable answer (the codeContext of its XDSUnavailableCommunity). */
export class PeerFailure extends Error {}

export interface PeerLimits {
  failuresBeforeBackoff: number;
  backoffMs: number;
  maxResponseBytes: number;
  spoolDir: string;
}

/** How a peer has answered lately (the console's operations page). */
export interface PeerHealth {
  name: string;
  homeCommunityId: string;
  /** Failures in a row; 0 after an answer. */
  failures: number;
  lastFailure: string;
  lastFailureAt?: string;
  lastAnswerAt?: string;
  /** Set while the peer is skipped after failures in a row. */
  skippedUntil?: string;
}

export class PeerGateway {
  private readonly agent: http.Agent;
  private failures = 0;
  private skippedUntil = 0;
  private lastFailure = '';
  private lastFailureAt = 0;
  private lastAnswerAt = 0;

  constructor(
    readonly community: Community,
    private readonly limits: PeerLimits,
    private readonly now: () => number = Date.now,
  ) {
    const tls = community.tls;
    const read = (f?: string) => (f ? fs.readFileSync(f) : undefined);
    this.agent = community.queryUrl.startsWith('https:') || community.retrieveUrl.startsWith('https:')
      ? new https.Agent({ keepAlive: true, ca: read(tls?.ca), cert: read(tls?.cert), key: read(tls?.key) })
      : new http.Agent({ keepAlive: true });
  }

  get homeCommunityId(): string {
    return this.community.homeCommunityId;
  }

  get health(): PeerHealth {
    const iso = (t: number) => (t ? new Date(t).toISOString() : undefined);
    return {
      name: this.community.name,
      homeCommunityId: this.community.homeCommunityId,
      failures: this.failures,
      lastFailure: this.lastFailure,
      ...(this.lastFailureAt ? { lastFailureAt: iso(this.lastFailureAt) } : {}),
      ...(this.lastAnswerAt ? { lastAnswerAt: iso(this.lastAnswerAt) } : {}),
      ...(this.now() < this.skippedUntil ? { skippedUntil: iso(this.skippedUntil) } : {}),
    };
  }

  /** `ctx`: the local consumer's request; its X-User Assertion goes along when the link says so. */
  query(bodyXml: string, ctx?: RequestContext): Promise<QueryAnswer> {
    return this.call(this.community.queryUrl, XCA['ITI-38'].action, bodyXml, queryAnswer, this.securityHeader(ctx));
  }

  retrieve(bodyXml: string, ctx?: RequestContext): Promise<RetrieveAnswer> {
    return this.call(this.community.retrieveUrl, XCA['ITI-39'].action, bodyXml, retrieveAnswer, this.securityHeader(ctx));
  }

  /**
   * The consumer's assertion in a wsse:Security header (OASIS WSS 1.1 SAML Token Profile, ITI TF-2b
   * 3.40.4.1.2), for a link with forwardAssertion: the peer then decides on the same user and purpose of use.
   */
  private securityHeader(ctx: RequestContext | undefined): string {
    const assertion = ctx?.user?.assertionXml;
    if (!this.community.forwardAssertion || !assertion) return '';
    return `<wsse:Security xmlns:wsse="${NS.wsse}" xmlns:env="${NS.soap12}" env:mustUnderstand="true">${assertion}</wsse:Security>`;
  }

  private async call<T>(url: string, action: string, bodyXml: string, read: (a: SoapAnswer) => T, headers: string): Promise<T> {
    if (this.now() < this.skippedUntil) {
      throw new PeerFailure(`community ${this.community.name} is skipped until ${new Date(this.skippedUntil).toISOString()} after ${this.failures} failures in a row (last: ${this.lastFailure})`);
    }
    try {
      // Attachments stay in memory (they are merged into one answer): the size cap bounds them.
      const answer = await exchangeSoap({ url, action, bodyXml, headers, timeoutMs: this.community.timeoutMs, maxResponseBytes: this.limits.maxResponseBytes, spoolDir: this.limits.spoolDir, spoolThreshold: this.limits.maxResponseBytes, agent: this.agent });
      const out = read(answer);
      this.failures = 0;
      this.lastAnswerAt = this.now();
      return out;
    } catch (e) {
      const why = e instanceof SoapFaultError ? `SOAP Fault ${e.code}${e.subcode ? ` ${e.subcode}` : ''}: ${e.reason}` : e instanceof MalformedAnswer ? `malformed answer: ${e.message}` : e instanceof Error ? e.message : String(e);
      this.failures++;
      this.lastFailure = why;
      this.lastFailureAt = this.now();
      if (this.failures >= this.limits.failuresBeforeBackoff) this.skippedUntil = this.now() + this.limits.backoffMs;
      throw new PeerFailure(`community ${this.community.name} (${this.community.homeCommunityId}): ${why}`);
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
