/**
 * What each protocol edge reports of every transaction it answers, once, when the answer is written:
 * the server turns these into the Prometheus metrics and the one JSON log line per transaction
 * (server/metrics). An observation carries names and numbers only, never message content, so no
 * patient data or identifier can reach a metric or a log through it.
 */

/**
 * success: answered as asked (AA, RegistryResponse Success, HTTP 2xx); partial: XDS PartialSuccess;
 * error: understood but not done (AE, RegistryResponse Failure, a stored audit message that failed
 * validation); refused: not accepted (AR, SOAP Fault, HTTP 4xx, an unauthorized node, an unreadable
 * message); internal: the server failed (HL7 207 internal error, SOAP Receiver fault, HTTP 5xx).
 */
export type TransactionOutcome = 'success' | 'partial' | 'error' | 'refused' | 'internal';

export type TransactionEdge = 'mllp' | 'soap' | 'fhir' | 'syslog' | 'http';

export interface TransactionObservation {
  /** The IHE transaction (ITI-8, ITI-18, ...), or what the edge knows when it could not tell: `unknown`. */
  transaction: string;
  edge: TransactionEdge;
  outcome: TransactionOutcome;
  durationMs: number;
  /** The requesting node's configured name, when it matched one. */
  node?: string;
  /** Transactions this observation stands for (syslog: a committed batch); 1 when absent. */
  count?: number;
}

export type TransactionObserver = (o: TransactionObservation) => void;

export const ignoreTransactions: TransactionObserver = () => undefined;

/** The outcome an HTTP status stands for. */
export function outcomeOfStatus(status: number): TransactionOutcome {
  if (status >= 500) return 'internal';
  if (status >= 400) return 'refused';
  return 'success';
}
