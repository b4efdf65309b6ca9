/**
 * The connection caps of each listener (kernel/connectionGate.ts), reported as the server reports
 * any refusal: a warning in the log and a Security Alert when a burst of refusals starts, a log line
 * with the count when it ends.
 */
import type { AuditService } from '../audit/auditService.ts';
import { limitAlert } from '../audit/limitAlert.ts';
import { ConnectionGate, type ConnectionCaps } from '../kernel/connectionGate.ts';
import type { Logger } from '../kernel/logger.ts';

/** `listener` names the listener (its URI) once it listens. */
export function connectionGates(audit: AuditService, log: Logger) {
  return (caps: ConnectionCaps, listener: () => string): ConnectionGate =>
    new ConnectionGate(caps, {
      started(b) {
        const reason = `connections refused: ${b.cap === 'listener' ? `the listener's limit of ${b.limit} connections` : `the limit of ${b.limit} connections from one address`} is reached`;
        log.warn('connection.refused', { listener: listener(), peer: b.address, cap: b.cap, limit: b.limit });
        audit.record(limitAlert(audit, { object: listener(), peer: b.address, reason, type: 'restricted-function' })).catch((e: unknown) => {
          log.error('audit.failed', { event: 'security-alert', error: e instanceof Error ? e.message : String(e) });
        });
      },
      ended(s) {
        log.warn('connection.refusals-ended', { listener: listener(), refused: s.refused, addresses: s.addresses, some: s.some });
      },
    });
}
