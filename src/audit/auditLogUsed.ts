import type { AuditMessage } from './auditMessage.ts';
import type { AuditService } from './auditService.ts';
import { PatientNumber } from './codes.ts';
import { withRequester } from './requester.ts';
import type { RequestContext } from '../kernel/requestContext.ts';

/** Who read the audit log: a request's context (its node and user), or a local user of the command line. */
export type AuditLogReader = { context: RequestContext; via: string } | { userId: string; address?: string; via: string };

/**
 * Audit Log Used (DICOM PS3.15 A.5.3.2: EventID 110101, action R): who read the audit trail (the node
 * and user of the request, requester.ts, or the local user), the audit log itself (type 2, role 13
 * Security Resource, ID type URI), and the patient whose trail it was. Outcome 4 for a reading
 * refused (the requester is no auditor).
 */
export function auditLogUsed(audit: AuditService, reader: AuditLogReader, patients: string[], outcome: 0 | 4 = 0): AuditMessage {
  const m: AuditMessage = {
    eventId: { code: '110101', codeSystemName: 'DCM', originalText: 'Audit Log Used' },
    eventActionCode: 'R' as const,
    eventDateTime: new Date().toISOString(),
    eventOutcome: outcome,
    eventTypeCodes: [],
    participants: [
      ...('context' in reader
        ? []
        : [
            {
              userId: reader.userId,
              userIsRequestor: true,
              roleIdCodes: [],
              networkAccessPointId: reader.address || undefined,
              networkAccessPointTypeCode: reader.address ? ('2' as const) : undefined,
            },
          ]),
      audit.applicationParticipant,
    ],
    source: audit.sourceIdentification,
    objects: [
      {
        id: reader.via,
        typeCode: 2 as const,
        typeCodeRole: 13,
        idTypeCode: { code: '12', codeSystemName: 'RFC-3881', originalText: 'URI' },
        name: 'Security Audit Log',
      },
      ...patients.map((p) => ({ id: p, typeCode: 1 as const, typeCodeRole: 1, idTypeCode: PatientNumber })),
    ],
  };
  return 'context' in reader ? withRequester(m, reader.context) : m;
}
