/**
 * A patient's documents held in peer communities, for the console's document lists (issue 19): the
 * Initiating Gateway's fan-out (ITI TF-2b 3.38) of a FindDocuments stored query for the patient's
 * approved documents, each peer asked with the link's key of the patient's token, within its timeout.
 * The token is read through the requester's scoped reader (a patient this requester may not see is
 * asked of no peer), each peer applies its own consent, and every call is audited (ITI-38 as
 * requester) as the gateway's ITI-18 face does. A peer that fails is given back with its errors,
 * never dropped. One of those documents is opened as the Initiating Gateway retrieves it for a local
 * consumer's ITI-43 naming its HomeCommunityId: one ITI-39 to that peer (peers/retrievePeer.ts),
 * after the same query to that peer alone has shown the document to be this patient's.
 */
import type { AuditService } from '../audit/auditService.ts';
import { readScoped, type ScopedReadDeps } from '../consent/scopedReader.ts';
import type { RegistryError } from '../ebxml/registryResponse.ts';
import { slotValue, type ExtrinsicObject } from '../ebxml/rim.ts';
import type { RequestContext } from '../kernel/requestContext.ts';
import { DocumentEntrySchemes } from '../xds/registry/schemes.ts';
import type { AdhocQuery } from './adhocQuery.ts';
import { recordAll } from './audit.ts';
import { askPeer, crossGatewayQuery } from './peers/askPeer.ts';
import { retrieveFromPeer } from './peers/retrievePeer.ts';
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

/** A peer's document opened: its entry and bytes, or the community's failure with its errors. */
export type OpenedPeerDocument =
  | { found: true; name: string; homeCommunityId: string; entry: ExtrinsicObject; mimeType: string; data: Buffer }
  | { found: false; name: string; homeCommunityId: string; errors: RegistryError[] };

export class PeerDocuments {
  constructor(private readonly deps: PeerDocumentsDeps) {}

  get configured(): boolean {
    return this.deps.peers.length > 0;
  }

  /**
   * Every peer's approved documents of the patient with this regional ID; empty when no peer is
   * configured, or the patient (as this requester may see them) has no token to cross a link with.
   */
  async findDocuments(ctx: RequestContext, regionalId: string, only?: readonly PeerGateway[]): Promise<CommunityDocuments[]> {
    if (!this.configured) return [];
    const peers = only ?? this.deps.peers;
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
    const asked = await Promise.all(peers.map((p) => askPeer(this.deps.audit, p, { query, token, patientId, requestXml, context: ctx })));
    await recordAll(this.deps.audit, this.deps.store, asked.map((a) => a.audit));
    return asked.map(({ part }, i) => ({
      name: peers[i]!.community.name,
      homeCommunityId: part.home,
      documents: part.objects.filter((o): o is ExtrinsicObject => o.type === 'ExtrinsicObject'),
      errors: part.errors,
      failed: part.failed,
    }));
  }

  /**
   * The patient's document with this uniqueId held by the peer with this homeCommunityId; undefined
   * when no such peer is configured or the peer does not list it among the patient's documents.
   */
  async open(ctx: RequestContext, regionalId: string, homeCommunityId: string, documentUniqueId: string): Promise<OpenedPeerDocument | undefined> {
    const peer = this.deps.peers.find((p) => p.homeCommunityId === homeCommunityId);
    if (!peer) return undefined;
    const [listed] = await this.findDocuments(ctx, regionalId, [peer]);
    if (!listed) return undefined;
    const name = peer.community.name;
    if (listed.failed) return { found: false, name, homeCommunityId, errors: listed.errors };
    const entry = listed.documents.find((o) => o.externalIdentifiers.some((x) => x.identificationScheme === DocumentEntrySchemes.uniqueId && x.value.trim() === documentUniqueId));
    if (!entry) return undefined;
    const repositoryUniqueId = slotValue(entry, 'repositoryUniqueId') ?? '';
    const { part, audit } = await retrieveFromPeer(this.deps.audit, peer, [{ homeCommunityId, repositoryUniqueId, documentUniqueId }], ctx);
    await recordAll(this.deps.audit, this.deps.store, [audit]);
    const doc = part.documents.find((d) => d.documentUniqueId === documentUniqueId);
    if (!doc) return { found: false, name, homeCommunityId, errors: part.errors };
    return { found: true, name, homeCommunityId, entry, mimeType: doc.mimeType || entry.mimeType || 'application/octet-stream', data: Buffer.concat(doc.content.data) };
  }
}
