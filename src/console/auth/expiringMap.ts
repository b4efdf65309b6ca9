/**
 * A map whose entries expire after ttlMs and of which at most maxEntries are kept (the oldest goes
 * first): what the console keeps per pending sign-in (OpenID Connect state) must not grow without
 * limit when a client starts sign-ins it never finishes.
 */
export class ExpiringMap<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();

  constructor(
    private readonly cfg: { ttlMs: number; maxEntries: number },
    private readonly clock: () => number = Date.now,
  ) {}

  set(key: string, value: V): void {
    const now = this.clock();
    this.entries.delete(key);
    if (this.entries.size >= this.cfg.maxEntries) this.sweep(now);
    // Insertion order is age order: the first keys are the oldest.
    for (const k of this.entries.keys()) {
      if (this.entries.size < this.cfg.maxEntries) break;
      this.entries.delete(k);
    }
    this.entries.set(key, { value, at: now });
  }

  /** The value and removes it (each entry is used once); undefined when unknown or expired. */
  take(key: string): V | undefined {
    const e = this.entries.get(key);
    this.entries.delete(key);
    return e && this.clock() - e.at < this.cfg.ttlMs ? e.value : undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(now: number): void {
    for (const [k, e] of this.entries) if (now - e.at >= this.cfg.ttlMs) this.entries.delete(k);
  }
}
