/**
 * Every transaction an edge answers (kernel/transactionObserver.ts), counted and timed for
 * Prometheus, and written as one JSON log line: transaction, edge, outcome, duration, the requesting
 * node's name. Observations hold no message content, so neither the metrics nor the line can carry
 * patient data or an identifier. ITI-20 over syslog is observed per committed batch (one line per
 * outcome, with `count`), its duration the batch's commit: a line per message would double the
 * audit repository's writes at tens of thousands of messages a second.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Logger } from '../../kernel/logger.ts';
import type { TransactionObservation, TransactionObserver } from '../../kernel/transactionObserver.ts';

const LABELS = ['transaction', 'edge', 'outcome'] as const;

/** Seconds: from a cached PIX query (well under a millisecond) to a large MTOM submission. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function transactionMetrics(registry: Registry, log: Logger): TransactionObserver {
  const total = new Counter({ name: 'hie_transactions_total', help: 'Transactions answered, by IHE transaction, edge and outcome', labelNames: LABELS, registers: [registry] });
  const duration = new Histogram({
    name: 'hie_transaction_duration_seconds',
    help: 'Time from a request read to its answer written (syslog ITI-20: its batch commit), by IHE transaction, edge and outcome',
    labelNames: LABELS,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  return (o: TransactionObservation) => {
    const labels = { transaction: o.transaction, edge: o.edge, outcome: o.outcome };
    const count = o.count ?? 1;
    total.inc(labels, count);
    if (count === 1) duration.observe(labels, o.durationMs / 1000);
    else {
      // A batch: its labels looked up once.
      const child = duration.labels(labels);
      for (let i = 0; i < count; i++) child.observe(o.durationMs / 1000);
    }
    log.info('transaction', {
      transaction: o.transaction,
      edge: o.edge,
      outcome: o.outcome,
      durationMs: Math.round(o.durationMs * 10) / 10,
      node: o.node ?? null,
      ...(o.count !== undefined ? { count: o.count } : {}),
    });
  };
}
