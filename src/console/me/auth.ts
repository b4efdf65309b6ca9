/**
 * Patients' sign-in to their own page:
 *   GET/POST /console/me/activate  regional ID, the one-time code from the desk, a new password: signed in
 *   GET/POST /console/me/login     regional ID and their password
 *   POST     /console/me/logout
 * Wrong codes and passwords count toward the same lockout as operators' (keyed by the patient);
 * each sign-in, failure and sign-out is audited naming the patient.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { AuditService } from '../../audit/auditService.ts';
import { httpContext } from '../../kernel/httpContext.ts';
import { authenticationAudit } from '../audited.ts';
import { consoleContext } from '../auth/context.ts';
import type { Lockout } from '../auth/lockout.ts';
import { PRE_COOKIE, preToken, SESSION_COOKIE } from '../auth/routes.ts';
import { setCookie, type Sessions, type SessionUser } from '../auth/sessions.ts';
import { html } from '../html.ts';
import { notice, page, type View } from '../layout.ts';
import { locals, sendPage, text, typedId, viewOf } from '../web.ts';
import type { PatientAccounts } from './accounts.ts';

export interface PatientAuthDeps {
  accounts: PatientAccounts;
  sessions: Sessions;
  lockout: Lockout;
  audit: AuditService;
  secure: boolean;
}

const patientUser = (regionalId: string): SessionUser => ({ kind: 'patient', name: regionalId, displayName: regionalId, role: 'patient', patient: regionalId });

function loginForm(v: View, token: string, id: string) {
  return html`<form method="post" action="/console/me/login"><input type="hidden" name="_csrf" value="${token}">
<div class="fields">
<div><label for="rid">${v.t.regionalId}</label><input id="rid" name="id" autocomplete="username" required maxlength="64" value="${id}"></div>
<div><label for="password">${v.t.password}</label><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"></div>
</div><button type="submit">${v.t.signIn}</button></form>
<p><a href="/console/me/activate">${v.t.meFirstTime}</a></p>`;
}

function activateForm(v: View, token: string, id: string) {
  return html`<p>${v.t.meActivateHint}</p>
<form method="post" action="/console/me/activate"><input type="hidden" name="_csrf" value="${token}">
<div class="fields">
<div><label for="rid">${v.t.regionalId}</label><input id="rid" name="id" autocomplete="username" required maxlength="64" value="${id}"></div>
<div><label for="code">${v.t.oneTimeCode}</label><input id="code" name="code" autocomplete="one-time-code" required maxlength="32"></div>
<div><label for="pw1">${v.t.newPassword}</label><input id="pw1" name="password" type="password" autocomplete="new-password" required minlength="10" maxlength="1024"></div>
<div><label for="pw2">${v.t.newPasswordAgain}</label><input id="pw2" name="password2" type="password" autocomplete="new-password" required minlength="10" maxlength="1024"></div>
</div><button type="submit">${v.t.signIn}</button></form>`;
}

export function patientAuthRouter(deps: PatientAuthDeps): Router {
  const router = express.Router();
  const signedIn = async (req: Request, res: Response, id: string) => {
    deps.lockout.succeeded(`patient:${id}`);
    const s = deps.sessions.create(patientUser(id));
    await deps.audit.record(authenticationAudit(deps.audit, consoleContext(httpContext(req), s.user), 'login', 0));
    res.append('Set-Cookie', setCookie(SESSION_COOKIE, s.id, { secure: deps.secure }));
    res.append('Set-Cookie', setCookie(PRE_COOKIE, '', { secure: deps.secure, maxAgeS: 0 }));
    res.redirect(303, '/console/me');
  };
  const failed = async (req: Request, id: string, why: string) => {
    const locked = deps.lockout.failed(`patient:${id}`);
    await deps.audit.record(authenticationAudit(deps.audit, consoleContext(httpContext(req), patientUser(id || '(none)')), 'login', 4, locked ? `${why}; now locked` : why));
    return locked;
  };

  router.get('/me/login', (req, res) => {
    const v = { ...viewOf(req, res), user: undefined };
    sendPage(res, page(v, v.t.meLoginTitle, loginForm(v, preToken(res, deps.secure), ''), { status: req.query.expired === '1' ? notice(v.t.sessionExpired, 'error') : undefined }));
  });
  router.post('/me/login', async (req, res) => {
    const v = { ...viewOf(req, res), user: undefined };
    const id = typedId(req.body?.id);
    const password = typeof req.body?.password === 'string' ? req.body.password.slice(0, 1024) : '';
    const again = (status: number, message: string) => sendPage(res, page(v, v.t.meLoginTitle, loginForm(v, preToken(res, deps.secure), id), { status: notice(message, 'error') }), status);
    if (deps.lockout.lockedUntil(`patient:${id}`) !== undefined) return again(429, v.t.locked);
    if (await deps.accounts.verify(id, password)) return signedIn(req, res, id);
    const locked = await failed(req, id, 'wrong regional ID or password');
    return again(locked ? 429 : 401, locked ? v.t.locked : v.t.badLogin);
  });

  router.get('/me/activate', (req, res) => {
    const v = { ...viewOf(req, res), user: undefined };
    sendPage(res, page(v, v.t.meActivateTitle, activateForm(v, preToken(res, deps.secure), '')));
  });
  router.post('/me/activate', async (req, res) => {
    const v = { ...viewOf(req, res), user: undefined };
    const id = typedId(req.body?.id);
    const again = (status: number, message: string) => sendPage(res, page(v, v.t.meActivateTitle, activateForm(v, preToken(res, deps.secure), id), { status: notice(message, 'error') }), status);
    const password = typeof req.body?.password === 'string' ? req.body.password.slice(0, 1024) : '';
    if (password !== req.body?.password2 || [...password].length < 10) return again(400, v.t.passwordsDiffer);
    if (deps.lockout.lockedUntil(`patient:${id}`) !== undefined) return again(429, v.t.locked);
    const outcome = await deps.accounts.activate(id, text(req.body?.code, 32), password);
    if (outcome === 'ok') return signedIn(req, res, id);
    const locked = await failed(req, id, `one-time code refused (${outcome})`);
    return again(locked ? 429 : 401, locked ? v.t.locked : v.t.codeRejected);
  });

  router.post('/me/logout', async (req, res) => {
    const s = locals(res).session;
    if (s) {
      deps.sessions.end(s.id);
      await deps.audit.record(authenticationAudit(deps.audit, consoleContext(httpContext(req), s.user), 'logout', 0));
    }
    res.append('Set-Cookie', setCookie(SESSION_COOKIE, '', { secure: deps.secure, maxAgeS: 0 }));
    res.redirect(303, '/console/me/login');
  });
  return router;
}
