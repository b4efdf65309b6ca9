/**
 * Security Alert (DICOM PS3.15 A.5.3.11: EventID 110113) for a failed node authentication (ITI TF-2
 * Table 3.20.4.1.1.1-1 "Node-Authentication-failure": EventTypeCode 110126 Node Authentication): a
 * peer refused during the TLS handshake, for want of a certificate the configured CA signed. Outcome 4
 * (minor failure): the refusal was the mitigation, and it worked.
 */
import type { AuditMessage } from './auditMessage.ts';
import type { AuditService } from './auditService.ts';
import { EventIds } from './codes.ts';
import { withRequester } from './requester.ts';
import { requesterName, type RequestContext } from '../kernel/requestContext.ts';

export interface RefusedPeer {
  address: string;
  port: number;
}

export function nodeAuthenticationFailure(audit: AuditService, i: { listener: string; peer: RefusedPeer; reason: string }): AuditMessage {
  const address = i.peer.address.startsWith('::ffff:') ? i.peer.address.slice(7) : i.peer.address;
  return peerAlert(audit, {
    type: { code: '110126', codeSystemName: 'DCM', originalText: 'Node Authentication' },
    description: `TLS connection from ${address}:${i.peer.port} refused: ${i.reason}`,
    peer: { userId: address || 'unknown', address: address || undefined },
    object: i.listener,
    reason: i.reason,
  });
}

/**
 * A Security Alert about a peer refused at a network object (a listener's URI, the data folder):
 * the reporting process is this node, the performing process the peer when there is one, and the
 * object carries the reason as its Alert Description. Outcome 4: the refusal was the mitigation.
 */
export function peerAlert(
  audit: AuditService,
  a: { type: AuditMessage['eventTypeCodes'][number]; description: string; peer?: { userId: string; address?: string }; object: string; reason: string },
): AuditMessage {
  return {
    eventId: EventIds.securityAlert,
    eventActionCode: 'E',
    eventDateTime: new Date().toISOString(),
    eventOutcome: 4,
    eventOutcomeDescription: a.description,
    eventTypeCodes: [a.type],
    participants: [
      // Reporting process: this node.
      audit.applicationParticipant,
      // Performing process: the peer refused.
      ...(a.peer ? [{ userId: a.peer.userId, userIsRequestor: true, roleIdCodes: [], networkAccessPointId: a.peer.address, networkAccessPointTypeCode: '2' as const }] : []),
    ],
    source: audit.sourceIdentification,
    objects: [
      {
        id: a.object,
        typeCode: 2,
        typeCodeRole: 13,
        idTypeCode: { code: '12', codeSystemName: 'RFC-3881', originalText: 'URI' },
        details: [{ type: 'Alert Description', value: Buffer.from(a.reason, 'utf8').toString('base64') }],
      },
    ],
  };
}

/** DICOM CID 403: an attempt at a function the requester may not use. */
const UseOfRestrictedFunction = { code: '110132', codeSystemName: 'DCM', originalText: 'Use of Restricted Function' };

/**
 * Security Alert (110113) for a request refused by node authorization or consent: the requester
 * (node, user) as the performing participant, the transaction refused and why as the object.
 * Outcome 4: the refusal was the mitigation.
 */
export function authorizationFailure(audit: AuditService, ctx: RequestContext, i: { transaction: string; endpoint: string; reason: string }): AuditMessage {
  return withRequester(
    {
      eventId: EventIds.securityAlert,
      eventActionCode: 'E',
      eventDateTime: new Date().toISOString(),
      eventOutcome: 4,
      eventOutcomeDescription: `${i.transaction} refused for ${requesterName(ctx)}: ${i.reason}`,
      eventTypeCodes: [UseOfRestrictedFunction],
      participants: [audit.applicationParticipant],
      source: audit.sourceIdentification,
      objects: [
        {
          id: i.endpoint,
          typeCode: 2,
          typeCodeRole: 13,
          idTypeCode: { code: '12', codeSystemName: 'RFC-3881', originalText: 'URI' },
          details: [
            { type: 'Alert Description', value: Buffer.from(i.reason, 'utf8').toString('base64') },
            { type: 'Transaction', value: Buffer.from(i.transaction, 'utf8').toString('base64') },
          ],
        },
      ],
    },
    ctx,
  );
}
