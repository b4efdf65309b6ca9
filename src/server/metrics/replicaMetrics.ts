/**
 * With read replicas (store.postgres.replicas): the reads of query transactions, by where they were
 * answered, and for the primary why no replica did: 'wrote' (the request had written: it reads its
 * own writes), 'down', 'lagging', 'not-standby', 'failed' (the replica could not finish it); 'none':
 * not a replica's to answer (another transaction, or work outside a request).
 */
import { Counter, type Registry } from 'prom-client';
import { ReplicaRoutedStore } from '../../store/postgres/replicaRouter.ts';
import type { Store } from '../../store/types.ts';

export function replicaMetrics(registry: Registry, store: Store): void {
  if (!(store instanceof ReplicaRoutedStore)) return;
  new Counter({
    name: 'hie_store_reads_total',
    help: 'Store reads with read replicas configured, by target (replica or primary) and, for the primary, why no replica answered',
    labelNames: ['target', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const c of store.readCounts()) this.inc({ target: c.target, reason: c.reason }, c.count);
    },
  });
}
