/**
 * From received CX identifiers to the identity service's feed: each assigning authority resolved to
 * a domain (defaulted for a known source when CX-4 is empty, registered or refused when unknown, as
 * config says); token and regional IDs picked out. Shared by ITI-8 and the SS-MIX2 ADT ingest.
 */
import type { DomainDirectory } from '../identity/domainDirectory.ts';
import { IdentityError } from '../identity/errors.ts';
import type { DomainIdentifier, PatientFeed } from '../identity/service.ts';
import type { Demographics } from '../identity/types.ts';
import type { WriteTx } from '../store/types.ts';
import type { ReceivedCx } from './codec/cx.ts';

export interface FeedSource {
  application: string;
  facility: string;
}

/** A CX with where it was in the message (0-based repetition), so errors can point at it. */
export interface PositionedCx extends ReceivedCx {
  index: number;
}

export async function resolveIdentifier(
  tx: WriteTx,
  domains: DomainDirectory,
  cx: PositionedCx,
  source: FeedSource,
): Promise<DomainIdentifier> {
  let authority = cx.authority;
  if (!authority.namespace && !authority.oid) {
    const d = domains.defaultAuthorityFor(source.application, source.facility);
    if (!d) throw new IdentityError('missing-authority', 'identifier has no assigning authority and its source has no default', cx.index);
    authority = d;
  }
  return { domain: await domains.findOrRegister(tx, authority, cx.index), id: cx.id };
}

export async function toPatientFeed(
  tx: WriteTx,
  domains: DomainDirectory,
  ids: PositionedCx[],
  demographics: Demographics,
  source: FeedSource,
): Promise<PatientFeed> {
  const feed: PatientFeed = { identifiers: [], demographics };
  for (const cx of ids) {
    const resolved = await resolveIdentifier(tx, domains, cx, source);
    switch (resolved.domain.kind) {
      case 'token':
        feed.token = resolved.id;
        break;
      case 'regional':
        feed.regionalId = resolved.id;
        feed.identifiers.push(resolved);
        break;
      case 'pseudonym':
        throw new IdentityError('unknown-domain', 'organization pseudonyms are issued by this server, not fed to it', cx.index);
      default:
        feed.identifiers.push(resolved);
    }
  }
  if (feed.identifiers.length === 0) {
    throw new IdentityError('unknown-identifier', 'no patient identifier in a facility or the regional domain');
  }
  return feed;
}
