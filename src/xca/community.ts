/**
 * The community directory (config xca.communities): this region's homeCommunityId and each peer
 * region, with the identity its link keys patients on: the medical-field token (the default: the
 * communities share the token's assigning authority) or the link's own organization pseudonym of the
 * token (an identity.pseudonymDomains entry, so that what one link sees cannot be joined with what
 * another link sees).
 */
import type { DomainDirectory, PseudonymDomain } from '../identity/domainDirectory.ts';
import type { Domain } from '../identity/types.ts';
import type { CommunityConfig, XcaConfig } from '../kernel/config.ts';

/** How patients are named on one link: the domain whose IDs cross it. */
export type LinkIdentity = { mode: 'token'; domain: Domain } | { mode: 'pseudonym'; domain: PseudonymDomain };

export interface Community extends CommunityConfig {
  link: LinkIdentity;
}

export class CommunityDirectory {
  readonly peers: readonly Community[];
  private readonly byId: Map<string, Community>;

  constructor(
    readonly homeCommunityId: string,
    cfg: XcaConfig,
    private readonly domains: DomainDirectory,
  ) {
    this.peers = cfg.communities.map((c) => ({ ...c, link: this.linkOf(c) }));
    this.byId = new Map(this.peers.map((p) => [p.homeCommunityId, p]));
    if (this.byId.has(homeCommunityId)) throw new Error(`xca.communities: ${homeCommunityId} is this region's own homeCommunityId`);
    if (this.byId.size !== this.peers.length) throw new Error('xca.communities: a homeCommunityId is listed twice');
  }

  private linkOf(c: CommunityConfig): LinkIdentity {
    if (c.identity.mode === 'token') return { mode: 'token', domain: this.domains.token };
    const name = c.identity.pseudonymDomain;
    const d = this.domains.pseudonyms.find((p) => p.namespace === name || p.oid === name);
    if (!d) throw new Error(`xca.communities ${c.name}: identity.pseudonymDomain '${name ?? ''}' is not an identity.pseudonymDomains entry`);
    return { mode: 'pseudonym', domain: d };
  }

  peer(homeCommunityId: string): Community | undefined {
    return this.byId.get(homeCommunityId);
  }

  /** The identity of the link with a peer; a peer not in the directory is keyed on the token. */
  linkWith(homeCommunityId: string | undefined): LinkIdentity {
    return (homeCommunityId && this.byId.get(homeCommunityId)?.link) || { mode: 'token', domain: this.domains.token };
  }
}
