/** DICOM audit messages as a hospital system would send them, written with the server's own serializer. */
import { auditMessageXml, type AuditMessage, type CodedValue } from '../../src/audit/auditMessage.ts';
import { PatientNumber } from '../../src/audit/codes.ts';

export interface ReceivedAuditOptions {
  eventId?: CodedValue;
  eventType?: CodedValue;
  action?: AuditMessage['eventActionCode'];
  outcome?: AuditMessage['eventOutcome'];
  time?: string;
  /** Patient CX strings (ParticipantObjectTypeCode 1, role 1). */
  patients?: string[];
  user?: string;
  userName?: string;
  address?: string;
  sourceId?: string;
  purposeOfUse?: CodedValue[];
  query?: string;
}

export function receivedAudit(o: ReceivedAuditOptions = {}): AuditMessage {
  const eventType = o.eventType ?? { code: 'ITI-9', codeSystemName: 'IHE Transactions', originalText: 'PIX Query' };
  return {
    eventId: o.eventId ?? { code: '110112', codeSystemName: 'DCM', originalText: 'Query' },
    eventActionCode: o.action ?? 'E',
    eventDateTime: o.time ?? '2024-04-01T09:30:00.000+09:00',
    eventOutcome: o.outcome ?? 0,
    eventTypeCodes: [eventType],
    purposeOfUse: o.purposeOfUse,
    participants: [
      {
        userId: o.user ?? 'HOSP_A|EHR',
        userName: o.userName,
        userIsRequestor: true,
        roleIdCodes: [{ code: '110153', codeSystemName: 'DCM', originalText: 'Source Role ID' }],
        networkAccessPointId: o.address ?? '10.1.2.3',
        networkAccessPointTypeCode: '2',
      },
      {
        userId: 'REGION|PIXMGR',
        userIsRequestor: false,
        roleIdCodes: [{ code: '110152', codeSystemName: 'DCM', originalText: 'Destination Role ID' }],
        networkAccessPointId: '10.9.9.9',
        networkAccessPointTypeCode: '2',
      },
    ],
    source: { id: o.sourceId ?? 'EHR_A', enterpriseSiteId: 'HOSP_A', typeCodes: [{ code: '4', codeSystemName: 'DCM', originalText: 'Application Server' }] },
    objects: [
      ...(o.query !== undefined
        ? [{ id: 'Q1', typeCode: 2 as const, typeCodeRole: 24, idTypeCode: eventType, query: Buffer.from(o.query).toString('base64') }]
        : []),
      ...(o.patients ?? ['P1^^^HOSP_A&1.2.392.100.1&ISO']).map((id) => ({ id, typeCode: 1 as const, typeCodeRole: 1, idTypeCode: PatientNumber })),
    ],
  };
}

export function receivedAuditXml(o: ReceivedAuditOptions = {}): string {
  return auditMessageXml(receivedAudit(o));
}
