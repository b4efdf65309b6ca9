/**
 * Console sessions, kept in memory (a restart signs everyone out): an unguessable id in an HttpOnly,
 * SameSite=Strict cookie (Secure over TLS), an idle and an absolute expiry, and one CSRF token per
 * session that every form carries (the synchronizer token pattern) and every POST must present.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ConsoleRole } from '../../kernel/config.ts';

export interface SessionUser {
  /** operator: a console account; patient: a patient signed in to their own page. */
  kind: 'operator' | 'patient';
  name: string;
  displayName: string;
  role: ConsoleRole | 'patient';
  /** For a patient: the regional ID of the person they are. */
  patient?: string;
}

export interface Session {
  id: string;
  user: SessionUser;
  csrf: string;
  createdAt: number;
  lastSeen: number;
}

const token = () => randomBytes(32).toString('base64url');

/** Equal strings, compared in constant time. */
export function sameToken(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class Sessions {
  private readonly byId = new Map<string, Session>();

  constructor(
    private readonly cfg: { idleMs: number; maxMs: number; maxSessions?: number },
    private readonly clock: () => number = Date.now,
  ) {}

  create(user: SessionUser): Session {
    this.sweep();
    const max = this.cfg.maxSessions ?? 10_000;
    if (this.byId.size >= max) {
      const oldest = [...this.byId.values()].sort((a, b) => a.lastSeen - b.lastSeen)[0];
      if (oldest) this.byId.delete(oldest.id);
    }
    const now = this.clock();
    const s: Session = { id: token(), user, csrf: token(), createdAt: now, lastSeen: now };
    this.byId.set(s.id, s);
    return s;
  }

  /** The live session of this id (its idle time restarted), or undefined: unknown, or expired and dropped. */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.byId.get(id);
    if (!s) return undefined;
    const now = this.clock();
    if (this.expired(s, now)) {
      this.byId.delete(id);
      return undefined;
    }
    s.lastSeen = now;
    return s;
  }

  end(id: string | undefined): void {
    if (id) this.byId.delete(id);
  }

  /** Every session of one operator account or patient ends (a password change, a lockout). */
  endAllOf(kind: SessionUser['kind'], name: string): void {
    for (const [id, s] of this.byId) if (s.user.kind === kind && s.user.name === name) this.byId.delete(id);
  }

  get size(): number {
    return this.byId.size;
  }

  private expired(s: Session, now: number): boolean {
    return now - s.lastSeen >= this.cfg.idleMs || now - s.createdAt >= this.cfg.maxMs;
  }

  private sweep(): void {
    const now = this.clock();
    for (const [id, s] of this.byId) if (this.expired(s, now)) this.byId.delete(id);
  }
}

/** Reads one cookie of a Cookie header (RFC 6265 5.4). */
export function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** A Set-Cookie value of the console: HttpOnly, SameSite=Strict, Path /console, Secure over TLS. */
export function setCookie(name: string, value: string, opts: { secure: boolean; maxAgeS?: number }): string {
  const parts = [`${name}=${value}`, 'Path=/console', 'HttpOnly', 'SameSite=Strict'];
  if (opts.secure) parts.push('Secure');
  if (opts.maxAgeS !== undefined) parts.push(`Max-Age=${opts.maxAgeS}`);
  return parts.join('; ');
}
