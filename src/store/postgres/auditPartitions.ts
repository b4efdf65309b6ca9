/**
 * The audit tables' month partitions (migration 3): made ahead of time, the default partition drained
 * into the months its rows belong to, and a month dropped whole once its records are archived. One
 * process on the database does this at a time (a session advisory lock per job), and once per
 * interval (maintenance_runs); everything of one run happens on the connection holding the lock.
 *
 * DDL on a partitioned table waits for queries reading it: every statement that takes a table lock
 * gives up after LOCK_TIMEOUT rather than queue audit writes behind it, and the next run tries again
 * (months are made several ahead, so a run that gave up loses nothing).
 */
import type pg from 'pg';
import type { AuditMonths, AuditMonthsWork, StoredAuditRecord } from '../types.ts';
import { COLUMNS, toStored, type Row } from './auditRepo.ts';

/** The partitioned audit tables, the event table first (the index tables follow it). */
export const AUDIT_TABLES = ['audit_events', 'audit_event_patients', 'audit_event_types', 'audit_event_objects'] as const;

const LOCK_TIMEOUT = '5s';
const FETCH = 500;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** YYYY-MM `n` months after `month` (n may be negative). */
export function addMonths(month: string, n: number): string {
  const total = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1 + n;
  return `${String(Math.floor(total / 12)).padStart(4, '0')}-${String((total % 12) + 1).padStart(2, '0')}`;
}

/** The partition of `table` for `month` (YYYY-MM): table_pYYYY_MM. */
export function partitionName(table: string, month: string): string {
  if (!MONTH.test(month)) throw new Error(`not a month: ${month}`);
  return `${table}_p${month.replace('-', '_')}`;
}

export class PgAuditMonths implements AuditMonths {
  constructor(private readonly pool: pg.Pool) {}

  async runOnce(job: string, intervalMs: number, now: number, work: (w: AuditMonthsWork) => Promise<void>): Promise<boolean> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      const locked = (await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext('hie.maintenance.' || $1::text)) AS ok", [job])).rows[0].ok;
      if (!locked) return false;
      try {
        const last = (await client.query<{ finished_at: number }>('SELECT finished_at FROM maintenance_runs WHERE job = $1', [job])).rows[0];
        if (last && now - last.finished_at < intervalMs) return false;
        await work(new MonthsWork(client));
        await client.query(
          'INSERT INTO maintenance_runs(job, finished_at) VALUES ($1, $2) ON CONFLICT (job) DO UPDATE SET finished_at = EXCLUDED.finished_at',
          [job, now],
        );
        return true;
      } finally {
        await client.query("SELECT pg_advisory_unlock(hashtext('hie.maintenance.' || $1::text))", [job]).catch(() => (broken = true));
      }
    } catch (e) {
      broken = true;
      throw e;
    } finally {
      // A connection that failed mid-run goes: its session, and the lock with it, ends.
      client.release(broken);
    }
  }
}

class MonthsWork implements AuditMonthsWork {
  constructor(private readonly client: pg.PoolClient) {}

  async prepare(month: string, ahead: number): Promise<string[]> {
    const wanted = new Set<string>();
    for (let i = 0; i <= ahead; i++) wanted.add(addMonths(month, i));
    // Rows a month partition did not take (a clock far off, a month not yet made).
    const stray = await this.client.query<{ m: string }>(
      "SELECT DISTINCT left(recorded_at, 7) AS m FROM audit_events_default WHERE recorded_at ~ '^[0-9]{4}-(0[1-9]|1[0-2])'",
    );
    for (const r of stray.rows) wanted.add(r.m);
    const have = new Set(await this.months());
    const made: string[] = [];
    for (const m of [...wanted].sort()) {
      if (have.has(m)) continue;
      await this.transaction(async () => {
        const [lo, hi] = [m, addMonths(m, 1)];
        for (const t of AUDIT_TABLES) {
          // Made apart, filled with the default partition's rows of the month, then attached: attaching
          // takes no lock that stops audit writes to the other partitions.
          const part = partitionName(t, m);
          await this.client.query(`CREATE TABLE ${part} (LIKE ${t} INCLUDING DEFAULTS)`);
          await this.client.query(
            `WITH moved AS (DELETE FROM ${t}_default WHERE recorded_at >= $1 AND recorded_at < $2 RETURNING *) INSERT INTO ${part} SELECT * FROM moved`,
            [lo, hi],
          );
          await this.client.query(`ALTER TABLE ${t} ATTACH PARTITION ${part} FOR VALUES FROM ('${lo}') TO ('${hi}')`);
        }
      });
      made.push(m);
    }
    return made;
  }

  async monthsBefore(month: string): Promise<string[]> {
    return (await this.months()).filter((m) => m < month);
  }

  async expire(month: string, archive: (records: AsyncIterable<StoredAuditRecord>) => Promise<void>): Promise<number> {
    const parts = AUDIT_TABLES.map((t) => partitionName(t, month));
    let count = 0;
    await this.transaction(async () => {
      // No write reaches the month while it is read and archived; reads go on.
      await this.client.query(`LOCK TABLE ${parts.join(', ')} IN SHARE MODE`);
      await this.client.query(`DECLARE expiring NO SCROLL CURSOR FOR SELECT ${COLUMNS} FROM ${parts[0]} e ORDER BY e.id`);
      let done = false;
      const client = this.client;
      async function* records(): AsyncGenerator<StoredAuditRecord> {
        for (;;) {
          const { rows } = await client.query<Row>(`FETCH ${FETCH} FROM expiring`);
          for (const r of rows) {
            count++;
            yield toStored(r);
          }
          if (rows.length < FETCH) break;
        }
        done = true;
      }
      await archive(records());
      if (!done) throw new Error(`the archive of audit month ${month} did not read every record`);
      await this.client.query('CLOSE expiring');
      await this.client.query(`DROP TABLE ${[...parts].reverse().join(', ')}`);
    });
    return count;
  }

  /** The months that have partitions, oldest first. */
  private async months(): Promise<string[]> {
    const { rows } = await this.client.query<{ name: string }>(
      "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_events'::regclass",
    );
    const out: string[] = [];
    for (const { name } of rows) {
      const m = /^audit_events_p(\d{4})_(\d{2})$/.exec(name);
      if (m) out.push(`${m[1]}-${m[2]}`);
    }
    return out.sort();
  }

  private async transaction(fn: () => Promise<void>): Promise<void> {
    await this.client.query('BEGIN');
    try {
      await this.client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      // Archiving a month reads it whole: not a request, not bound by a request's statement timeout.
      await this.client.query('SET LOCAL statement_timeout = 0');
      await fn();
      await this.client.query('COMMIT');
    } catch (e) {
      await this.client.query('ROLLBACK');
      throw e;
    }
  }
}
