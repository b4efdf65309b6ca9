/**
 * What node authorization needs to know of an ITI-8 feed, read in the feed's write before anything is
 * resolved or registered: the facilities MSH-4 names, and each PID-3 and MRG-1 identifier's domain (an
 * unknown one is not registered) and, when on file, the regional ID of its person. Only for a node
 * restricted to some facilities: the operator's own node skips it.
 */
import { authorizeFeed, facilitiesNamed, type FacilityDomain, type FeedIdentifier, type FeedLocation } from '../../consent/feedAuthorization.ts';
import type { ErrorLocation } from '../../hl7v2/errors.ts';
import type { Hl7Request } from '../../hl7v2/transaction.ts';
import type { IdentityService } from '../../identity/service.ts';
import type { AssigningAuthority } from '../../identity/types.ts';
import type { WriteTx } from '../../store/types.ts';
import type { FeedSource, PositionedCx } from '../patientFeed.ts';
import type { Iti8Request } from './decode.ts';

export async function authorizeIti8(
  tx: WriteTx,
  identity: IdentityService,
  facilities: readonly FacilityDomain[],
  req: Hl7Request,
  request: Iti8Request,
  source: FeedSource,
): Promise<void> {
  if (req.context.node?.facilities === '*') return;
  const msh = req.message.first('MSH');
  const hd = { namespace: msh?.get(4, 1) ?? '', universalId: msh?.get(4, 2) ?? '' };
  const fact = async (cx: PositionedCx, fallback?: AssigningAuthority): Promise<FeedIdentifier> => {
    let authority: Pick<AssigningAuthority, 'namespace' | 'oid'> = cx.authority;
    if (!authority.namespace && !authority.oid) authority = identity.domains.defaultAuthorityFor(source.application, source.facility) ?? fallback ?? authority;
    const d = await identity.domains.find(tx, authority, false);
    if (!d) return { index: cx.index, id: cx.id };
    const r = d.kind === 'local' ? await identity.resolve(tx, d, cx.id) : undefined;
    return {
      index: cx.index,
      id: cx.id,
      domain: { key: d.key, kind: d.kind, name: d.namespace || d.oid },
      personRegionalId: r?.kind === 'person' ? r.person.regionalId : undefined,
    };
  };
  authorizeFeed(req.context, {
    sendingFacility: { name: hd.namespace || hd.universalId, keys: facilitiesNamed(hd, facilities) },
    identifiers: await Promise.all(request.ids.map((cx) => fact(cx))),
    // An MRG-1 without an authority is in PID-3's first domain (as the feed resolves it).
    priors: await Promise.all(request.priors.map((cx) => fact(cx, request.ids[0].authority))),
  });
}

/** Where a refused fact of the feed is in the message: MSH-4, or the PID-3 or MRG-1 repetition. */
export function locateIti8(location: unknown): ErrorLocation | undefined {
  const l = location as FeedLocation | undefined;
  if (!l) return undefined;
  if (l.part === 'sendingFacility') return { segment: 'MSH', field: 4 };
  return { segment: l.part === 'identifiers' ? 'PID' : 'MRG', field: l.part === 'identifiers' ? 3 : 1, repetition: l.index + 1 };
}
