/**
 * The web console under /console, one express router the HTTP listener mounts: security headers,
 * the language, the stylesheet, script and font, sessions, the CSRF check of every POST, sign-in,
 * then each page area behind the role it needs. Every page is rendered on the server (html.ts).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { AuditService } from '../audit/auditService.ts';
import { EventIds } from '../audit/codes.ts';
import { fontRouter } from '../atna/report/fontRoutes.ts';
import { httpContext } from '../kernel/httpContext.ts';
import type { ConsoleRole } from '../kernel/config.ts';
import type { Logger } from '../kernel/logger.ts';
import { CONSOLE_CSS, CONSOLE_JS } from './assets.ts';
import { consoleAudit } from './audited.ts';
import { atLeast, consoleContext } from './auth/context.ts';
import { authRouter, PRE_COOKIE, SESSION_COOKIE, type AuthDeps } from './auth/routes.ts';
import { cookie, sameToken, setCookie } from './auth/sessions.ts';
import { html } from './html.ts';
import { langOf, messages } from './i18n/messages.ts';
import { notice, page } from './layout.ts';
import { locals, sendPage, viewOf } from './web.ts';

export interface ConsoleArea {
  /** Where it is mounted under /console, e.g. /patients. */
  path: string;
  /** The least console role that opens it; 'patient' for the patients' own pages. */
  role: ConsoleRole | 'patient';
  router: Router;
}

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; frame-src 'self'; object-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'";

export function consoleRouter(deps: AuthDeps & { areas: ConsoleArea[]; audit: AuditService; log: Logger; patientAuth?: Router }): Router {
  const router = express.Router();
  router.use((req: Request, res: Response, next: NextFunction) => {
    res.set({ 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'SAMEORIGIN' });
    const lang = langOf(req.query.lang, cookie(req.headers.cookie, 'hie_lang'));
    if (req.query.lang === 'en' || req.query.lang === 'ja') res.append('Set-Cookie', `hie_lang=${lang}; Path=/console; SameSite=Strict${deps.secure ? '; Secure' : ''}`);
    locals(res).lang = lang;
    next();
  });
  router.get('/static/console.css', (_req, res) => void res.type('text/css; charset=utf-8').set('Cache-Control', 'public, max-age=3600').send(CONSOLE_CSS));
  router.get('/static/console.js', (_req, res) => void res.type('text/javascript; charset=utf-8').set('Cache-Control', 'public, max-age=3600').send(CONSOLE_JS));
  router.use('/fonts', fontRouter());
  router.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 }));

  router.use((req: Request, res: Response, next: NextFunction) => {
    const s = deps.sessions.get(cookie(req.headers.cookie, SESSION_COOKIE));
    if (s) locals(res).session = s;
    next();
  });

  // CSRF: the sign-in forms carry the pre-session token of their cookie; every other POST its session's token.
  router.use(async (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST') return next();
    const given = typeof req.body?._csrf === 'string' ? (req.body._csrf as string) : undefined;
    const s = locals(res).session;
    const signIn = req.path === '/login' || req.path === '/me/login' || req.path === '/me/activate';
    const expected = signIn ? cookie(req.headers.cookie, PRE_COOKIE) : s?.csrf;
    if (!signIn && !s) return next(); // the guard answers: the session expired
    if (expected && sameToken(given, expected)) return next();
    const ctx = s ? consoleContext(httpContext(req), s.user) : httpContext(req);
    await deps.audit.record(consoleAudit(deps.audit, ctx, { eventId: EventIds.securityAlert, action: 'E', what: 'csrf-refused', outcome: 8, description: `POST ${req.path} without this session's CSRF token` }));
    const v = viewOf(req, res);
    sendPage(res, page(v, v.t.error, html``, { status: notice(v.t.badCsrf, 'error') }), 403);
  });

  router.use(authRouter(deps));
  if (deps.patientAuth) router.use(deps.patientAuth);
  router.get('/', (_req, res) => res.redirect(303, '/console/patients'));

  for (const area of deps.areas) router.use(area.path, guard(area.role, deps), area.router);

  router.use((req: Request, res: Response) => {
    const v = viewOf(req, res);
    sendPage(res, page(v, v.t.notFound, html``, { status: notice(v.t.notFound, 'error') }), 404);
  });
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    deps.log.error('console.error', { path: req.path, error: err instanceof Error ? err.message : String(err) });
    if (res.headersSent) return;
    const v = viewOf(req, res);
    sendPage(res, page(v, v.t.error, html``, { status: notice(v.t.error, 'error') }), 500);
  });
  return router;
}

/** Only a signed-in user of at least `role`: no session: to the sign-in page (expired when a cookie came); too low a role: 403, audited. */
function guard(role: ConsoleRole | 'patient', deps: { audit: AuditService; secure: boolean }) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const s = locals(res).session;
    const patientArea = role === 'patient';
    if (!s || (s.user.kind === 'patient') !== patientArea) {
      const login = patientArea ? '/console/me/login' : '/console/login';
      const came = cookie(req.headers.cookie, SESSION_COOKIE);
      if (came && !s) res.append('Set-Cookie', setCookie(SESSION_COOKIE, '', { secure: deps.secure, maxAgeS: 0 }));
      if (req.method === 'GET') return res.redirect(303, came ? `${login}?expired=1` : login);
      const v = viewOf(req, res);
      return sendPage(res, page({ ...v, user: undefined }, v.t.signIn, html`<p><a href="${login}">${v.t.signIn}</a></p>`, { status: notice(v.t.sessionExpired, 'error') }), 401);
    }
    if (patientArea || atLeast(s.user.role, role as ConsoleRole)) return next();
    await deps.audit.record(consoleAudit(deps.audit, consoleContext(httpContext(req), s.user), { eventId: EventIds.securityAlert, action: 'E', what: 'forbidden', outcome: 4, description: `${req.method} ${req.path} needs the console role ${role}` }));
    const t = messages(locals(res).lang);
    sendPage(res, page(viewOf(req, res), t.forbidden, html``, { status: notice(t.forbidden, 'error') }), 403);
  };
}
