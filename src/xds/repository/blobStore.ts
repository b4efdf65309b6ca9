/**
 * Document bytes in files under the data folder, named by their SHA-1 (so one blob holds identical
 * documents once), written atomically: a temporary file in the same folder, fsync, rename, fsync of
 * the folder. A crash after a blob is written but before its registration commits leaves an orphan
 * blob and no registered entry: never an entry without its bytes.
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export type BlobSource = { data: Buffer } | { file: string; sha1: string; size: number };

export interface StoredBlob {
  name: string;
  hash: string;
  size: number;
  /** False when an identical blob was already there. */
  created: boolean;
}

export class BlobStore {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  pathOf(name: string): string {
    if (!/^[0-9a-f]{40}$/.test(name)) throw new Error(`not a blob name: ${name}`);
    return path.join(this.dir, name.slice(0, 2), name);
  }

  has(name: string): boolean {
    return fs.existsSync(this.pathOf(name));
  }

  put(src: BlobSource): StoredBlob {
    const hash = 'data' in src ? createHash('sha1').update(src.data).digest('hex') : src.sha1;
    const size = 'data' in src ? src.data.length : src.size;
    const target = this.pathOf(hash);
    if (fs.existsSync(target)) {
      if ('file' in src) fs.rmSync(src.file, { force: true });
      return { name: hash, hash, size, created: false };
    }
    const folder = path.dirname(target);
    fs.mkdirSync(folder, { recursive: true });
    const tmp = path.join(folder, `.${hash}.${randomUUID()}.tmp`);
    if ('data' in src) {
      const fd = fs.openSync(tmp, 'w');
      try {
        fs.writeSync(fd, src.data);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } else {
      // A spooled attachment is moved, not copied, when it is on the same file system.
      try {
        fs.renameSync(src.file, tmp);
      } catch {
        fs.copyFileSync(src.file, tmp);
        fs.rmSync(src.file, { force: true });
      }
      const fd = fs.openSync(tmp, 'r+');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
    const dfd = fs.openSync(folder, 'r');
    fs.fsyncSync(dfd);
    fs.closeSync(dfd);
    return { name: hash, hash, size, created: true };
  }

  remove(name: string): void {
    fs.rmSync(this.pathOf(name), { force: true });
  }
}
