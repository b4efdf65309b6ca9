/**
 * Durability off the event loop. With journal_mode=WAL and synchronous=NORMAL a COMMIT writes its
 * frames to the WAL without fsync; this makes them durable with an fsync of the WAL file in the
 * thread pool, so the event loop keeps working (and the next batch keeps committing) while the disk
 * catches up. A caller waits for an fsync that *starts* after its commit; every commit waiting at
 * that moment shares it. Checkpoints sync on their own (SQLite syncs the WAL before and the database
 * after each checkpoint), mostly on their own thread (walCheckpointer.ts).
 */
import fs from 'node:fs';
import path from 'node:path';

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class WalSync {
  private handle?: fs.promises.FileHandle;
  private running = false;
  private queued: Waiter[] = [];

  constructor(private readonly walPath: string) {}

  /** Resolves once everything committed before this call is on disk. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ resolve, reject });
      this.kick();
    });
  }

  async close(): Promise<void> {
    await this.sync();
    await this.handle?.close();
    this.handle = undefined;
  }

  private kick(): void {
    if (this.running || this.queued.length === 0) return;
    this.running = true;
    const batch = this.queued;
    this.queued = [];
    this.fsync().then(
      () => batch.forEach((w) => w.resolve()),
      (e) => batch.forEach((w) => w.reject(e)),
    ).finally(() => {
      this.running = false;
      this.kick();
    });
  }

  private async fsync(): Promise<void> {
    if (!this.handle) {
      this.handle = await fs.promises.open(this.walPath, 'r+');
      // The WAL file itself must survive too: its directory entry once.
      const dir = await fs.promises.open(path.dirname(this.walPath), 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    }
    await this.handle.sync();
  }
}
