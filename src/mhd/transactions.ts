/**
 * The MHD profile as data (IHE MHD 4.x, ITI TF-2 3.65-3.68): each transaction's name, the audit
 * event its Document Recipient or Document Responder records, and the node roles that may call it.
 * ITI-65 is audited as Provide and Register [ITI-41] (3.65.5.1: Import, C), ITI-66 and ITI-67 as
 * queries (Query, E, as ITI-18), ITI-68 as a retrieve (Export, R, as ITI-43).
 */
import type { CodedValue, EventActionCode } from '../audit/auditMessage.ts';
import { EventIds, ihe } from '../audit/codes.ts';
import { QUERY_ROLES } from '../consent/feedAuthorization.ts';
import type { NodeRole } from '../kernel/requestContext.ts';

export type MhdTransactionId = 'ITI-65' | 'ITI-66' | 'ITI-67' | 'ITI-68';

export interface MhdTransactionDescriptor {
  id: MhdTransactionId;
  name: string;
  audit: { eventId: CodedValue; action: EventActionCode; eventType: CodedValue };
  roles: readonly NodeRole[];
}

const SOURCES: readonly NodeRole[] = ['source'];

const t = (id: MhdTransactionId, name: string, eventId: CodedValue, action: EventActionCode, roles: readonly NodeRole[]): MhdTransactionDescriptor => ({
  id,
  name,
  audit: { eventId, action, eventType: ihe(id, name) },
  roles,
});

export const MHD: Record<MhdTransactionId, MhdTransactionDescriptor> = {
  'ITI-65': t('ITI-65', 'Provide Document Bundle', EventIds.import, 'C', SOURCES),
  'ITI-66': t('ITI-66', 'Find Document Lists', EventIds.query, 'E', QUERY_ROLES),
  'ITI-67': t('ITI-67', 'Find Document References', EventIds.query, 'E', QUERY_ROLES),
  'ITI-68': t('ITI-68', 'Retrieve Document', EventIds.export, 'R', QUERY_ROLES),
};
