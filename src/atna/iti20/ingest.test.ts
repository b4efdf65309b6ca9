/** The write side of the Audit Record Repository: batches, counts, and a failed write tried again. */
import { expect } from 'chai';
import { receivedAuditXml } from '../../../test/helpers/auditMessages.ts';
import { syslogMessage } from '../../../test/helpers/syslog.ts';
import { validate } from '../../server/config/load.ts';
import { silentLogger } from '../../kernel/logger.ts';
import type { AuditRecord, Store, WriteTx } from '../../store/types.ts';
import { AuditIngest } from './ingest.ts';
import type { ReceivedSyslog } from './receivedAudit.ts';

/** A store that keeps the records of each write, and fails the writes it is told to. */
function recordingStore(failWrites: number[] = []) {
  const writes: AuditRecord[][] = [];
  let attempt = 0;
  const store = {
    async write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
      const n = attempt++;
      const rows: AuditRecord[] = [];
      const value = await fn({ audit: { appendAudit: async (r: AuditRecord) => rows.push(r) } } as unknown as WriteTx);
      if (failWrites.includes(n)) throw new Error('disk full');
      writes.push(rows);
      return value;
    },
  };
  return { store: store as unknown as Store, writes };
}

const message = (n: number, valid = true): ReceivedSyslog => ({
  transport: 'syslog-tcp',
  peer: { address: '10.0.0.1', port: 514 },
  receivedAt: `2026-01-01T00:00:0${n}.000Z`,
  bytes: syslogMessage(valid ? receivedAuditXml({ patients: [`P${n}^^^HOSP_A`] }) : '<AuditMessage'),
});

describe('the audit ingest (ITI-20 write side)', () => {
  for (const readerThreads of [0, 1]) {
    describe(readerThreads ? 'reading on a reader thread' : 'reading on the main thread', () => {
      it('writes every message once, in order, in batches of at most batchSize, and counts them by status', async () => {
        const { store, writes } = recordingStore();
        const ingest = new AuditIngest(store, validate({}).identity, silentLogger, { batchSize: 2, readerThreads });
        try {
          for (let n = 0; n < 5; n++) ingest.submit(message(n, n !== 3));
          await ingest.flushed();
          const written = writes.flat();
          expect(written.map((r) => r.status)).to.deep.equal(['valid', 'valid', 'valid', 'unparsed', 'valid']);
          expect(written.map((r) => r.patientIds)).to.deep.equal([['P0^^^HOSP_A'], ['P1^^^HOSP_A'], ['P2^^^HOSP_A'], [], ['P4^^^HOSP_A']]);
          // One reader thread's answer is one delivery: a batch takes whole deliveries, at least one.
          if (readerThreads === 0) for (const w of writes) expect(w.length).to.be.at.most(2);
          expect(ingest.stats).to.deep.equal({ received: 5, stored: 5, valid: 4, invalid: 0, unparsed: 1 });
          expect(ingest.pending).to.equal(0);
        } finally {
          await ingest.close();
        }
      });

      it('keeps a batch whose write failed and writes it again: nothing lost, nothing counted twice', async () => {
        const { store, writes } = recordingStore([0]);
        const ingest = new AuditIngest(store, validate({}).identity, silentLogger, { batchSize: 10, readerThreads, retryMs: 10 });
        try {
          for (let n = 0; n < 3; n++) ingest.submit(message(n));
          await ingest.flushed();
          expect(writes.flat().map((r) => r.patientIds[0])).to.deep.equal(['P0^^^HOSP_A', 'P1^^^HOSP_A', 'P2^^^HOSP_A']);
          expect(ingest.stats).to.deep.equal({ received: 3, stored: 3, valid: 3, invalid: 0, unparsed: 0 });
        } finally {
          await ingest.close();
        }
      });
    });
  }
});
