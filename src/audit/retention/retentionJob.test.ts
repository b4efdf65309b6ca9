import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createLogger } from '../../kernel/logger.ts';
import type { AuditMonths, AuditMonthsWork, StoredAuditRecord } from '../../store/types.ts';
import { AuditRetentionJob, monthOf } from './retentionJob.ts';

/** Months in memory: what the job asked, in order. */
function months(held: string[], opts: { runs?: boolean } = {}) {
  const calls: string[] = [];
  const work: AuditMonthsWork = {
    prepare: async (m, ahead) => {
      calls.push(`prepare ${m} +${ahead}`);
      return [];
    },
    monthsBefore: async (m) => held.filter((h) => h < m),
    expire: async (m, archive) => {
      async function* records(): AsyncGenerator<StoredAuditRecord> {
        yield { id: 1, recordedAt: `${m}-01T00:00:00.000Z` } as StoredAuditRecord;
      }
      await archive(records());
      calls.push(`expire ${m}`);
      held.splice(held.indexOf(m), 1);
      return 1;
    },
  };
  const source: AuditMonths = {
    runOnce: async (job, intervalMs, now, fn) => {
      calls.push(`runOnce ${job} ${intervalMs}`);
      if (opts.runs === false) return false;
      await fn(work);
      return true;
    },
  };
  return { source, calls, held };
}

describe('the audit retention job', () => {
  const now = Date.parse('2026-12-08T03:00:00.000Z');
  const exportDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'hie-retention-'));

  it('makes the months ahead, then archives and removes the months before the kept ones, oldest first', async () => {
    const m = months(['2025-10', '2025-11', '2025-12', '2026-01']);
    const dir = exportDir();
    const run = await new AuditRetentionJob(m.source, { months: 12, exportDir: dir, checkIntervalMs: 1000, monthsAhead: 3 }, createLogger('silent'), () => now).run();
    expect(m.calls).to.deep.equal(['runOnce audit-retention 900', 'prepare 2026-12 +3', 'expire 2025-10', 'expire 2025-11']);
    expect(run?.archived.map((a) => [a.month, a.records, path.basename(a.file)])).to.deep.equal([
      ['2025-10', 1, 'audit-2025-10.ndjson.gz'],
      ['2025-11', 1, 'audit-2025-11.ndjson.gz'],
    ]);
    expect(m.held).to.deep.equal(['2025-12', '2026-01']);
  });

  it('removes nothing with a retention of 0 months, and does nothing when another process ran the job', async () => {
    const keep = months(['2001-01']);
    await new AuditRetentionJob(keep.source, { months: 0, exportDir: exportDir(), checkIntervalMs: 1000, monthsAhead: 2 }, createLogger('silent'), () => now).run();
    expect(keep.calls).to.deep.equal(['runOnce audit-retention 900', 'prepare 2026-12 +2']);
    const other = months(['2001-01'], { runs: false });
    expect(await new AuditRetentionJob(other.source, { months: 1, exportDir: exportDir(), checkIntervalMs: 1000, monthsAhead: 2 }, createLogger('silent'), () => now).run()).to.equal(undefined);
    expect(other.held).to.deep.equal(['2001-01']);
  });

  it('logs a run that failed and runs again at the next interval', async () => {
    const lines: string[] = [];
    let runs = 0;
    const failing: AuditMonths = {
      runOnce: async () => {
        runs++;
        throw new Error('database gone');
      },
    };
    const job = new AuditRetentionJob(failing, { months: 1, exportDir: exportDir(), checkIntervalMs: 1000, monthsAhead: 1 }, createLogger('error', (l) => lines.push(l)));
    job.start();
    await new Promise((r) => setTimeout(r, 1200));
    await job.stop();
    expect(runs).to.equal(2);
    expect(JSON.parse(lines[0])).to.include({ level: 'error', event: 'atna.retention-failed', error: 'database gone' });
  });

  it('names months in UTC', () => {
    expect(monthOf(Date.parse('2026-11-30T23:30:00.000-01:00'))).to.equal('2026-12');
  });
});
