/**
 * The XCA profile as data (ITI TF-2b 3.38, 3.39): each transaction's SOAP action, response action,
 * MTOM rule, audit event on each side, and the node roles that may call it, in one table. Only a
 * peer community's gateway (a node with the `gateway` role) calls a Responding Gateway.
 */
import type { CodedValue, EventActionCode } from '../audit/auditMessage.ts';
import { EventIds, ihe } from '../audit/codes.ts';
import type { NodeRole } from '../kernel/requestContext.ts';

export type XcaTransactionId = 'ITI-38' | 'ITI-39';

export interface XcaAuditEvent {
  eventId: CodedValue;
  action: EventActionCode;
  eventType: CodedValue;
}

export interface XcaTransactionDescriptor {
  id: XcaTransactionId;
  name: string;
  action: string;
  responseAction: string;
  mtomRequest: 'required' | 'optional';
  mtomResponse: 'always' | 'mirror';
  /** The Responding Gateway's audit event (ITI TF-2b 3.38.5.1.2, 3.39.5.1.2). */
  audit: XcaAuditEvent;
  /** The Initiating Gateway's audit event (ITI TF-2b 3.38.5.1.1, 3.39.5.1.1). */
  requesterAudit: XcaAuditEvent;
  roles: readonly NodeRole[];
}

const GATEWAYS: readonly NodeRole[] = ['gateway'];

export const XCA: Record<XcaTransactionId, XcaTransactionDescriptor> = {
  // ITI TF-2b 3.38.5.1: Query (110112), E, on both sides.
  'ITI-38': {
    id: 'ITI-38',
    name: 'Cross Gateway Query',
    action: 'urn:ihe:iti:2007:CrossGatewayQuery',
    responseAction: 'urn:ihe:iti:2007:CrossGatewayQueryResponse',
    mtomRequest: 'optional',
    mtomResponse: 'mirror',
    audit: { eventId: EventIds.query, action: 'E', eventType: ihe('ITI-38', 'Cross Gateway Query') },
    requesterAudit: { eventId: EventIds.query, action: 'E', eventType: ihe('ITI-38', 'Cross Gateway Query') },
    roles: GATEWAYS,
  },
  // ITI TF-2b 3.39.5.1: the Responding Gateway exports (110106, R), the Initiating Gateway imports (110107, C).
  // The response is an MTOM package (ITI TF-2b 3.39.4.2.2, as ITI-43).
  'ITI-39': {
    id: 'ITI-39',
    name: 'Cross Gateway Retrieve',
    action: 'urn:ihe:iti:2007:CrossGatewayRetrieve',
    responseAction: 'urn:ihe:iti:2007:CrossGatewayRetrieveResponse',
    mtomRequest: 'optional',
    mtomResponse: 'always',
    audit: { eventId: EventIds.export, action: 'R', eventType: ihe('ITI-39', 'Cross Gateway Retrieve') },
    requesterAudit: { eventId: EventIds.import, action: 'C', eventType: ihe('ITI-39', 'Cross Gateway Retrieve') },
    roles: GATEWAYS,
  },
};
