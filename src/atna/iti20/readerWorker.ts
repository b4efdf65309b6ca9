/**
 * A reader thread of the Audit Record Repository: reads and validates received syslog messages
 * (receivedAudit.ts) off the main thread, which keeps the sockets and the store. Batches come in as
 * one buffer with offsets; records go back in the same order, packed (packedRecords.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DomainDirectory } from '../../identity/domainDirectory.ts';
import type { Config } from '../../server/config/types.ts';
import { ReceivedAuditReader, type MsgRange } from './receivedAudit.ts';
import { packRecords } from './packedRecords.ts';
import { readBatch, type ReaderBatch } from './readerBatch.ts';

const reader = new ReceivedAuditReader(new DomainDirectory((workerData as { identity: Config['identity'] }).identity));

parentPort!.on('message', (batch: ReaderBatch) => {
  // The XML of most records is their MSG as it came: the main thread decodes it from its own copy of
  // the batch instead of receiving the text.
  const xmlAt: (MsgRange | undefined)[] = [];
  const records = readBatch(reader, batch, xmlAt);
  parentPort!.postMessage({ seq: batch.seq, records: packRecords(records, xmlAt) });
});
