/**
 * A patient's documents held in peer communities, for the console's document lists (issue 19): the
 * Initiating Gateway's fan-out (ITI TF-2b 3.38) of a FindDocuments stored query for the patient's
 * approved documents, each peer asked with the link's key of the patient's token, within its timeout.
 * The token is read through the requester's scoped reader (a patient this requester may not see is
 * asked of no peer), each peer applies its own consent, and every call is audited (ITI-38 as
 * requester) as the gateway's ITI-18 face does. A peer that fails is given back with its errors,
 * never dropped.
 */
import type { AuditService } from '../audit/auditService.ts';
import { readScoped, type ScopedReadDeps } from '../consent/scopedReader.ts';
import type { RegistryError } from '../ebxml/registryResponse.ts';
import type { ExtrinsicObject } from '../ebxml/rim.ts';
import type { RequestContext } from '../kernel/requestContext.ts';
import type { AdhocQuery } from './adhocQuery.ts';
import { recordAll } from './audit.ts';
import { askPeer, crossGatewayQuery } from './peers/askPeer.ts';
import { tokenOf } from './peers/crossIdentity.ts';
import type { PeerGateway } from './peers/peerGateway.ts';

export const FIND_DOCUMENTS = 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d';
const APPROVED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved';

export interface PeerDocumentsDeps extends ScopedReadDeps {
  audit: AuditService;
  peers: readonly PeerGateway[];
  /** The XDS affinity domain's OID: the regional ID's assigning authority. */
  affinityDomainOid: string;
}

/** One peer community's answer about the patient. */
export interface CommunityDocuments {
  name: string;
  homeCommunityId: string;
  documents: ExtrinsicObject[];
  errors: RegistryError[];
  failed: boolean;
}

export class PeerDocuments {
  constructor(private readonly deps: PeerDocumentsDeps) {}

  get configured(): boolean {
    return this.deps.peers.length > 0;
  }

  /**
   * Every peer's approved documents of the patient with this regional ID; empty when no peer is
   * configured, or the patient (as this requester may see them) has no token to cross a link with.
   */
  async findDocuments(ctx: RequestContext, regionalId: string): Promise<CommunityDocuments[]> {
    if (!this.configured) return [];
    const patientId = `${regionalId}^^^&${this.deps.affinityDomainOid}&ISO`;
    const token = await readScoped(this.deps, ctx, 'ITI-38', (reader) => tokenOf(reader, patientId));
    if (!token) return [];
    const query: AdhocQuery = {
      queryId: FIND_DOCUMENTS,
      returnType: 'LeafClass',
      parameters: [
        { name: '$XDSDocumentEntryPatientId', values: [`'${patientId}'`] },
        { name: '$XDSDocumentEntryStatus', values: [`('${APPROVED}')`] },
      ],
    };
    const requestXml = crossGatewayQuery(query, '');
    const asked = await Promise.all(this.deps.peers.map((p) => askPeer(this.deps.audit, p, { query, token, patientId, requestXml, context: ctx })));
    await recordAll(this.deps.audit, this.deps.store, asked.map((a) => a.audit));
    return asked.map(({ part }, i) => ({
      name: this.deps.peers[i]!.community.name,
      homeCommunityId: part.home,
      documents: part.objects.filter((o): o is ExtrinsicObject => o.type === 'ExtrinsicObject'),
      errors: part.errors,
      failed: part.failed,
    }));
  }
}
