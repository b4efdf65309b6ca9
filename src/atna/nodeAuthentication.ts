/**
 * Node authentication (ATNA Secure Node): every refused TLS client, on any listener, is logged and
 * audited as a Security Alert. The audit record is written on its own; a failure to write it is logged.
 */
import type { AuditService } from '../audit/auditService.ts';
import { nodeAuthenticationFailure } from '../audit/securityAlert.ts';
import type { Logger } from '../kernel/logger.ts';

export type RefusalHandler = (err: Error, peer: { address: string; port: number }) => void;

/** `listener` names the listener (its URI) once it listens. */
export function auditRefusals(audit: AuditService, log: Logger): (listener: () => string) => RefusalHandler {
  return (listenerName) => (err, peer) => {
    const listener = listenerName();
    const reason = (err as NodeJS.ErrnoException).code ? `${(err as NodeJS.ErrnoException).code}: ${err.message}` : err.message;
    log.warn('tls.refused', { listener, peer: peer.address, reason });
    audit.record(nodeAuthenticationFailure(audit, { listener, peer, reason })).catch((e: unknown) => {
      log.error('audit.failed', { event: 'security-alert', error: e instanceof Error ? e.message : String(e) });
    });
  };
}
