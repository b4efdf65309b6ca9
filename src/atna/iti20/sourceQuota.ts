/**
 * Per-source quotas of the Audit Record Repository's intake: each source (a peer address) may hand in
 * so many messages and so many bytes per window. What is over quota is dropped, not stored; each
 * source's dropping is reported once when it starts in a window, and with its count when the window
 * ends, never once per message. Sources quiet for a window are forgotten.
 */
export interface QuotaLimits {
  messages: number;
  bytes: number;
  windowMs: number;
}

export interface QuotaReport {
  /** A source went over its quota in a window: the first message dropped. */
  exceeded(source: string, what: 'messages' | 'bytes', limit: number): void;
  /** The window in which a source was over quota ended: how many it had dropped. */
  dropped(source: string, count: number, bytes: number): void;
}

interface Window {
  start: number;
  messages: number;
  bytes: number;
  dropped: number;
  droppedBytes: number;
}

export class SourceQuota {
  private readonly windows = new Map<string, Window>();
  private lastSweep = 0;

  constructor(
    private readonly limits: QuotaLimits,
    private readonly report: QuotaReport,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a message of `bytes` from `source`; false when it is over the quota (to be dropped). */
  admit(source: string, bytes: number): boolean {
    const now = this.now();
    if (now - this.lastSweep >= this.limits.windowMs) this.sweep(now);
    let w = this.windows.get(source);
    if (!w || now - w.start >= this.limits.windowMs) {
      if (w) this.close(source, w);
      w = { start: now, messages: 0, bytes: 0, dropped: 0, droppedBytes: 0 };
      this.windows.set(source, w);
    }
    const over = w.messages + 1 > this.limits.messages ? 'messages' : w.bytes + bytes > this.limits.bytes ? 'bytes' : undefined;
    if (!over) {
      w.messages++;
      w.bytes += bytes;
      return true;
    }
    if (w.dropped === 0) this.report.exceeded(source, over, over === 'messages' ? this.limits.messages : this.limits.bytes);
    w.dropped++;
    w.droppedBytes += bytes;
    return false;
  }

  /** Reports the windows still open (at shutdown). */
  flush(): void {
    for (const [source, w] of this.windows) this.close(source, w);
    this.windows.clear();
  }

  private close(source: string, w: Window): void {
    if (w.dropped > 0) this.report.dropped(source, w.dropped, w.droppedBytes);
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [source, w] of this.windows) {
      if (now - w.start < this.limits.windowMs) continue;
      this.close(source, w);
      this.windows.delete(source);
    }
  }
}
