/**
 * One peer's part of an Initiating Gateway query (ITI TF-2b 3.38): the consumer's query sent to the
 * peer's Responding Gateway with the patient keyed on the link's identity, its answer (objects with
 * their homeCommunityId, errors located at the peer), and the ITI-38 audit message of the call as
 * requester. A peer that does not know the patient holds nothing of theirs: not a failing community.
 * Used by the gateway's ITI-18 face and by the console's lists of a patient's documents.
 */
import type { AuditMessage } from '../../audit/auditMessage.ts';
import type { AuditService } from '../../audit/auditService.ts';
import { encodeSlots } from '../../ebxml/encode.ts';
import type { RegistryError } from '../../ebxml/registryResponse.ts';
import type { Identifiable } from '../../ebxml/rim.ts';
import type { RequestContext } from '../../kernel/requestContext.ts';
import { NS } from '../../soap/namespaces.ts';
import { escapeAttr } from '../../xml/write.ts';
import type { AdhocQuery } from '../adhocQuery.ts';
import { crossGatewayQueryObject, initiatingGatewayAudit } from '../audit.ts';
import { XCA } from '../transactions.ts';
import { linkPatientId, withPatient } from './crossIdentity.ts';
import type { PeerGateway } from './peerGateway.ts';

/** One community's part of the answer. */
export interface Part {
  home: string;
  objects: Identifiable[];
  errors: RegistryError[];
  /** The community gave no answer, or answered Failure. */
  failed: boolean;
}

/** The AdhocQueryRequest; `home` empty: for no particular community (a consumer's ITI-18). */
export function crossGatewayQuery(q: AdhocQuery, home: string, parameters = q.parameters): string {
  return (
    `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}"><query:ResponseOption returnType="${q.returnType}" returnComposedObjects="true"/>` +
    `<rim:AdhocQuery id="${escapeAttr(q.queryId)}"${home ? ` home="${escapeAttr(home)}"` : ''}>${encodeSlots(parameters)}</rim:AdhocQuery></query:AdhocQueryRequest>`
  );
}

export interface PeerAsk {
  query: AdhocQuery;
  /** The patient's token, when the query names a patient the requester may see. */
  token?: string;
  /** The patient as the consumer named it (the regional ID): what audit messages and errors show. */
  patientId?: string;
  /** The consumer's request, for the audit message's query object. */
  requestXml: string;
  context: RequestContext;
}

export async function askPeer(audit: AuditService, p: PeerGateway, a: PeerAsk): Promise<{ part: Part; audit: AuditMessage }> {
  const { query: q, token, patientId } = a;
  const linkKey = token ? linkPatientId(p.community.link, token) : undefined;
  const params = linkKey ? withPatient(q.parameters, linkKey) : q.parameters;
  const body = crossGatewayQuery(q, p.homeCommunityId, params);
  let part: Part;
  try {
    const answer = await p.query(body, a.context);
    // `home` as the peer wrote it (ITI TF-2b 3.38.4.1.2.1), its own homeCommunityId where it wrote none.
    const objects = answer.objects.map((o) => ({ ...o, home: o.home || p.homeCommunityId }));
    // The link's key never reaches the consumer: a peer's words name the patient by the regional ID.
    const hide = (t: string) => (linkKey && patientId ? t.split(linkKey).join(patientId).split(linkKey.split('^')[0]).join(patientId) : t);
    const errors = answer.errors.map((x) => ({ ...x, codeContext: hide(x.codeContext), location: p.homeCommunityId }));
    const unknownPatient = answer.status === 'Failure' && errors.length > 0 && errors.every((x) => x.errorCode === 'XDSUnknownPatientId');
    part = unknownPatient ? { home: p.homeCommunityId, objects: [], errors: [], failed: false } : { home: p.homeCommunityId, objects, errors, failed: answer.status === 'Failure' };
  } catch (e) {
    part = { home: p.homeCommunityId, objects: [], errors: [{ errorCode: 'XDSUnavailableCommunity', codeContext: e instanceof Error ? e.message : String(e), location: p.homeCommunityId, severity: 'Error' }], failed: true };
  }
  const message = initiatingGatewayAudit(audit, {
    tx: XCA['ITI-38'],
    endpoint: p.community.queryUrl,
    outcome: part.failed ? 8 : part.errors.length ? 4 : 0,
    outcomeDescription: part.errors.map((x) => x.errorCode).join(' ') || undefined,
    patientId,
    // The query as the consumer sent it: the regional ID, not the link's key.
    objects: [crossGatewayQueryObject(q.queryId, a.requestXml, p.homeCommunityId)],
    context: a.context,
  });
  return { part, audit: message };
}
