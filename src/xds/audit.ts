/**
 * The audit messages of the XDS actors (ITI TF-2a 3.18.5, TF-2b 3.41.5, 3.42.5, 3.43.5, 3.57.5,
 * 3.62.5): the SOAP requester and responder as Source and Destination, named by the wsa:ReplyTo
 * address and the endpoint URI, the node and user who asked (audit/requester.ts), the patient, and the
 * submission set, query or documents.
 */
import os from 'node:os';
import type { ActiveParticipant, AuditMessage, EventOutcome, ParticipantObject } from '../audit/auditMessage.ts';
import type { AuditService } from '../audit/auditService.ts';
import { EventIds, Roles } from '../audit/codes.ts';
import { patientObject } from '../audit/hl7v2Audit.ts';
import { withRequester } from '../audit/requester.ts';
import type { RequestContext } from '../kernel/requestContext.ts';
import { ObjectTypes } from './registry/schemes.ts';
import type { XdsTransactionDescriptor } from './transactions.ts';

const ANONYMOUS = 'http://www.w3.org/2005/08/addressing/anonymous';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function nap(address: string): Pick<ActiveParticipant, 'networkAccessPointId' | 'networkAccessPointTypeCode'> {
  const a = (address.startsWith('::ffff:') ? address.slice(7) : address).replace(/^\[|\]$/g, '');
  if (!a) return {};
  return { networkAccessPointId: a, networkAccessPointTypeCode: /^[\d.]+$/.test(a) || a.includes(':') ? '2' : '1' };
}

/**
 * Who sent an XDS request, as its audit names them: the wsa:ReplyTo address, the peer's address and
 * the endpoint URL it called, and the request context (node, user). A SoapRequest is one.
 */
export interface XdsRequester {
  replyTo?: string;
  peer: { address: string; endpoint: string };
  context?: RequestContext;
}

export interface XdsAuditInput {
  /** The transaction's audit event (an XDS descriptor, or XCA's: the same message shape, ITI TF-2b 3.38.5, 3.39.5). */
  tx: Pick<XdsTransactionDescriptor, 'audit'>;
  req: XdsRequester;
  outcome: EventOutcome;
  outcomeDescription?: string;
  patientId?: string;
  objects: ParticipantObject[];
  /** ITI-43: this server is the Source (it exports); otherwise the requester is. */
  selfIsSource?: boolean;
}

/** A RegistryResponse status as an audit EventOutcomeIndicator (DICOM PS3.15 A.5.1): success, minor or serious failure. */
export function outcomeOfResponseStatus(status: 'Success' | 'PartialSuccess' | 'Failure'): EventOutcome {
  return status === 'Success' ? 0 : status === 'PartialSuccess' ? 4 : 8;
}

export function xdsAudit(audit: AuditService, i: XdsAuditInput): AuditMessage {
  const requester: ActiveParticipant = {
    userId: i.req.replyTo || ANONYMOUS,
    userIsRequestor: true,
    roleIdCodes: [i.selfIsSource ? Roles.destination : Roles.source],
    ...nap(i.req.peer.address),
  };
  const self: ActiveParticipant = {
    userId: i.req.peer.endpoint,
    alternativeUserId: audit.processId,
    userIsRequestor: false,
    roleIdCodes: [i.selfIsSource ? Roles.source : Roles.destination],
  };
  const objects = [...(i.patientId ? [patientObject(i.patientId)] : []), ...i.objects];
  const m: AuditMessage = {
    eventId: i.tx.audit.eventId,
    eventActionCode: i.tx.audit.action,
    eventDateTime: new Date().toISOString(),
    eventOutcome: i.outcome,
    eventOutcomeDescription: i.outcomeDescription,
    eventTypeCodes: [i.tx.audit.eventType],
    participants: i.selfIsSource ? [self, requester] : [requester, self],
    source: audit.sourceIdentification,
    objects,
  };
  // The node of the connection (its certificate) and the XUA user, besides the WS-Addressing requester.
  return i.req.context ? withRequester(m, i.req.context) : m;
}

/**
 * This server as the requester of an XDS transaction it sends (the repository's ITI-42 to a remote
 * registry, ITI TF-2b 3.42.5.1.1): Export, with this node as Source (UserID its wsa:ReplyTo, the
 * anonymous address) and the remote endpoint as Destination.
 */
export function xdsRequestAudit(audit: AuditService, i: { tx: XdsTransactionDescriptor; endpoint: string; outcome: EventOutcome; outcomeDescription?: string; patientId?: string; objects: ParticipantObject[] }): AuditMessage {
  const self: ActiveParticipant = { userId: ANONYMOUS, alternativeUserId: audit.processId, userIsRequestor: true, roleIdCodes: [Roles.source], ...nap(os.hostname()) };
  const remote: ActiveParticipant = { userId: i.endpoint, userIsRequestor: false, roleIdCodes: [Roles.destination], ...nap(new URL(i.endpoint).hostname) };
  return {
    eventId: EventIds.export,
    eventActionCode: 'R',
    eventDateTime: new Date().toISOString(),
    eventOutcome: i.outcome,
    eventOutcomeDescription: i.outcomeDescription,
    eventTypeCodes: [i.tx.audit.eventType],
    participants: [self, remote],
    source: audit.sourceIdentification,
    objects: [...(i.patientId ? [patientObject(i.patientId)] : []), ...i.objects],
  };
}

/** The SubmissionSet (ITI TF-2b 3.41.5.1.2): type 2, role 20 (job), its uniqueId. */
export function submissionSetObject(uniqueId: string): ParticipantObject {
  return {
    id: uniqueId,
    typeCode: 2,
    typeCodeRole: 20,
    idTypeCode: { code: ObjectTypes.submissionSet, codeSystemName: 'IHE XDS Metadata', originalText: 'submission set classificationNode' },
  };
}

/** A document (ITI TF-2b 3.43.5.1.2): type 2, role 3 (report), its uniqueId, the repository and community. */
export function documentObject(uniqueId: string, repositoryUniqueId: string, homeCommunityId?: string): ParticipantObject {
  return {
    id: uniqueId,
    typeCode: 2,
    typeCodeRole: 3,
    idTypeCode: { code: '9', codeSystemName: 'RFC-3881', originalText: 'Report Number' },
    details: [
      { type: 'Repository Unique Id', value: b64(repositoryUniqueId) },
      ...(homeCommunityId ? [{ type: 'ihe:homeCommunityID', value: b64(homeCommunityId) }] : []),
    ],
  };
}

/** A registry object removed (ITI TF-2b 3.62.5.1): type 2 (system), role 3 (report), its entryUUID as a registry object reference. */
export function registryObject(uuid: string): ParticipantObject {
  return { id: uuid, typeCode: 2, typeCodeRole: 3, idTypeCode: { code: 'urn:ihe:iti:2017:ObjectRef', codeSystemName: 'IHE XDS Metadata', originalText: 'registry object reference' } };
}

/** The stored query (ITI TF-2a 3.18.5.1.2): type 2, role 24, the query id, the request in base64. */
export function storedQueryObject(queryId: string, requestXml: string, homeCommunityId?: string): ParticipantObject {
  return {
    id: queryId,
    typeCode: 2,
    typeCodeRole: 24,
    idTypeCode: { code: 'ITI-18', codeSystemName: 'IHE Transactions', originalText: 'Registry Stored Query' },
    query: b64(requestXml),
    details: [
      { type: 'QueryEncoding', value: b64('UTF-8') },
      ...(homeCommunityId ? [{ type: 'urn:ihe:iti:xca:2010:homeCommunityId', value: b64(homeCommunityId) }] : []),
    ],
  };
}

