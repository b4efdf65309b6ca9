import type { AuditMessage } from './auditMessage.ts';
import type { AuditService } from './auditService.ts';
import { PatientNumber } from './codes.ts';

/**
 * Audit Log Used (DICOM PS3.15 A.5.3.2: EventID 110101, action R): who read the audit trail, the audit
 * log itself (type 2, role 13 Security Resource, ID type URI), and the patient whose trail it was.
 */
export function auditLogUsed(audit: AuditService, reader: { userId: string; address?: string; via: string }, patients: string[]): AuditMessage {
  return {
    eventId: { code: '110101', codeSystemName: 'DCM', originalText: 'Audit Log Used' },
    eventActionCode: 'R' as const,
    eventDateTime: new Date().toISOString(),
    eventOutcome: 0 as const,
    eventTypeCodes: [],
    participants: [
      {
        userId: reader.userId,
        userIsRequestor: true,
        roleIdCodes: [],
        networkAccessPointId: reader.address || undefined,
        networkAccessPointTypeCode: reader.address ? ('2' as const) : undefined,
      },
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
}
