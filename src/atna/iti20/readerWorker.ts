/**
 * A reader thread of the Audit Record Repository: reads and validates received syslog messages
 * (receivedAudit.ts) off the main thread, which keeps the sockets and the store. Batches come in as
 * one buffer with offsets; records go back in the same order, packed (packedRecords.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DomainDirectory } from '../../identity/domainDirectory.ts';
import type { Config } from '../../kernel/config.ts';
import { ReceivedAuditReader } from './receivedAudit.ts';
import { readBatchPacked, type ReaderBatch } from './readerBatch.ts';

const reader = new ReceivedAuditReader(new DomainDirectory((workerData as { identity: Config['identity'] }).identity));

parentPort!.on('message', (batch: ReaderBatch) => {
  parentPort!.postMessage({ seq: batch.seq, records: readBatchPacked(reader, batch) });
});
