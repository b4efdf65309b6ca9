/**
 * The patient's emergency access notifications: GET /console/me/notifications lists the accesses to
 * their records under break-glass (emergency or disaster purpose of use) that the consent service
 * recorded (ConsentService.recordBreakGlass), newest first, unread ones marked; opening the page marks
 * those it showed read. The records page says how many are unread.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { ConsentAdministration } from '../../consent/administration.ts';
import type { PatientNotification } from '../../consent/model.ts';
import { shownTime } from '../../atna/report/html.ts';
import type { Config } from '../../kernel/config.ts';
import { html, type Html } from '../html.ts';
import { notice, page, type View } from '../layout.ts';
import { locals, sendPage, viewOf } from '../web.ts';

export interface NotificationDeps {
  admin: Pick<ConsentAdministration, 'notifications' | 'markNotificationsRead'>;
  config: Pick<Config, 'identity' | 'atna'>;
}

interface BreakGlassBody {
  access?: string;
  purposeOfUse?: string;
  requester?: { node?: string; facilities?: string[]; user?: string; organization?: string };
  transaction?: string;
  seen?: string[];
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function facilityLabel(config: NotificationDeps['config'], f: string): string {
  const d = config.identity.domains.find((x) => x.oid === f || x.namespace === f);
  return d?.displayName ?? f;
}

function rows(v: View, config: NotificationDeps['config'], items: PatientNotification[]): Html {
  if (items.length === 0) return notice(v.t.noEmergency);
  const tz = config.atna.reportTimeZone;
  return html`<div class="table"><table id="notifications"><caption>${v.t.meNotifications}</caption>
<thead><tr><th scope="col">${v.t.when} (${tz})</th><th scope="col">${v.t.facility}</th><th scope="col">${v.t.user}</th><th scope="col">${v.t.what}</th><th scope="col">${v.t.seenItems}</th></tr></thead>
<tbody>${items.map((n) => {
    const b = n.body as BreakGlassBody;
    const r = b.requester ?? {};
    const facilities = strings(r.facilities).map((f) => facilityLabel(config, f));
    const kind = b.access === 'disaster' ? v.t.disasterAccess : v.t.emergencyAccess;
    return html`<tr class="emergency${n.readAt ? '' : ' unread'}"><td>${n.readAt ? '' : html`<strong class="flag">${v.t.unread}</strong> `}${shownTime(n.at, tz)}</td><td>${facilities.join(', ') || '—'}</td><td>${[r.user, r.organization, r.node].filter((x) => typeof x === 'string' && x).join(' / ')}</td><td><strong class="flag">⚠ ${kind}</strong> ${typeof b.purposeOfUse === 'string' ? b.purposeOfUse : ''}<br>${typeof b.transaction === 'string' ? b.transaction : ''}</td><td>${strings(b.seen).map((s) => html`<div>${s}</div>`)}</td></tr>`;
  })}</tbody></table></div>`;
}

/** The records page's line about unread notifications, when there are any. */
export async function unreadBanner(deps: NotificationDeps, v: View, regionalId: string): Promise<Html> {
  const { unread } = await deps.admin.notifications(regionalId, 1);
  if (unread === 0) return html``;
  return html`<p class="banner" role="status"><strong class="flag">⚠ ${v.t.meNotifications}: ${v.t.unread} ${String(unread)}</strong> <a href="/console/me/notifications">${v.t.meNotifications}</a></p>`;
}

export function notificationsRouter(deps: NotificationDeps): Router {
  const router = express.Router();
  router.get('/notifications', async (req: Request, res: Response) => {
    const v = viewOf(req, res);
    const rid = locals(res).session!.user.patient!;
    const { items } = await deps.admin.notifications(rid);
    // Shown as they were (unread marked) this once, then read.
    await deps.admin.markNotificationsRead(rid, items.filter((n) => !n.readAt).map((n) => n.id));
    sendPage(res, page(v, v.t.meNotifications, rows(v, deps.config, items)));
  });
  return router;
}
