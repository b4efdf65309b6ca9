/** Application Start and Stop (DICOM PS3.15 A.5.3.1: EventID 110100, type 110120 / 110121). */
import type { AuditMessage } from './auditMessage.ts';
import type { AuditService } from './auditService.ts';
import { EventIds, Roles } from './codes.ts';
import { launcherName } from './launcher.ts';

export function applicationActivity(audit: AuditService, kind: 'start' | 'stop'): AuditMessage {
  return {
    eventId: EventIds.applicationActivity,
    eventActionCode: 'E',
    eventDateTime: new Date().toISOString(),
    eventOutcome: 0,
    eventTypeCodes: [
      kind === 'start'
        ? { code: '110120', codeSystemName: 'DCM', originalText: 'Application Start' }
        : { code: '110121', codeSystemName: 'DCM', originalText: 'Application Stop' },
    ],
    participants: [
      audit.applicationParticipant,
      { userId: launcherName(), userIsRequestor: true, roleIdCodes: [Roles.applicationLauncher] },
    ],
    source: audit.sourceIdentification,
    objects: [],
  };
}
