/**
 * The audit trail's upkeep by month of receipt (atna.retention): the months ahead made ready (on
 * PostgreSQL, the audit tables' partitions), and, with a retention of N months, every month older than
 * the current month's N predecessors archived (monthArchive.ts) and then removed, the oldest first.
 * A record is removed only after its month's archive is durable; one that fails to archive stays, and
 * the next run tries again. It runs at start and every checkIntervalMs, once across the processes that
 * share a database (AuditMonths.runOnce).
 */
import type { Logger } from '../../kernel/logger.ts';
import type { AuditMonths } from '../../store/types.ts';
import { writeMonthArchive } from './monthArchive.ts';

export interface AuditRetentionConfig {
  /** Months kept before the current one; 0 keeps everything. */
  readonly months: number;
  /** Where the archives of removed months are written. */
  readonly exportDir: string;
  readonly checkIntervalMs: number;
  /** Months made ready after the current one. */
  readonly monthsAhead: number;
}

export const RETENTION_JOB = 'audit-retention';

/** The month (YYYY-MM, UTC) of an instant. */
export const monthOf = (ms: number): string => new Date(ms).toISOString().slice(0, 7);

export interface RetentionRun {
  prepared: string[];
  archived: { month: string; records: number; file: string }[];
}

export class AuditRetentionJob {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly months: AuditMonths,
    private readonly config: AuditRetentionConfig,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    const tick = () => {
      this.running ??= this.run()
        .catch((e) => this.log.error('atna.retention-failed', { error: e instanceof Error ? e.message : String(e) }))
        .finally(() => (this.running = undefined));
    };
    tick();
    this.timer = setInterval(tick, this.config.checkIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One run; undefined when another process ran it within the interval or runs it now. */
  async run(): Promise<RetentionRun | undefined> {
    const now = this.now();
    const current = monthOf(now);
    const out: RetentionRun = { prepared: [], archived: [] };
    // A run that the interval skips would come again in checkIntervalMs: a little early counts as due.
    const ran = await this.months.runOnce(RETENTION_JOB, this.config.checkIntervalMs * 0.9, now, async (w) => {
      out.prepared = await w.prepare(current, this.config.monthsAhead);
      if (out.prepared.length > 0) this.log.info('atna.retention-months-ready', { months: out.prepared });
      if (this.config.months === 0) return;
      const cutoff = monthBefore(current, this.config.months);
      for (const month of await w.monthsBefore(cutoff)) {
        let file = '';
        const records = await w.expire(month, async (rs) => {
          const a = await writeMonthArchive(this.config.exportDir, month, rs);
          file = a.file;
          this.log.info('atna.retention-archived', { month, records: a.records, file: a.file, bytes: a.bytes, sha256: a.sha256 });
        });
        out.archived.push({ month, records, file });
        this.log.info('atna.retention-removed', { month, records });
      }
    });
    return ran ? out : undefined;
  }
}

/** YYYY-MM `n` months before `month`. */
function monthBefore(month: string, n: number): string {
  const total = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 - n;
  return `${String(Math.floor(total / 12)).padStart(4, '0')}-${String((total % 12) + 1).padStart(2, '0')}`;
}
