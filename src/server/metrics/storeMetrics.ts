/**
 * Gauges read at each scrape: the durable queues (ITI-10 notifications to PIX consumers, this
 * server's audit messages waiting to be forwarded, received audit messages not yet committed) and
 * the size of the store (the SQLite database with its WAL, or the PostgreSQL database as the server
 * counts it; the repository's document files). Sizes that take a walk (the document folder, the
 * PostgreSQL database's files) are counted in the background and cached: a scrape never waits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Gauge, type Registry } from 'prom-client';
import type { Store } from '../../store/types.ts';

export interface StoreMetricsSources {
  store: Store;
  /** Outbox channels by the queue label they are reported under. */
  outboxes: Record<string, string>;
  /** Queues held in memory, by label. */
  inMemory: Record<string, () => number>;
  databaseFile: string;
  /** The database's size from its server (PostgreSQL): reported instead of databaseFile and its WAL. */
  databaseBytes?: () => Promise<number>;
  blobDir: string;
  /** How old the document files' total may get before it is counted again (a walk of the folder). */
  blobRefreshMs: number;
  /** How old the database's size from its server may get before it is asked again; default 60 s. */
  databaseRefreshMs?: number;
}

export function storeMetrics(registry: Registry, src: StoreMetricsSources): void {
  new Gauge({
    name: 'hie_queue_depth',
    help: 'Items waiting: ITI-10 notifications, audit messages to forward (outboxes), received audit messages not yet stored',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      const counts = await src.store.read(async (tx) => {
        const out: [string, number][] = [];
        for (const [queue, channel] of Object.entries(src.outboxes)) out.push([queue, await tx.outbox.pendingCount(channel)]);
        return out;
      });
      for (const [queue, n] of counts) this.set({ queue }, n);
      for (const [queue, n] of Object.entries(src.inMemory)) this.set({ queue }, n());
    },
  });
  const blobs = new CachedCount(() => folderBytes(src.blobDir), src.blobRefreshMs);
  const database = src.databaseBytes && new CachedCount(src.databaseBytes, src.databaseRefreshMs ?? 60_000);
  // Counted from the start, so that the first scrape finds a total.
  blobs.current();
  database?.current();
  new Gauge({
    name: 'hie_store_bytes',
    help: 'Bytes on disk: the SQLite database file and its write-ahead log, or the PostgreSQL database (pg_database_size, cached a minute); the repository document files (counted in the background, at most every few minutes)',
    labelNames: ['part'],
    registers: [registry],
    collect() {
      if (database) {
        const d = database.current();
        if (d !== undefined) this.set({ part: 'database' }, d);
      } else {
        this.set({ part: 'database' }, fileSize(src.databaseFile));
        this.set({ part: 'wal' }, fileSize(`${src.databaseFile}-wal`));
      }
      const b = blobs.current();
      if (b !== undefined) this.set({ part: 'blobs' }, b);
    },
  });
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** A count made in the background, at most every refreshMs; a scrape never waits for it. */
class CachedCount {
  private bytes?: number;
  private countedAt = 0;
  private counting = false;

  constructor(
    private readonly count: () => Promise<number>,
    private readonly refreshMs: number,
  ) {}

  current(): number | undefined {
    if (!this.counting && Date.now() - this.countedAt >= this.refreshMs) {
      this.counting = true;
      this.count()
        .then((n) => {
          this.bytes = n;
          this.countedAt = Date.now();
        })
        .catch(() => undefined)
        .finally(() => (this.counting = false));
    }
    return this.bytes;
  }
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await folderBytes(p);
    else if (e.isFile()) total += await fs.promises.stat(p).then((s) => s.size, () => 0);
  }
  return total;
}
