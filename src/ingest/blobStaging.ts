/**
 * Document bytes staged into the repository's blob store ahead of their registration, made durable
 * together: each blob is written atomically (a temporary file in its folder, then renamed to its
 * hash name) without a flush of its own, and one flush of the file system (syncfs, `sync -f`) covers
 * every blob staged before it. The repository then finds the blob already there and registers it.
 * The rule of the blob store holds: a registration commits only after its bytes are on disk.
 *
 * One flush per batch instead of two fsyncs per document is what lets a bulk ingest run at thousands
 * of files a second (bench/README.md).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { BlobStore } from '../xds/repository/blobStore.ts';

export interface StagedBlob {
  name: string;
  /** False when a complete blob of that hash was already there. */
  created: boolean;
}

export class BlobStaging {
  /** Blobs written since the last flush began. */
  private pendingFiles: string[] = [];
  private waiting: (() => void)[] = [];
  private failed: ((e: unknown) => void)[] = [];
  private flushing = false;
  private scheduled = false;
  private syncfsWorks = true;
  private helper?: { child: ChildProcessByStdio<Writable, Readable, null>; answers: ((ok: boolean) => void)[] };

  constructor(private readonly blobs: BlobStore) {}

  /** Writes the blob (unless a complete one is there) and resolves once it is durable. */
  async stage(data: Buffer, sha1 = createHash('sha1').update(data).digest('hex')): Promise<StagedBlob> {
    return this.durable(writeStagedBlob(this.blobs, data, sha1));
  }

  /** Resolves once a blob staged (by this thread or a reader thread) is durable. */
  async durable(b: StagedBlob): Promise<StagedBlob> {
    if (!b.created) return b;
    this.pendingFiles.push(this.blobs.pathOf(b.name));
    await new Promise<void>((resolve, reject) => {
      this.waiting.push(resolve);
      this.failed.push(reject);
      this.schedule();
    });
    return b;
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    const files = this.pendingFiles;
    const waiting = this.waiting;
    const failed = this.failed;
    this.pendingFiles = [];
    this.waiting = [];
    this.failed = [];
    try {
      await this.makeDurable(files);
      waiting.forEach((w) => w());
    } catch (e) {
      failed.forEach((f) => f(e));
    } finally {
      this.flushing = false;
      if (this.waiting.length > 0) this.schedule();
    }
  }

  private async makeDurable(files: string[]): Promise<void> {
    if (this.syncfsWorks) {
      try {
        await this.syncfs();
        return;
      } catch {
        // No coreutils sync with --file-system here: flush each file and folder instead.
        this.syncfsWorks = false;
      }
    }
    const folders = new Set<string>();
    for (const f of files) {
      const fd = fs.openSync(f, 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      folders.add(path.dirname(f));
    }
    for (const d of folders) {
      const fd = fs.openSync(d, 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    }
  }

  /**
   * syncfs(2) of the blob folder's file system through `sync -f`, run by one small helper shell (a
   * fork of this process per flush would cost more than the flush).
   */
  private syncfs(): Promise<void> {
    if (!this.helper) {
      const child = spawn('sh', ['-c', 'while read -r _; do if sync -f "$1"; then echo ok; else echo fail; fi; done', 'sh', this.blobs.dir], { stdio: ['pipe', 'pipe', 'ignore'] });
      // The helper never keeps this process alive: its pipes count only while a flush is awaited.
      child.unref();
      socketOf(child.stdin)?.unref();
      socketOf(child.stdout)?.unref();
      const answers: ((ok: boolean) => void)[] = [];
      let buf = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          answers.shift()?.(line === 'ok');
          if (answers.length === 0) socketOf(child.stdout)?.unref();
        }
      });
      const fail = () => {
        this.helper = undefined;
        for (const a of answers.splice(0)) a(false);
      };
      child.on('error', fail);
      child.on('exit', fail);
      child.stdin.on('error', fail);
      this.helper = { child, answers };
    }
    const h = this.helper!;
    return new Promise<void>((resolve, reject) => {
      h.answers.push((ok) => (ok ? resolve() : reject(new Error('sync -f failed'))));
      socketOf(h.child.stdout)?.ref();
      h.child.stdin.write('\n');
    });
  }

  /** Ends the helper shell. */
  close(): void {
    this.helper?.child.stdin.end();
    this.helper = undefined;
  }
}

function socketOf(stream: unknown): { ref(): void; unref(): void } | undefined {
  const s = stream as { ref?: () => void; unref?: () => void };
  return typeof s.ref === 'function' && typeof s.unref === 'function' ? (s as { ref(): void; unref(): void }) : undefined;
}

/** A blob left by an earlier run is used only when it holds exactly these bytes. */
function complete(target: string, sha1: string, size: number): boolean {
  let st: fs.Stats | undefined;
  try {
    // A new blob is the usual case: no exception made for it (that costs more than the stat).
    st = fs.statSync(target, { throwIfNoEntry: false });
  } catch {
    return false;
  }
  if (!st || st.size !== size) return false;
  return createHash('sha1').update(fs.readFileSync(target)).digest('hex') === sha1;
}

/**
 * Writes a blob atomically under its hash name, without a flush of its own (unless a complete one is
 * there). Reader threads call it too, with their own BlobStore on the same folder.
 */
export function writeStagedBlob(blobs: BlobStore, data: Uint8Array, sha1: string): StagedBlob {
  const target = blobs.pathOf(sha1);
  if (complete(target, sha1, data.length)) return { name: sha1, created: false };
  // The folder exists: a BlobStore makes all 256 when it is constructed.
  const tmp = path.join(path.dirname(target), `.${sha1}.${randomUUID()}.tmp`);
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, target);
  return { name: sha1, created: true };
}
