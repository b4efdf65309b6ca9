/**
 * Lockout after repeated wrong passwords: an account (or a patient's sign-in) that failed maxFailures
 * times in a row is locked for lockoutMs, during which even the right password is refused. A success
 * clears the count.
 */
export class Lockout {
  private readonly failures = new Map<string, { count: number; lockedUntil: number }>();

  constructor(
    private readonly cfg: { maxFailures: number; lockoutMs: number },
    private readonly clock: () => number = Date.now,
  ) {}

  /** Until when the key is locked (ms), or undefined. */
  lockedUntil(key: string): number | undefined {
    const f = this.failures.get(key);
    if (!f || f.lockedUntil === 0) return undefined;
    if (this.clock() >= f.lockedUntil) {
      this.failures.delete(key);
      return undefined;
    }
    return f.lockedUntil;
  }

  /** One wrong password; true when this failure locked the key. */
  failed(key: string): boolean {
    const f = this.failures.get(key) ?? { count: 0, lockedUntil: 0 };
    f.count++;
    this.failures.set(key, f);
    if (f.count >= this.cfg.maxFailures) {
      f.lockedUntil = this.clock() + this.cfg.lockoutMs;
      return true;
    }
    return false;
  }

  succeeded(key: string): void {
    this.failures.delete(key);
  }
}
