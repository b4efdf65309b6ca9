/**
 * How far behind the primary a replica is, in time: the primary's write-ahead log position is
 * sampled at each check; a replica that has replayed up to the position sampled at time T holds
 * everything committed before T, so it is at most `now - T` behind. A replica behind every sample
 * kept is further behind than anyone cares to know (Infinity). Comparing positions, not the
 * replica's last replay time, keeps an idle primary's replica at no lag.
 */
export class PrimaryPositions {
  /** Samples, oldest first: the primary's position and when it was read. */
  private readonly samples: { lsn: bigint; at: number }[] = [];

  /** @param keepMs how long a sample is kept (beyond it, lag is Infinity anyway). */
  constructor(private readonly keepMs: number) {}

  add(lsn: bigint, at: number): void {
    this.samples.push({ lsn, at });
    while (this.samples.length > 1 && this.samples[0].at < at - this.keepMs) this.samples.shift();
  }

  /** The lag of a replica that has replayed up to `replayed`, at `now`. */
  lagOf(replayed: bigint, now: number): number {
    for (let i = this.samples.length - 1; i >= 0; i--) {
      if (this.samples[i].lsn <= replayed) return Math.max(0, now - this.samples[i].at);
    }
    return Infinity;
  }
}
