/**
 * Node authorization of the HL7 v2 transactions (issue 14): who may feed patients (ITI-8), share
 * clinical messages (the SS-MIX2 clinical feed) and query (ITI-9, ITI-21, QCN^J01). Pure decisions on
 * typed facts: the request context, the feed's identifiers as domains, the facility the sender names.
 * Each refusal is an AccessDenied whose location says which fact was refused; the HL7 edge turns it
 * into an ACK AR and audits it.
 */
import { domainKey, type DomainKind } from '../identity/types.ts';
import { requesterName, type NodeRole, type RequestContext } from '../kernel/requestContext.ts';
import { AccessDenied } from './errors.ts';

/** Patient identity feeds and clinical feeds. */
export const FEED_ROLES: readonly NodeRole[] = ['source'];
/** PIX and PDQ queries and their cancel. */
export const QUERY_ROLES: readonly NodeRole[] = ['consumer', 'gateway'];

/**
 * Every transaction: the peer must be a configured node (or the local identity), and hold one of the
 * roles the transaction needs.
 */
export function authorizeTransaction(ctx: RequestContext, transaction: string, roles: readonly NodeRole[] | undefined): void {
  const node = ctx.node;
  if (!node) {
    const who = ctx.certificate ? `certificate ${ctx.certificate.subject}` : `peer ${ctx.address || ctx.transport}`;
    throw new AccessDenied('unknown-node', `${who} is not a configured node`);
  }
  if (roles && roles.length > 0 && !roles.some((r) => node.roles.has(r))) {
    throw new AccessDenied('role', `node ${node.name} may not use ${transaction}: it needs the role ${roles.join(' or ')}`);
  }
}

/** An identifier domain as config knows it: what the sender's facility field may name. */
export interface FacilityDomain {
  key: string;
  namespace: string;
  oid: string;
  sourceFacility?: string;
}

/** A facility as an HL7 HD names it (MSH-4): namespace id and universal id. */
export interface NamedFacility {
  namespace: string;
  universalId: string;
}

/** The domain keys of the facilities a sending facility (MSH-4) names: by namespace, by OID, or by the domain's sourceFacility. */
export function facilitiesNamed(hd: NamedFacility, domains: readonly FacilityDomain[]): string[] {
  return domains
    .filter(
      (d) =>
        (hd.universalId !== '' && d.oid === hd.universalId) ||
        (hd.namespace !== '' && (d.namespace === hd.namespace || d.sourceFacility === hd.namespace)),
    )
    .map((d) => d.key);
}

/** One identifier of a feed, resolved against the known domains without registering anything. */
export interface FeedIdentifier {
  /** 0-based repetition in its list. */
  index: number;
  id: string;
  /** Its domain; undefined when the server knows no such assigning authority. */
  domain?: { key: string; kind: DomainKind; name: string };
  /** For an identifier already on file: the regional ID of the person it belongs to (after merges). */
  personRegionalId?: string;
}

export interface FeedFacts {
  /** The sending facility as received (for messages) and the domain keys it names. */
  sendingFacility: { name: string; keys: readonly string[] };
  /** The patient's identifiers (PID-3). */
  identifiers: readonly FeedIdentifier[];
  /** The prior identifiers of a merge (MRG-1). */
  priors: readonly FeedIdentifier[];
}

/** Where a refused fact is, in the terms of FeedFacts. */
export type FeedLocation = { part: 'sendingFacility' } | { part: 'identifiers' | 'priors'; index: number };

/**
 * A patient identity feed (ITI-8, ITI TF-2 3.8): a restricted node feeds only as one of its own
 * facilities, and only identifiers of its facilities' domains or the medical-field token. A regional
 * ID is accepted only as the one the person already holds whose local ID, of the node's facility, is
 * in the same list: otherwise a node could attach its ID to another facility's person through it.
 */
export function authorizeFeed(ctx: RequestContext, facts: FeedFacts): void {
  const node = ctx.node;
  if (!node) throw new AccessDenied('unknown-node', `${requesterName(ctx)} is not a configured node`);
  const own = node.facilities;
  if (own === '*') return;
  const who = `node ${node.name}`;
  if (!facts.sendingFacility.keys.some((k) => own.includes(k))) {
    throw new AccessDenied('facility', `${who} does not act for sending facility '${facts.sendingFacility.name}'`, { part: 'sendingFacility' } satisfies FeedLocation);
  }
  for (const part of ['identifiers', 'priors'] as const) {
    const list = facts[part];
    const ownPersons = new Set(
      list.filter((i) => i.domain?.kind === 'local' && own.includes(i.domain.key) && i.personRegionalId).map((i) => i.personRegionalId),
    );
    for (const i of list) {
      const at: FeedLocation = { part, index: i.index };
      const d = i.domain;
      if (!d) throw new AccessDenied('facility', `${who} may not feed identifiers of an unknown assigning authority`, at);
      if (d.kind === 'token') continue;
      if (d.kind === 'local' && own.includes(d.key)) continue;
      if (d.kind === 'regional') {
        if (ownPersons.has(i.id)) continue;
        throw new AccessDenied('facility', `${who} may feed a regional ID only with its own local ID of the same patient`, at);
      }
      throw new AccessDenied('facility', `${who} may not feed identifiers of ${d.name}: not its facility`, at);
    }
  }
}

/** A clinical feed (SS-MIX2 over MLLP): the facility the message names must be one of the node's. */
export function authorizeFacility(ctx: RequestContext, facility: { key: string; name: string }): void {
  const node = ctx.node;
  if (!node) throw new AccessDenied('unknown-node', `${requesterName(ctx)} is not a configured node`);
  if (node.facilities === '*' || node.facilities.includes(facility.key)) return;
  throw new AccessDenied('facility', `node ${node.name} does not act for facility '${facility.name}'`, { part: 'sendingFacility' } satisfies FeedLocation);
}

/** Config identity.domains as the facilities a sending facility field may name. */
export function facilityDomains(domains: readonly { namespace: string; oid: string; sourceFacility?: string }[]): FacilityDomain[] {
  return domains.map((d) => ({ key: domainKey(d), namespace: d.namespace, oid: d.oid, sourceFacility: d.sourceFacility }));
}
