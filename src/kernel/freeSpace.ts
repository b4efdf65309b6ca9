/**
 * The free-space guard of the data folder: its free space is looked at every so often (fs.statfs, or
 * an injected probe), and while it is below the configured minimum, new writes are refused with
 * InsufficientStorage, which each protocol's edge answers with its own error. The check per request
 * is a flag: no system call on a request's path.
 */
import fsp from 'node:fs/promises';

/** Writes refused: the data folder has less free space than the configured minimum. */
export class InsufficientStorage extends Error {
  constructor(
    readonly freeBytes: number,
    readonly minFreeBytes: number,
  ) {
    super(`insufficient storage: ${freeBytes} bytes free in the data folder, below the minimum of ${minFreeBytes}; new data is refused until space is freed`);
    this.name = 'InsufficientStorage';
  }
}

/** Free bytes for an unprivileged writer on the file system of `dir`. */
export type FreeSpaceProbe = (dir: string) => Promise<number>;

export const statfsProbe: FreeSpaceProbe = async (dir) => {
  const s = await fsp.statfs(dir);
  return s.bavail * s.bsize;
};

export interface FreeSpaceOptions {
  dir: string;
  /** 0 turns the guard off. */
  minFreeBytes: number;
  intervalMs: number;
  probe?: FreeSpaceProbe;
  /** Called when the space falls below the minimum (low) and when it is back. */
  onChange?(low: boolean, freeBytes: number): void;
  /** Called when the probe fails (the last state stays). */
  onError?(e: unknown): void;
}

export class FreeSpaceGuard {
  private lowNow = false;
  private freeNow = Number.POSITIVE_INFINITY;
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;

  constructor(private readonly opts: FreeSpaceOptions) {}

  get low(): boolean {
    return this.lowNow;
  }

  get freeBytes(): number {
    return this.freeNow;
  }

  /** Throws InsufficientStorage while the space is low. */
  assertWritable(): void {
    if (this.lowNow) throw new InsufficientStorage(this.freeNow, this.opts.minFreeBytes);
  }

  /** Looks at the free space now. */
  check(): Promise<void> {
    this.checking ??= this.probeOnce().finally(() => (this.checking = undefined));
    return this.checking;
  }

  /** Looks now, then every intervalMs until stop(). */
  async start(): Promise<void> {
    if (this.opts.minFreeBytes <= 0) return;
    await this.check();
    this.timer = setInterval(() => void this.check(), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async probeOnce(): Promise<void> {
    let free: number;
    try {
      free = await (this.opts.probe ?? statfsProbe)(this.opts.dir);
    } catch (e) {
      this.opts.onError?.(e);
      return;
    }
    this.freeNow = free;
    const low = free < this.opts.minFreeBytes;
    if (low === this.lowNow) return;
    this.lowNow = low;
    this.opts.onChange?.(low, free);
  }
}
