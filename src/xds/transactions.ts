/**
 * The XDS.b profile as data (cf. ITI TF-2x V.3 and each transaction's message semantics): every
 * transaction's SOAP action, response action, endpoint, MTOM rule, audit event and the node roles
 * that may call it, in one table.
 */
import type { CodedValue, EventActionCode } from '../audit/auditMessage.ts';
import { EventIds, ihe } from '../audit/codes.ts';
import type { NodeRole } from '../kernel/requestContext.ts';

export type XdsTransactionId = 'ITI-18' | 'ITI-41' | 'ITI-42' | 'ITI-43' | 'ITI-57' | 'ITI-62';

export interface XdsTransactionDescriptor {
  id: XdsTransactionId;
  name: string;
  action: string;
  responseAction: string;
  endpoint: 'registry' | 'repository';
  mtomRequest: 'required' | 'optional';
  mtomResponse: 'always' | 'mirror';
  audit: { eventId: CodedValue; action: EventActionCode; eventType: CodedValue };
  /** Issue 14: the node roles any of which may call it (the SOAP edge refuses other nodes). */
  roles: readonly NodeRole[];
}

/** Reads: a Document Consumer, or a peer region's gateway (XCA). */
const READERS: readonly NodeRole[] = ['consumer', 'gateway'];
/** Changes: a Document Source (feeds and submits). */
const SOURCES: readonly NodeRole[] = ['source'];

const Import = EventIds.import;
const Export = EventIds.export;

const t = (
  id: XdsTransactionId,
  name: string,
  action: string,
  endpoint: XdsTransactionDescriptor['endpoint'],
  mtomRequest: XdsTransactionDescriptor['mtomRequest'],
  mtomResponse: XdsTransactionDescriptor['mtomResponse'],
  eventId: CodedValue,
  auditAction: EventActionCode,
  roles: readonly NodeRole[],
): XdsTransactionDescriptor => ({
  id,
  name,
  action,
  responseAction: `${action}Response`,
  endpoint,
  mtomRequest,
  mtomResponse,
  audit: { eventId, action: auditAction, eventType: ihe(id, name) },
  roles,
});

export const XDS: Record<XdsTransactionId, XdsTransactionDescriptor> = {
  // ITI TF-2a 3.18.5.1: Query, E.
  'ITI-18': t('ITI-18', 'Registry Stored Query', 'urn:ihe:iti:2007:RegistryStoredQuery', 'registry', 'optional', 'mirror', EventIds.query, 'E', READERS),
  // ITI TF-2b 3.41.5.1: Import, C; the request is an MTOM package (ITI TF-2b 3.41.4.1.2).
  'ITI-41': t('ITI-41', 'Provide and Register Document Set-b', 'urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b', 'repository', 'required', 'mirror', Import, 'C', SOURCES),
  // ITI TF-2b 3.42.5.1: Import, C.
  'ITI-42': t('ITI-42', 'Register Document Set-b', 'urn:ihe:iti:2007:RegisterDocumentSet-b', 'registry', 'optional', 'mirror', Import, 'C', SOURCES),
  // ITI TF-2b 3.43.5.1: Export, R; the response is an MTOM package (ITI TF-2b 3.43.4.2.2).
  'ITI-43': t('ITI-43', 'Retrieve Document Set', 'urn:ihe:iti:2007:RetrieveDocumentSet', 'repository', 'optional', 'always', Export, 'R', READERS),
  // XDS Metadata Update, ITI TF-2b 3.57.5.1 (Document Registry): Import, U, with the SubmissionSet.
  'ITI-57': t('ITI-57', 'Update Document Set', 'urn:ihe:iti:2010:UpdateDocumentSet', 'registry', 'optional', 'mirror', Import, 'U', SOURCES),
  // RMD, ITI TF-2b 3.62.5.1: Patient Record, D, each removed object as a registry object reference.
  // The SOAP action keeps the name the transaction had in Metadata Update (DeleteDocumentSet).
  'ITI-62': t('ITI-62', 'Remove Metadata', 'urn:ihe:iti:2010:DeleteDocumentSet', 'registry', 'optional', 'mirror', EventIds.patientRecord, 'D', SOURCES),
};
