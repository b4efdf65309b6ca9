/**
 * The data folder's free-space guard (kernel/freeSpace.ts) as the server runs it: looked at every
 * store.freeSpaceCheckMs; when the space falls below store.minFreeBytes, logged and audited once
 * (Security Alert, 110133 Audit Recording Stopped: received audit messages are dropped, and every
 * other write is refused), and again when it is back (110134 Audit Recording Started).
 */
import type { AuditService } from '../audit/auditService.ts';
import { limitAlert } from '../audit/limitAlert.ts';
import type { Config } from '../kernel/config.ts';
import { FreeSpaceGuard, type FreeSpaceProbe } from '../kernel/freeSpace.ts';
import type { Logger } from '../kernel/logger.ts';

export function storageGuard(config: Config, log: Logger, audit: () => AuditService | undefined, probe?: FreeSpaceProbe): FreeSpaceGuard {
  const min = config.store.minFreeBytes;
  return new FreeSpaceGuard({
    dir: config.dataDir,
    minFreeBytes: min,
    intervalMs: config.store.freeSpaceCheckMs,
    probe,
    onChange(low, free) {
      const reason = low
        ? `${free} bytes free in the data folder, below store.minFreeBytes ${min}: new data and received audit messages are refused`
        : `${free} bytes free in the data folder again (store.minFreeBytes ${min}): writes accepted`;
      if (low) log.error('store.space-low', { free, min });
      else log.warn('store.space-recovered', { free, min });
      const a = audit();
      a?.record(limitAlert(a, { object: `file://${config.dataDir}`, reason, type: low ? 'audit-recording-stopped' : 'audit-recording-started' })).catch((e: unknown) => {
        log.error('audit.failed', { event: 'security-alert', error: e instanceof Error ? e.message : String(e) });
      });
    },
    onError: (e) => log.warn('store.space-check-failed', { error: e instanceof Error ? e.message : String(e) }),
  });
}
