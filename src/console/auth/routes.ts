/**
 * Sign-in and sign-out of operators:
 *   GET  /console/login    the form (with a pre-session CSRF token in a cookie and the form)
 *   POST /console/login    user name and password: a session, or 401 (429 while the account is locked)
 *   POST /console/logout   ends the session
 * Each sign-in, failed sign-in and sign-out is audited (User Authentication) naming the user.
 */
import { randomBytes } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import type { AuditService } from '../../audit/auditService.ts';
import { httpContext } from '../../kernel/httpContext.ts';
import type { Logger } from '../../kernel/logger.ts';
import { authenticationAudit } from '../audited.ts';
import { html } from '../html.ts';
import { notice, page, type View } from '../layout.ts';
import { locals, sendPage, typedId, viewOf } from '../web.ts';
import type { Accounts } from './accounts.ts';
import { consoleContext } from './context.ts';
import type { Lockout } from './lockout.ts';
import { decoyHash, verifyPassword } from './passwords.ts';
import { setCookie, type Sessions } from './sessions.ts';

export const SESSION_COOKIE = 'hie_console';
export const PRE_COOKIE = 'hie_console_pre';

export interface AuthDeps {
  accounts: Accounts;
  sessions: Sessions;
  lockout: Lockout;
  audit: AuditService;
  log: Logger;
  secure: boolean;
  /** An OpenID Connect provider is configured: the sign-in page offers it (oidc.ts). */
  oidc?: boolean;
}

/** A fresh pre-session CSRF token, set as a cookie; the form carries the same value. */
export function preToken(res: Response, secure: boolean): string {
  const t = randomBytes(24).toString('base64url');
  res.append('Set-Cookie', setCookie(PRE_COOKIE, t, { secure, maxAgeS: 3600 }));
  return t;
}

function loginPage(v: View, token: string, message?: { text: string; kind: 'ok' | 'error' }, name = '', oidc = false) {
  return page(
    v,
    v.t.signInTitle,
    html`<form method="post" action="/console/login">
<input type="hidden" name="_csrf" value="${token}">
<div class="fields">
<div><label for="name">${v.t.userName}</label><input id="name" name="name" autocomplete="username" required maxlength="64" value="${name}"></div>
<div><label for="password">${v.t.password}</label><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"></div>
</div>
<button type="submit">${v.t.signIn}</button>
</form>
${oidc ? html`<p><a href="/console/oidc/login">${v.t.signInOidc}</a></p>` : ''}`,
    { status: message ? notice(message.text, message.kind) : undefined },
  );
}

export function authRouter(deps: AuthDeps): Router {
  const router = express.Router();
  router.get('/login', (req: Request, res: Response) => {
    const v = viewOf(req, res);
    const expired = req.query.expired === '1';
    sendPage(res, loginPage({ ...v, user: undefined }, preToken(res, deps.secure), expired ? { text: v.t.sessionExpired, kind: 'error' } : undefined, '', deps.oidc));
  });

  router.post('/login', async (req: Request, res: Response) => {
    const v = { ...viewOf(req, res), user: undefined };
    const name = typedId(req.body?.name);
    const password = typeof req.body?.password === 'string' ? req.body.password.slice(0, 1024) : '';
    const user = { kind: 'operator' as const, name: name || '(none)', displayName: name, role: 'viewer' as const };
    const ctx = consoleContext(httpContext(req), user);
    const again = (status: number, message: string) => sendPage(res, loginPage(v, preToken(res, deps.secure), { text: message, kind: 'error' }, name, deps.oidc), status);
    if (deps.lockout.lockedUntil(name) !== undefined) {
      await deps.audit.record(authenticationAudit(deps.audit, ctx, 'login', 4, 'account locked after repeated wrong passwords'));
      return again(429, v.t.locked);
    }
    const account = name ? deps.accounts.find(name) : undefined;
    const ok = await verifyPassword(password, account?.passwordHash ?? (await decoyHash()));
    if (!account || !ok) {
      const locked = deps.lockout.failed(name);
      await deps.audit.record(authenticationAudit(deps.audit, ctx, 'login', 4, locked ? 'wrong password; account now locked' : 'wrong user name or password'));
      // The lock refuses new sign-ins only: the account's open sessions stay (lockout.ts).
      return again(locked ? 429 : 401, locked ? v.t.locked : v.t.badLogin);
    }
    deps.lockout.succeeded(name);
    const session = deps.sessions.create({ kind: 'operator', name: account.name, displayName: account.displayName ?? account.name, role: account.role });
    await deps.audit.record(authenticationAudit(deps.audit, consoleContext(httpContext(req), session.user), 'login', 0));
    res.append('Set-Cookie', setCookie(SESSION_COOKIE, session.id, { secure: deps.secure }));
    res.append('Set-Cookie', setCookie(PRE_COOKIE, '', { secure: deps.secure, maxAgeS: 0 }));
    res.redirect(303, '/console/patients');
  });

  router.post('/logout', async (req: Request, res: Response) => {
    const s = locals(res).session;
    if (s) {
      deps.sessions.end(s.id);
      await deps.audit.record(authenticationAudit(deps.audit, consoleContext(httpContext(req), s.user), 'logout', 0));
    }
    res.append('Set-Cookie', setCookie(SESSION_COOKIE, '', { secure: deps.secure, maxAgeS: 0 }));
    res.redirect(303, s?.user.kind === 'patient' ? '/console/me/login' : '/console/login');
  });
  return router;
}
