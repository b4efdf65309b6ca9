/**
 * The nodes of config, and who a peer is: a TLS client certificate matched by subject or SHA-256
 * fingerprint, a loopback client without TLS as the configured local identity, a plaintext peer on
 * another address by the node's `addresses` (only where config allows plaintext on the network).
 * Facilities are named in config by namespace or OID and resolved here to identity.domains keys.
 */
import type { Config, NodeConfig } from '../kernel/config.ts';
import type { CertificateInfo, NodeIdentity, NodeRole, RequestContext, Transport } from '../kernel/requestContext.ts';
import { domainKey } from '../identity/types.ts';

export class NodeConfigError extends Error {}

/** Parses "CN=a,O=B" (or "/CN=a/O=B", as openssl prints it) into attribute pairs. */
export function parseSubject(s: string): [string, string][] {
  const text = s.trim().startsWith('/') ? s.trim().slice(1).split('/').join(',') : s;
  const out: [string, string][] = [];
  for (const part of text.split(/,(?=\s*[A-Za-z][A-Za-z0-9.]*\s*=)/)) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    out.push([part.slice(0, i).trim().toUpperCase(), part.slice(i + 1).trim()]);
  }
  return out;
}

const normFingerprint = (f: string) => f.replace(/:/g, '').toUpperCase();

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function isLoopback(address: string): boolean {
  return LOOPBACK.test(address.startsWith('::ffff:') ? address.slice(7) : address);
}

export function stripMapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

interface Entry {
  identity: NodeIdentity;
  subject?: [string, string][];
  fingerprint?: string;
  addresses: Set<string>;
}

export class NodeDirectory {
  private readonly entries: Entry[];
  private readonly local?: NodeIdentity;

  constructor(private readonly config: Pick<Config, 'nodes' | 'access' | 'identity'>) {
    const problems: string[] = [];
    const names = new Set<string>();
    this.entries = config.nodes.map((n, i) => {
      if (names.has(n.name)) problems.push(`nodes[${i}].name: ${n.name} is used twice`);
      names.add(n.name);
      const facilities = [n.facility, ...(n.facilities ?? [])].filter((f): f is string => !!f);
      return {
        identity: this.identity(n, facilities, `nodes[${i}]`, problems),
        subject: n.subject ? parseSubject(n.subject) : undefined,
        fingerprint: n.fingerprint ? normFingerprint(n.fingerprint) : undefined,
        addresses: new Set((n.addresses ?? []).map(stripMapped)),
      };
    });
    const l = config.access.local;
    if (l.enabled) this.local = this.identity({ ...l, requireAssertion: false }, [...l.facilities], 'access.local', problems);
    if (problems.length) throw new NodeConfigError(problems.join('\n'));
  }

  /** Every configured node (not the local identity). */
  get nodes(): NodeIdentity[] {
    return this.entries.map((e) => e.identity);
  }

  get localIdentity(): NodeIdentity | undefined {
    return this.local;
  }

  /** The node a client certificate names: by fingerprint, or by every subject attribute config gives. */
  forCertificate(cert: CertificateInfo): NodeIdentity | undefined {
    const fp = normFingerprint(cert.fingerprint256);
    const attrs = parseSubject(cert.subject);
    for (const e of this.entries) {
      if (e.fingerprint && e.fingerprint !== fp) continue;
      if (e.subject && !e.subject.every(([k, v]) => attrs.some(([k2, v2]) => k2 === k && v2 === v))) continue;
      if (!e.fingerprint && !e.subject) continue;
      return e.identity;
    }
    return undefined;
  }

  /** A peer without TLS: the local identity on loopback, else a node listing the address. */
  forPlaintext(address: string): NodeIdentity | undefined {
    const a = stripMapped(address);
    if (isLoopback(a)) return this.local;
    return this.entries.find((e) => e.addresses.has(a))?.identity;
  }

  /** The request context of a peer as an edge sees it. */
  contextOf(transport: Transport, address: string, certificate?: CertificateInfo): RequestContext {
    const node = certificate ? this.forCertificate(certificate) : this.forPlaintext(address);
    return { transport, address: stripMapped(address), node, certificate };
  }

  private identity(n: Omit<NodeConfig, 'facility' | 'facilities'>, facilities: string[], where: string, problems: string[]): NodeIdentity {
    let resolved: string[] | '*' = [];
    if (facilities.includes('*')) resolved = '*';
    else {
      for (const f of facilities) {
        const d = this.config.identity.domains.find((x) => x.namespace === f || x.oid === f);
        if (!d) problems.push(`${where}: facility ${f} is not an identity.domains entry`);
        else resolved.push(domainKey(d));
      }
    }
    return {
      name: n.name,
      facilities: resolved,
      sourceIds: [...new Set([...(resolved === '*' ? [] : resolved.filter((k) => !k.startsWith('ns:'))), ...(n.sourceIds ?? [])])],
      auditSourceIds: n.auditSourceIds ?? [n.name],
      roles: new Set(n.roles as readonly NodeRole[]),
      breakGlass: new Set(n.breakGlass),
      requireAssertion: n.requireAssertion,
      homeCommunityId: n.homeCommunityId,
    };
  }
}
