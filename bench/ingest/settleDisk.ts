/**
 * Writes of an earlier step (the generated tree, an earlier floor's blob files, none of them flushed)
 * put on disk before the next timed step starts, so that the kernel's write-back of them does not
 * land in that step's time: `sync`, outside every clock.
 */
import { execFileSync } from 'node:child_process';

export function settleDisk(): void {
  execFileSync('sync');
}
