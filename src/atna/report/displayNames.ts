/**
 * Who did it, in words a patient reads: the facilities and nodes of the config by the names they go
 * by (identity.domains[].displayName, nodes[].displayName), and nothing that is not a person or a
 * system shown as a user: a URL (a SOAP endpoint, WS-Addressing's anonymous ReplyTo, ITI TF-2x V.3),
 * a file path (a storage tree taken in), a certificate fingerprint or an unknown peer's address.
 */
import type { Config } from '../../kernel/config.ts';
import type { ReadParticipant } from '../dicom/model.ts';

export interface DisplayConfig {
  domains: readonly { namespace: string; oid: string; sourceFacility?: string; displayName?: string }[];
  nodes: readonly { name: string; displayName?: string; facility?: string }[];
  /** access.local.name: the operator of this server on its own machine. */
  localName?: string;
}

/** The operator at the HIE's own console (access.local). */
export const OPERATOR = 'HIE 運用者 / HIE operator';
export const UNKNOWN = '不明 / unknown';

/** Identifiers that name no one: URLs (http:, file:, urn:...), file paths, and peers known only by address. */
export function namesNoOne(userId: string): boolean {
  const id = userId.trim();
  return (
    id === '' ||
    /^[a-z][a-z0-9+.-]*:\/\//i.test(id) ||
    /^(urn|file|mailto):/i.test(id) ||
    /^(\/|\.{1,2}\/|~\/|[A-Za-z]:[\\/]|\\\\)/.test(id) ||
    /^unknown:/.test(id) ||
    /anonymous$/i.test(id)
  );
}

export class DisplayNames {
  private readonly facilities = new Map<string, string>();
  private readonly nodes = new Map<string, { displayName?: string; facility?: string }>();

  constructor(private readonly cfg: DisplayConfig = { domains: [], nodes: [] }) {
    for (const d of cfg.domains) {
      if (!d.displayName) continue;
      for (const key of [d.namespace, d.oid, d.sourceFacility]) if (key && !this.facilities.has(key)) this.facilities.set(key, d.displayName);
    }
    for (const n of cfg.nodes) this.nodes.set(n.name, n);
  }

  static fromConfig(config: Pick<Config, 'identity' | 'nodes' | 'access'>): DisplayNames {
    return new DisplayNames({ domains: config.identity.domains, nodes: config.nodes, localName: config.access.local.enabled ? config.access.local.name : undefined });
  }

  /** A facility code (namespace, OID or a source's MSH-4) by its display name, or as it is. */
  facility(code: string): string {
    return this.facilities.get(code) ?? code;
  }

  /** The facility a node acts for, by its code. */
  facilityOfNode(name: string): string | undefined {
    return this.nodes.get(name)?.facility;
  }

  /** A configured node (or the local operator) by its display name, its facility's, or its name. */
  node(name: string): string {
    if (this.cfg.localName !== undefined && name === this.cfg.localName && !this.nodes.has(name)) return OPERATOR;
    const n = this.nodes.get(name);
    return n?.displayName ?? (n?.facility ? this.facilities.get(n.facility) : undefined) ?? name;
  }

  /** The node a participant is: `node:NAME` (the request context), or AlternativeUserID naming a configured node. */
  nodeNameOf(p: Pick<ReadParticipant, 'userId' | 'altUserId'>): string | undefined {
    if (p.userId.startsWith('node:')) return p.userId.slice(5);
    if (p.altUserId && (this.nodes.has(p.altUserId) || p.altUserId === this.cfg.localName)) return p.altUserId;
    return undefined;
  }

  /** How the report shows one participant, or undefined when it names no one. */
  user(p: Pick<ReadParticipant, 'userId' | 'altUserId' | 'userName'>): string | undefined {
    const node = this.nodeNameOf(p);
    if (node !== undefined) return this.node(node);
    // XUA names the user `alias<user@issuer>` (ITI TF-2b 3.40.4.2): the alias, or the user.
    const xua = /^(.*)<([^<>]+)>$/.exec(p.userName.trim());
    const person = xua ? xua[1].trim() || xua[2].trim() : /^SHA-256:/i.test(p.userName) ? '' : p.userName.trim();
    // HL7 v2 actors are named facility|application (ITI TF-2 3.8.5).
    const [facility, application] = p.userId.includes('|') ? p.userId.split('|', 2) : [undefined, undefined];
    const known = facility !== undefined && this.facilities.has(facility);
    const system = namesNoOne(p.userId) ? '' : known ? `${this.facility(facility!)}・${application}` : p.userId;
    if (person && system) return `${person} (${system})`;
    return person || system || undefined;
  }
}
