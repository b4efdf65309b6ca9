/**
 * The server's metrics: one registry (no global) with transactions, queues, store size and, for the
 * server process, the process's own (CPU, memory, event-loop lag, GC). Those are off for servers
 * started in process by tests and benchmarks: each set keeps an event-loop monitor and a GC observer
 * running for the life of the process.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Logger } from '../../kernel/logger.ts';
import type { TransactionObserver } from '../../kernel/transactionObserver.ts';
import type { StoreMetricsSources } from './storeMetrics.ts';
import { storeMetrics } from './storeMetrics.ts';
import { transactionMetrics } from './transactionMetrics.ts';

export interface ServerMetrics {
  registry: Registry;
  observe: TransactionObserver;
  /** Adds the queue and store gauges once the services they read exist. */
  watchStore(src: StoreMetricsSources): void;
}

export function serverMetrics(log: Logger, opts: { processMetrics?: boolean } = {}): ServerMetrics {
  const registry = new Registry();
  if (opts.processMetrics) collectDefaultMetrics({ register: registry });
  return { registry, observe: transactionMetrics(registry, log), watchStore: (src) => storeMetrics(registry, src) };
}
