/**
 * The page shell of every console page: the language, the Japanese font this server serves (as the
 * access report does: atna/report/fontRoutes.ts), a header with the signed-in user, the menu of what
 * their role may open, and a main region. One column on a phone; tables scroll inside their box.
 */
import { looksLikeIndividualNumber } from '../identity/individualNumber/freeText.ts';
import { fontStylesheets } from '../atna/report/fontRoutes.ts';
import { html, trusted, type Html } from './html.ts';
import type { Messages } from './i18n/messages.ts';
import type { SessionUser } from './auth/sessions.ts';
import { atLeast } from './auth/context.ts';

/** The bundled font's stylesheets (the access report's own), one per weight. */
const fontLinks = trusted(fontStylesheets('/console/fonts/noto-sans-jp/'));

export interface View {
  t: Messages;
  /** The path and query of this page (the language switch keeps it). */
  here: string;
  user?: SessionUser;
  csrf?: string;
}

/** A form field carrying the session's CSRF token: every POST form has one. */
export function csrfField(v: View): Html {
  return html`<input type="hidden" name="_csrf" value="${v.csrf ?? ''}">`;
}

function menu(v: View): Html {
  const u = v.user;
  if (!u) return html``;
  if (u.kind === 'patient') {
    const mine: [string, string][] = [['/console/me', v.t.meRecords], ['/console/me/access', v.t.meAccess], ['/console/me/sharing', v.t.meSharing], ['/console/me/notifications', v.t.meNotifications]];
    return html`<nav aria-label="${v.t.nav}"><ul>${mine.map(([href, label]) => html`<li><a href="${href}">${label}</a></li>`)}</ul></nav>`;
  }
  const items: [string, string][] = [['/console/patients', v.t.navPatients]];
  if (atLeast(u.role, 'operator')) items.push(['/console/links', v.t.navLinks]);
  if (atLeast(u.role, 'admin')) items.push(['/console/audit', v.t.navAudit], ['/console/operations', v.t.navOperations]);
  return html`<nav aria-label="${v.t.nav}"><ul>${items.map(([href, label]) => html`<li><a href="${href}">${label}</a></li>`)}</ul></nav>`;
}

function switchLang(v: View): string {
  const [p, q = ''] = v.here.split('?');
  const params = new URLSearchParams(q);
  // The page's own query, but never a value that looks like an individual number (web.ts typedId).
  for (const [k, value] of [...params]) if (looksLikeIndividualNumber(value)) params.delete(k);
  params.set('lang', v.t.otherLangCode);
  return `${p}?${params.toString()}`;
}

export function page(v: View, title: string, body: Html, opts: { status?: Html } = {}): Html {
  const u = v.user;
  return html`<!doctype html>
<html lang="${v.t.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} - ${v.t.appName}</title>
${fontLinks}
<link rel="stylesheet" href="/console/static/console.css">
<script src="/console/static/console.js" defer></script>
</head>
<body>
<a class="skip" href="#main">${v.t.skip}</a>
<header>
<p class="app">${v.t.appName}</p>
<div class="who">${
    u
      ? html`<span>${v.t.signedInAs}: ${u.displayName} (${v.t.roles[u.role] ?? u.role})</span>
<form method="post" action="${u.kind === 'patient' ? '/console/me/logout' : '/console/logout'}" class="inline">${csrfField(v)}<button type="submit">${v.t.signOut}</button></form>`
      : ''
  }
<a href="${switchLang(v)}" lang="${v.t.otherLangCode}">${v.t.otherLang}</a></div>
${menu(v)}
</header>
<main id="main">
<h1>${title}</h1>
${opts.status ?? ''}
${body}
</main>
</body>
</html>
`;
}

/** A message box: role=status for news, role=alert for errors. */
export function notice(text: string, kind: 'ok' | 'error' = 'ok'): Html {
  return kind === 'error' ? html`<p class="notice error" role="alert">${text}</p>` : html`<p class="notice" role="status">${text}</p>`;
}
