/**
 * The audit messages of the XCA gateways (ITI TF-2b 3.38.5, 3.39.5). The Responding Gateway's are
 * those of the XDS actors with the XCA event (xds/audit.ts `xdsAudit` with the XCA descriptor): the
 * Initiating Gateway as Source of a query and Destination of a retrieve, this server the other end,
 * the node and user who asked (`withRequester`). The Initiating Gateway's, one per peer asked, are
 * built here: this server the requester, the peer's endpoint the other end.
 */
import os from 'node:os';
import type { ActiveParticipant, AuditMessage, EventOutcome, ParticipantObject } from '../audit/auditMessage.ts';
import type { AuditService } from '../audit/auditService.ts';
import { Roles } from '../audit/codes.ts';
import { patientObject } from '../audit/hl7v2Audit.ts';
import { withRequester } from '../audit/requester.ts';
import type { RequestContext } from '../kernel/requestContext.ts';
import type { Store } from '../store/types.ts';
import type { XcaTransactionDescriptor } from './transactions.ts';

const ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The Query Parameters object of ITI-38 (ITI TF-2b 3.38.5.1.2): the stored query id, the request, the homeCommunityId. */
export function crossGatewayQueryObject(queryId: string, requestXml: string, homeCommunityId: string | undefined): ParticipantObject {
  return {
    id: queryId,
    typeCode: 2,
    typeCodeRole: 24,
    idTypeCode: { code: 'ITI-38', codeSystemName: 'IHE Transactions', originalText: 'Cross Gateway Query' },
    query: b64(requestXml),
    details: [{ type: 'QueryEncoding', value: b64('UTF-8') }, ...(homeCommunityId ? [{ type: 'urn:ihe:iti:xca:2010:homeCommunityId', value: b64(homeCommunityId) }] : [])],
  };
}

function nap(host: string): Pick<ActiveParticipant, 'networkAccessPointId' | 'networkAccessPointTypeCode'> {
  const a = host.replace(/^\[|\]$/g, '');
  if (!a) return {};
  return { networkAccessPointId: a, networkAccessPointTypeCode: /^[\d.]+$/.test(a) || a.includes(':') ? '2' : '1' };
}

export interface InitiatingAuditInput {
  tx: XcaTransactionDescriptor;
  /** The peer Responding Gateway's endpoint. */
  endpoint: string;
  outcome: EventOutcome;
  outcomeDescription?: string;
  patientId?: string;
  objects: ParticipantObject[];
  /** The local consumer's request the gateway acts for: its node and user are named too. */
  context: RequestContext;
}

/**
 * The Initiating Gateway's record of one ITI-38 or ITI-39 it sent (ITI TF-2b 3.38.5.1.1, 3.39.5.1.1):
 * for a query this server is the Source and the peer the Destination; for a retrieve the peer is the
 * Source of what this server imports.
 */
export function initiatingGatewayAudit(audit: AuditService, i: InitiatingAuditInput): AuditMessage {
  const importing = i.tx.id === 'ITI-39';
  const self: ActiveParticipant = { userId: ANONYMOUS, alternativeUserId: audit.processId, userIsRequestor: true, roleIdCodes: [importing ? Roles.destination : Roles.source], ...nap(os.hostname()) };
  const peer: ActiveParticipant = { userId: i.endpoint, userIsRequestor: false, roleIdCodes: [importing ? Roles.source : Roles.destination], ...nap(new URL(i.endpoint).hostname) };
  const m: AuditMessage = {
    eventId: i.tx.requesterAudit.eventId,
    eventActionCode: i.tx.requesterAudit.action,
    eventDateTime: new Date().toISOString(),
    eventOutcome: i.outcome,
    eventOutcomeDescription: i.outcomeDescription,
    eventTypeCodes: [i.tx.requesterAudit.eventType],
    participants: importing ? [peer, self] : [self, peer],
    source: audit.sourceIdentification,
    objects: [...(i.patientId ? [patientObject(i.patientId)] : []), ...i.objects],
  };
  return withRequester(m, i.context);
}

/** Records the audit messages of one gateway request in one write (one commit instead of one per peer). */
export async function recordAll(audit: AuditService, store: Store, messages: AuditMessage[]): Promise<void> {
  await store.write(async (tx) => {
    for (const m of messages) await audit.recordIn(tx, m);
  });
  audit.onQueued?.();
}
