/**
 * At most a fixed number of calls in flight; the others wait their turn, first come first served.
 * The ingest works on many patients at once (larger commits in process); a hospital adapter sending
 * to a running HIE keeps its connections to a few all the same.
 */
export class RequestSlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`request slots: ${size} is not a positive integer`);
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.active < this.size) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await call();
    } finally {
      // The slot passes straight to the next caller waiting, or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
