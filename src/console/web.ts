/**
 * What every console route shares: the View of a request (language, user, CSRF token), sending a
 * page, and the request context of the signed-in user.
 */
import type { Request, Response } from 'express';
import { looksLikeIndividualNumber } from '../identity/individualNumber/freeText.ts';
import { httpContext } from '../kernel/httpContext.ts';
import type { RequestContext } from '../kernel/requestContext.ts';
import { consoleContext } from './auth/context.ts';
import type { Session } from './auth/sessions.ts';
import type { Html } from './html.ts';
import { messages, type Lang } from './i18n/messages.ts';
import type { View } from './layout.ts';

export interface Locals {
  lang: Lang;
  session?: Session;
}

export function locals(res: Response): Locals {
  return res.locals as Locals;
}

export function viewOf(req: Request, res: Response): View {
  const l = locals(res);
  return { t: messages(l.lang), here: req.originalUrl, user: l.session?.user, csrf: l.session?.csrf };
}

export function sendPage(res: Response, body: Html, status = 200): void {
  res.status(status).type('text/html; charset=utf-8').set('Cache-Control', 'no-store').send(body.text);
}

/** The request context of the signed-in user (a route behind the sign-in guard). */
export function ctxOf(req: Request, res: Response): RequestContext {
  const s = locals(res).session;
  if (!s) throw new Error('console route without a session: the sign-in guard did not run');
  return consoleContext(httpContext(req), s.user);
}

/** One query or form value as text (the first when repeated), trimmed; '' when absent. */
export function text(v: unknown, max = 256): string {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.trim().slice(0, max) : '';
}

/**
 * A typed user name or ID, or '' when it looks like an individual number (identity/individualNumber/
 * freeText.ts): such a value is never shown again, audited, logged or kept, not even as a lockout key
 * (docs/individual-number.md).
 */
export function typedId(v: unknown, max = 64): string {
  const s = text(v, max);
  return looksLikeIndividualNumber(s) ? '' : s;
}
