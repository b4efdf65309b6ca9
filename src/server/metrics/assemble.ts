/** The server's metrics: one registry (no global), the process's own, transactions, queues, store size. */
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

export function serverMetrics(log: Logger): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return { registry, observe: transactionMetrics(registry, log), watchStore: (src) => storeMetrics(registry, src) };
}
