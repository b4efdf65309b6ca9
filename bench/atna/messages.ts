/**
 * The benchmark's audit traffic: DICOM audit messages as hospital systems send them (ITI-9 and ITI-21
 * queries, ITI-18 stored queries, ITI-43 retrievals, ITI-8 feeds), each for a different patient, in
 * RFC 5424 syslog frames with octet counting, ready to be written as they are. Single-line XML, so that
 * the rsyslog baseline's file has one line per message.
 */
import { auditMessageXml, type AuditMessage, type CodedValue } from '../../src/audit/auditMessage.ts';
import { EventIds, ihe, PatientNumber, Roles } from '../../src/audit/codes.ts';

const KINDS: { eventId: CodedValue; type: CodedValue; action: AuditMessage['eventActionCode']; query: boolean }[] = [
  { eventId: EventIds.query, type: ihe('ITI-9', 'PIX Query'), action: 'E', query: true },
  { eventId: EventIds.query, type: ihe('ITI-21', 'Patient Demographics Query'), action: 'E', query: true },
  { eventId: EventIds.query, type: ihe('ITI-18', 'Registry Stored Query'), action: 'E', query: true },
  { eventId: { code: '110106', codeSystemName: 'DCM', originalText: 'Export' }, type: ihe('ITI-43', 'Retrieve Document Set'), action: 'R', query: false },
  { eventId: EventIds.patientRecord, type: ihe('ITI-8', 'Patient Identity Feed'), action: 'C', query: false },
];

function message(i: number): string {
  const k = KINDS[i % KINDS.length];
  const facility = `HOSP_${String.fromCharCode(65 + (i % 20))}`;
  const patient = `P${String(i).padStart(8, '0')}^^^${facility}&1.2.392.200.${i % 20}&ISO`;
  const m: AuditMessage = {
    eventId: k.eventId,
    eventActionCode: k.action,
    eventDateTime: new Date(Date.UTC(2024, 3, 1) + i * 1000).toISOString(),
    eventOutcome: i % 50 === 0 ? 4 : 0,
    eventTypeCodes: [k.type],
    participants: [
      { userId: `${facility}|EHR`, userIsRequestor: true, roleIdCodes: [Roles.source], networkAccessPointId: `10.0.${i % 20}.${1 + (i % 200)}`, networkAccessPointTypeCode: '2' },
      { userId: 'REGION|HIE', alternativeUserId: '4242', userIsRequestor: false, roleIdCodes: [Roles.destination], networkAccessPointId: 'hie.region.example', networkAccessPointTypeCode: '1' },
    ],
    source: { id: `${facility}_EHR`, enterpriseSiteId: facility, typeCodes: [{ code: '4', codeSystemName: 'DCM', originalText: 'Application Server' }] },
    objects: [
      ...(k.query
        ? [
            {
              id: `Q${i}`,
              typeCode: 2 as const,
              typeCodeRole: 24,
              idTypeCode: k.type,
              query: Buffer.from(`MSH|^~\\&|EHR|${facility}|HIE|REGION|20240401||QBP^Q23^QBP_Q21|${i}|P|2.5\rQPD|IHE PIX Query|Q${i}|${patient}\r`).toString('base64'),
              details: [{ type: 'MSH-10', value: Buffer.from(String(i)).toString('base64') }],
            },
          ]
        : []),
      { id: patient, typeCode: 1 as const, typeCodeRole: 1, idTypeCode: PatientNumber },
    ],
  };
  return auditMessageXml(m).replace(/\n/g, '');
}

/** `count` octet-counted frames, message i of them for i = first..first+count-1. */
export function frames(first: number, count: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = first; i < first + count; i++) {
    const body = Buffer.from(`<85>1 ${new Date(Date.UTC(2024, 3, 1) + i * 1000).toISOString()} ehr${i % 20}.hosp.example EHR ${1000 + (i % 7)} IHE+RFC-3881 - ${message(i)}`, 'utf8');
    parts.push(Buffer.from(`${body.length} `, 'latin1'), body);
  }
  return Buffer.concat(parts);
}
