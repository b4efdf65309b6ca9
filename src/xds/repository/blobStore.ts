/**
 * Document bytes in files under the data folder, named by their SHA-1 (so one blob holds identical
 * documents once), written atomically: a temporary file in the same folder, fsync, rename, fsync of
 * the folder. A crash after a blob is written but before its registration commits leaves an orphan
 * blob and no registered entry: never an entry without its bytes.
 */
import { createHash, randomUUID, webcrypto } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { LeftoverSweep } from '../../kernel/leftoverFiles.ts';

/** Bytes in memory (with their SHA-1 when the reader computed it on the way in) or a spooled file. */
export type BlobSource = { data: Buffer; sha1?: string } | { file: string; sha1: string; size: number };

/** The SHA-1 (lowercase hex) and size of a source, hashing in-memory bytes only when no one did yet. */
export function factsOf(src: BlobSource): { hash: string; size: number } {
  if ('data' in src) return { hash: src.sha1 ?? createHash('sha1').update(src.data).digest('hex'), size: src.data.length };
  return { hash: src.sha1, size: src.size };
}

/** factsOf without hashing on the event loop: in-memory bytes are digested in the thread pool, and the source remembers it. */
export async function factsOfAsync(src: BlobSource): Promise<{ hash: string; size: number }> {
  if ('data' in src && src.sha1 === undefined) src.sha1 = Buffer.from(await webcrypto.subtle.digest('SHA-1', src.data)).toString('hex');
  return factsOf(src);
}

export interface StoredBlob {
  name: string;
  hash: string;
  size: number;
  /** False when an identical blob was already there. */
  created: boolean;
}

/** Where a crash may leave a blob's temporary file (`.<sha1>.<uuid>.tmp` beside its target): for the sweep at start. */
export function blobLeftovers(dir: string): Omit<LeftoverSweep, 'before'> {
  const dirs = Array.from({ length: 256 }, (_, i) => path.join(dir, i.toString(16).padStart(2, '0')));
  return { dirs, isTemporary: (name) => name.startsWith('.') && name.endsWith('.tmp') };
}

export class BlobStore {
  /**
   * The 256 two-hex-digit folders are made once, here, and the store's folder synced once: a
   * document never waits for a new folder (a new inode and its fsync), and a blob's folder entry is
   * on disk before any blob is written into it.
   */
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    let made = false;
    for (let i = 0; i < 256; i++) {
      const folder = path.join(dir, i.toString(16).padStart(2, '0'));
      if (fs.existsSync(folder)) continue;
      fs.mkdirSync(folder, { recursive: true });
      made = true;
    }
    if (made) {
      const dfd = fs.openSync(dir, 'r');
      try {
        fs.fsyncSync(dfd);
      } finally {
        fs.closeSync(dfd);
      }
    }
  }

  pathOf(name: string): string {
    if (!/^[0-9a-f]{40}$/.test(name)) throw new Error(`not a blob name: ${name}`);
    return path.join(this.dir, name.slice(0, 2), name);
  }

  has(name: string): boolean {
    return fs.existsSync(this.pathOf(name));
  }

  /**
   * Writes a blob atomically (temporary file, fsync, rename, fsync of the folder) without blocking
   * the event loop: the writes and fsyncs of concurrent requests run in the thread pool side by side.
   */
  async write(src: BlobSource): Promise<StoredBlob> {
    const { hash, size } = factsOf(src);
    const target = this.pathOf(hash);
    if (fs.existsSync(target)) {
      if ('file' in src) await fsp.rm(src.file, { force: true });
      return { name: hash, hash, size, created: false };
    }
    const folder = path.dirname(target);
    const tmp = path.join(folder, `.${hash}.${randomUUID()}.tmp`);
    if ('file' in src) {
      // A spooled attachment is moved, not copied, when it is on the same file system.
      await fsp.rename(src.file, tmp).catch(async () => {
        await fsp.copyFile(src.file, tmp);
        await fsp.rm(src.file, { force: true });
      });
    }
    const fh = await fsp.open(tmp, 'data' in src ? 'w' : 'r+');
    try {
      if ('data' in src) await fh.writeFile(src.data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, target);
    const dir = await fsp.open(folder, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return { name: hash, hash, size, created: true };
  }

  remove(name: string): void {
    fs.rmSync(this.pathOf(name), { force: true });
  }
}
