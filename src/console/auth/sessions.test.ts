import { expect } from 'chai';
import { cookie, sameToken, Sessions, setCookie } from './sessions.ts';

const user = { kind: 'operator' as const, name: 'sato', displayName: '佐藤', role: 'operator' as const };

describe('console: sessions and CSRF tokens', () => {
  it('gives each session an unguessable id and its own CSRF token', () => {
    const s = new Sessions({ idleMs: 1000, maxMs: 10_000 });
    const a = s.create(user);
    const b = s.create(user);
    expect(a.id).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(a.id).not.to.equal(b.id);
    expect(a.csrf).not.to.equal(b.csrf);
    expect(s.get(a.id)?.user.name).to.equal('sato');
    expect(s.get('forged')).to.equal(undefined);
    expect(s.get(undefined)).to.equal(undefined);
  });

  it('expires a session left idle, and one past its absolute lifetime even when used', () => {
    let now = 0;
    const s = new Sessions({ idleMs: 1000, maxMs: 2500 }, () => now);
    const a = s.create(user);
    now = 999;
    expect(s.get(a.id)).not.to.equal(undefined);
    now = 1998;
    expect(s.get(a.id)).not.to.equal(undefined); // used: idle time restarts
    now = 2499;
    expect(s.get(a.id)).not.to.equal(undefined);
    now = 2500;
    expect(s.get(a.id)).to.equal(undefined); // absolute lifetime
    const b = s.create(user);
    now += 1000;
    expect(s.get(b.id)).to.equal(undefined); // idle
    expect(s.size).to.equal(0);
  });

  it('ends one session, or every session of an account', () => {
    const s = new Sessions({ idleMs: 1000, maxMs: 10_000 });
    const a = s.create(user);
    const b = s.create(user);
    const c = s.create({ ...user, name: 'other' });
    s.end(a.id);
    expect(s.get(a.id)).to.equal(undefined);
    s.endAllOf('operator', 'sato');
    expect(s.get(b.id)).to.equal(undefined);
    expect(s.get(c.id)).not.to.equal(undefined);
  });

  it('keeps at most maxSessions, dropping the least recently used', () => {
    let now = 0;
    const s = new Sessions({ idleMs: 100_000, maxMs: 100_000, maxSessions: 2 }, () => now++);
    const a = s.create(user);
    const b = s.create(user);
    s.get(a.id);
    s.create(user);
    expect(s.get(b.id)).to.equal(undefined);
    expect(s.get(a.id)).not.to.equal(undefined);
  });

  it('compares CSRF tokens exactly: missing, shorter, longer or altered tokens fail', () => {
    const s = new Sessions({ idleMs: 1000, maxMs: 10_000 });
    const t = s.create(user).csrf;
    expect(sameToken(t, t)).to.equal(true);
    for (const forged of [undefined, '', t.slice(1), t + 'A', t.slice(0, -1) + (t.endsWith('A') ? 'B' : 'A')]) expect(sameToken(forged, t)).to.equal(false);
  });

  it('reads and writes cookies with HttpOnly, SameSite=Strict, and Secure over TLS', () => {
    expect(cookie('a=1; hie_console=xyz; b=2', 'hie_console')).to.equal('xyz');
    expect(cookie(undefined, 'x')).to.equal(undefined);
    expect(setCookie('s', 'v', { secure: false })).to.equal('s=v; Path=/console; HttpOnly; SameSite=Strict');
    expect(setCookie('s', '', { secure: true, maxAgeS: 0 })).to.equal('s=; Path=/console; HttpOnly; SameSite=Strict; Secure; Max-Age=0');
  });
});
