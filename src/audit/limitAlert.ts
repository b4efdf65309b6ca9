/**
 * Security Alerts (DICOM PS3.15 A.5.3.11, EventID 110113) for refusals by a limit that protects the
 * server from one client: connections over a cap, audit messages over a source's quota, writes
 * refused for want of disk space. Each is recorded once per burst (the caller's rule), not per
 * refused connection or message. CID 403 has no type for a resource limit; the closest are
 * 110132 "Use of Restricted Function" (the peer used the service beyond what it is allowed) and,
 * when the data folder is short of space, 110133 "Audit Recording Stopped" (received audit
 * messages, and every other write, are refused until space is freed). Outcome 4: the refusal was the
 * mitigation, and it worked. 110134 "Audit Recording Started" marks the space back.
 */
import type { AuditMessage } from './auditMessage.ts';
import type { AuditService } from './auditService.ts';
import { peerAlert } from './securityAlert.ts';

const ALERT_TYPES = {
  'restricted-function': { code: '110132', codeSystemName: 'DCM', originalText: 'Use of Restricted Function' },
  'audit-recording-stopped': { code: '110133', codeSystemName: 'DCM', originalText: 'Audit Recording Stopped' },
  'audit-recording-started': { code: '110134', codeSystemName: 'DCM', originalText: 'Audit Recording Started' },
} as const;

export interface LimitRefusal {
  /** What was refused at: a listener's URI, or the data folder. */
  object: string;
  /** The peer whose connection or message was refused first, when there is one. */
  peer?: string;
  reason: string;
  type: keyof typeof ALERT_TYPES;
}

export function limitAlert(audit: AuditService, r: LimitRefusal): AuditMessage {
  return peerAlert(audit, { type: ALERT_TYPES[r.type], description: r.reason, peer: r.peer ? { userId: r.peer, address: r.peer } : undefined, object: r.object, reason: r.reason });
}
