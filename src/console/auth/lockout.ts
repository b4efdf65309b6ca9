/**
 * Lockout after repeated wrong passwords: an account (or a patient's sign-in) that failed maxFailures
 * times in a row is locked for lockoutMs, during which even the right password is refused. A success
 * clears the count. A lockout refuses new sign-ins only; sessions already open stay (OWASP ASVS 4.0.3
 * V2.2.1: anti-automation must not let an attacker who only knows a user name sign that user out).
 *
 * Bounded: a count not added to for lockoutMs is forgotten, and at most maxEntries keys are kept
 * (sign-ins with ever new names cannot grow it without limit). When full, the oldest counts that
 * have not locked go first, then the oldest locks.
 */
export const DEFAULT_MAX_ENTRIES = 10_000;

interface Failures {
  count: number;
  lockedUntil: number;
  last: number;
}

export class Lockout {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly cfg: { maxFailures: number; lockoutMs: number; maxEntries?: number },
    private readonly clock: () => number = Date.now,
  ) {}

  /** Until when the key is locked (ms), or undefined. */
  lockedUntil(key: string): number | undefined {
    const f = this.live(key);
    return f && f.lockedUntil !== 0 ? f.lockedUntil : undefined;
  }

  /** One wrong password; true when this failure locked the key. */
  failed(key: string): boolean {
    const now = this.clock();
    let f = this.live(key);
    if (!f) {
      this.makeRoom(now);
      f = { count: 0, lockedUntil: 0, last: now };
    }
    f.count++;
    f.last = now;
    // Re-inserted: the map's order is the order of last failure (the oldest first).
    this.failures.delete(key);
    this.failures.set(key, f);
    if (f.count >= this.cfg.maxFailures) {
      f.lockedUntil = now + this.cfg.lockoutMs;
      return true;
    }
    return false;
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }

  get size(): number {
    return this.failures.size;
  }

  private expired(f: Failures, now: number): boolean {
    return f.lockedUntil !== 0 ? now >= f.lockedUntil : now - f.last >= this.cfg.lockoutMs;
  }

  private live(key: string): Failures | undefined {
    const f = this.failures.get(key);
    if (f && this.expired(f, this.clock())) {
      this.failures.delete(key);
      return undefined;
    }
    return f;
  }

  private makeRoom(now: number): void {
    const max = this.cfg.maxEntries ?? DEFAULT_MAX_ENTRIES;
    if (this.failures.size < max) return;
    for (const [k, f] of this.failures) if (this.expired(f, now)) this.failures.delete(k);
    for (const [k, f] of this.failures) {
      if (this.failures.size < max) return;
      if (f.lockedUntil === 0) this.failures.delete(k);
    }
    for (const k of this.failures.keys()) {
      if (this.failures.size < max) return;
      this.failures.delete(k);
    }
  }
}
