/**
 * Temporary files a crash left behind (a spooled MTOM part, a blob being written before its rename):
 * removed when the server starts. Only files older than the sweep's start are removed, so a write
 * that began since (this process's own) is never touched; the folders are read as streams, so a blob
 * store of millions of files costs no memory and does not delay the listeners.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';

export interface LeftoverSweep {
  /** Folders to look in (not recursively); a missing one is skipped. */
  dirs: readonly string[];
  /** Which names are temporary files. */
  isTemporary(name: string): boolean;
  /** Files modified at or after this time (ms since the epoch) are kept. */
  before: number;
}

/** Removes the leftovers; resolves with how many were removed. */
export async function removeLeftoverFiles(sweep: LeftoverSweep): Promise<number> {
  let removed = 0;
  for (const dir of sweep.dirs) {
    let d;
    try {
      d = await fsp.opendir(dir);
    } catch {
      continue;
    }
    for await (const e of d) {
      if (!e.isFile() || !sweep.isTemporary(e.name)) continue;
      const file = path.join(dir, e.name);
      const st = await fsp.stat(file).catch(() => undefined);
      if (!st || st.mtimeMs >= sweep.before) continue;
      await fsp.rm(file, { force: true });
      removed++;
    }
  }
  return removed;
}
