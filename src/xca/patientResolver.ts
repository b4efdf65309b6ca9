/**
 * How a Responding Gateway names the patient of a Cross Gateway Query (ITI TF-2b 3.38.4.1.2): by the
 * identity of the requesting community's link (community.ts): the medical-field token, or the
 * link's own pseudonym of it, resolved through the pseudonym index; a token link may also name the
 * patient by this region's regional ID (as XCPD would have told it). Anything else, a patient not
 * known, or one the requester may not see, is XDSUnknownPatientId (ITI TF-2b 3.38.4.1.3): the three
 * answers are the same, so that the answer reveals nothing.
 */
import type { ScopedReader } from '../consent/scopedReader.ts';
import { XdsError } from '../xds/registry/errors.ts';
import { parsePatientCx } from '../xds/registry/metadata.ts';
import type { PatientResolver } from '../xds/query/patientResolver.ts';
import type { CommunityDirectory } from './community.ts';

export class CommunityPatientResolver implements PatientResolver {
  /** The regional ID (CX) of the last patient resolved: what an audit message names instead of the token or a pseudonym. */
  regionalPid?: string;

  constructor(private readonly communities: CommunityDirectory) {}

  async resolve(reader: ScopedReader, patientId: string): Promise<number> {
    // The answer does not echo the ID: it may be the link's key (the token or a pseudonym).
    const unknown = () => new XdsError('XDSUnknownPatientId', `the patient named is not known to community ${this.communities.homeCommunityId}`);
    const cx = parsePatientCx(patientId);
    if (!cx) throw unknown();
    // The link is the connection's (the node's community), not a claim of the user's assertion.
    const link = this.communities.linkWith(reader.ctx.node?.homeCommunityId);
    let domain = cx.oid === link.domain.oid ? link.domain : undefined;
    if (!domain && link.mode === 'token' && cx.oid === reader.domains.regional.oid) domain = reader.domains.regional;
    if (!domain) throw unknown();
    const r = link.mode === 'pseudonym' ? await reader.resolvePseudonym(link.domain, cx.id) : await reader.resolve(domain, cx.id, { subsumed: 'unknown' });
    if (r.kind !== 'person') throw unknown();
    this.regionalPid = `${r.person.regionalId}^^^&${reader.domains.regional.oid}&ISO`;
    return r.person.id;
  }
}
