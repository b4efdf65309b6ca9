/**
 * The audit trail in the console, for admins (the console role that grants `auditor`):
 *   GET /console/audit                          search with the ITI-81 parameters (date range, patient.identifier,
 *                                               agent-name, type, subtype, outcome), through the ITI-81 retriever,
 *                                               PAGE events at a time, newest first (?after=CURSOR: the next page,
 *                                               keyset paging on the retriever's own cursor)
 *   GET /console/audit/patients/{regionalId}/access-report   the patient access report (atna/report/accessReport.ts)
 * Both ask the decision service first (auditor role) and are audited as Audit Log Used by the reporter
 * or as a console query.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { AuditEvent, Bundle } from 'fhir/r4.js';
import type { AuditService } from '../../audit/auditService.ts';
import type { AccessReporter } from '../../atna/report/accessReport.ts';
import { shownTime } from '../../atna/report/html.ts';
import type { AuditEventRetriever } from '../../atna/iti81/retrieve.ts';
import { PAGE_PARAMETER, parseIti81 } from '../../atna/iti81/searchParameters.ts';
import { FhirError } from '../../fhir/outcome.ts';
import type { IndividualNumberDomain } from '../../identity/individualNumber/domain.ts';
import { looksLikeIndividualNumber } from '../../identity/individualNumber/freeText.ts';
import { UnknownPatient } from '../../identity/patientReference.ts';
import { consoleAudit } from '../audited.ts';
import { html, type Html } from '../html.ts';
import { notice, page, type View } from '../layout.ts';
import { ctxOf, sendPage, text, viewOf } from '../web.ts';

export interface AuditDeps {
  audit: AuditService;
  retriever: AuditEventRetriever;
  reporter: AccessReporter;
  individualNumber?: IndividualNumberDomain;
  timeZone: string;
}

const FIELDS = ['from', 'to', 'patient', 'agent', 'type', 'subtype', 'outcome'] as const;
/** Events shown on one page of a search. */
const PAGE = 50;

/** The next page of the same search: the form's fields and the retriever's cursor after this page's last event. */
function nextHref(q: Record<string, string>, bundle: Bundle): string | undefined {
  const next = bundle.link?.find((l) => l.relation === 'next')?.url;
  const cursor = next ? new URL(next, 'http://console.invalid').searchParams.get(PAGE_PARAMETER) : null;
  if (!cursor) return undefined;
  const p = new URLSearchParams();
  for (const k of FIELDS) if (q[k]) p.set(k, q[k]!);
  p.set('after', cursor);
  return `/console/audit?${p.toString()}`;
}

function form(v: View, q: Record<string, string>): Html {
  const input = (name: string, label: string, type = 'text') => html`<div><label for="a-${name}">${label}</label><input id="a-${name}" name="${name}" type="${type}" value="${q[name] ?? ''}" maxlength="128"></div>`;
  return html`<form method="get" action="/console/audit" role="search"><div class="fields">
${input('from', v.t.from, 'date')}${input('to', v.t.to, 'date')}${input('patient', v.t.patientId)}${input('agent', v.t.user)}${input('type', v.t.eventType)}${input('subtype', 'subtype')}
<div><label for="a-outcome">${v.t.outcome}</label><select id="a-outcome" name="outcome"><option value=""></option>${['0', '4', '8', '12'].map((o) => html`<option value="${o}"${q.outcome === o ? html` selected` : ''}>${o}</option>`)}</select></div>
</div><button type="submit">${v.t.search}</button></form>`;
}

const coding = (c?: { code?: string; display?: string }) => (c ? `${c.display ?? ''} (${c.code ?? ''})` : '');

function rows(v: View, bundle: Bundle, timeZone: string): Html {
  const events = (bundle.entry ?? []).map((e) => e.resource as AuditEvent);
  if (events.length === 0) return notice(v.t.noResults);
  return html`<div class="table"><table><thead><tr><th scope="col">${v.t.when}</th><th scope="col">${v.t.eventType}</th><th scope="col">${v.t.outcome}</th><th scope="col">${v.t.user}</th><th scope="col">${v.t.patient}</th></tr></thead>
<tbody>${events.map(
    (e) => html`<tr data-id="${e.id ?? ''}"><td>${shownTime(e.recorded, timeZone)}</td><td>${coding(e.type)}${(e.subtype ?? []).map((s) => html`<div class="muted">${coding(s)}</div>`)}</td><td>${e.outcome ?? ''}</td>
<td>${(e.agent ?? []).filter((a) => a.requestor).map((a) => html`<div>${a.name ?? a.who?.identifier?.value ?? a.who?.display ?? ''}</div>`)}</td>
<td>${(e.entity ?? []).filter((x) => x.type?.code === '1').map((x) => html`<div>${x.what?.identifier?.value ?? ''}</div>`)}</td></tr>`,
  )}</tbody></table></div>`;
}

export function auditRouter(deps: AuditDeps): Router {
  const router = express.Router();
  router.get('/', async (req: Request, res: Response) => {
    const v = viewOf(req, res);
    const q: Record<string, string> = {};
    for (const k of FIELDS) q[k] = text(req.query[k], 128);
    // A field holding what looks like an individual number: not searched for, audited or shown again.
    const numbered = FIELDS.filter((k) => looksLikeIndividualNumber(q[k]!));
    if (numbered.length) {
      for (const k of numbered) q[k] = '';
      return sendPage(res, page(v, v.t.auditSearch, html`${form(v, q)}${notice(v.t.individualNumberRefused, 'error')}`), 400);
    }
    if (!FIELDS.some((k) => q[k])) return sendPage(res, page(v, v.t.auditSearch, form(v, q)));
    const ctx = ctxOf(req, res);
    const params = new URLSearchParams();
    if (q.from) params.append('date', `ge${q.from}`);
    if (q.to) params.append('date', `le${q.to}`);
    if (q.patient) params.append('patient.identifier', q.patient.includes('|') ? q.patient : `|${q.patient}`);
    if (q.agent) params.append('agent-name', q.agent);
    if (q.type) params.append('type', q.type);
    if (q.subtype) params.append('subtype', q.subtype);
    if (q.outcome) params.append('outcome', q.outcome);
    // The page shows no total: counting every matching event of the trail would only slow it.
    params.append('_total', 'none');
    const after = text(req.query.after, 256);
    try {
      const parsed = parseIti81(after ? new URLSearchParams([...params, [PAGE_PARAMETER, after]]) : params, { pageSize: PAGE, maxPageSize: PAGE, lenient: false, individualNumber: deps.individualNumber });
      const bundle = await deps.retriever.search(parsed, { base: '/console/audit', self: req.originalUrl, params });
      await deps.audit.record(consoleAudit(deps.audit, ctx, { action: 'E', what: 'audit-search', description: `${params.toString()}${after ? ' (next page)' : ''}` }));
      const next = nextHref(q, bundle);
      const more = next ? html`<p><a href="${next}" rel="next" id="audit-next">»</a></p>` : '';
      sendPage(res, page(v, v.t.auditSearch, html`${form(v, q)}${rows(v, bundle, deps.timeZone)}${more}`));
    } catch (e) {
      if (e instanceof FhirError) return sendPage(res, page(v, v.t.auditSearch, html`${form(v, q)}${notice(e.message, 'error')}`), 400);
      throw e;
    }
  });
  return router;
}

/** The access report of one patient, inside the console's page. */
export function accessReportRouter(deps: AuditDeps): Router {
  const router = express.Router();
  router.get('/patients/:regionalId/access-report', async (req: Request, res: Response) => {
    const v = viewOf(req, res);
    const ctx = ctxOf(req, res);
    const via = `${req.protocol}://${req.get('host')}${req.originalUrl}`;
    if ((await deps.reporter.refusal(ctx, via)) !== undefined) return sendPage(res, page(v, v.t.forbidden, html``, { status: notice(v.t.forbidden, 'error') }), 403);
    try {
      const r = await deps.reporter.report(String(req.params.regionalId), { context: ctx, via });
      const body = html`<p>${v.t.patient}: ${r.patient.identifiers.join(', ')}</p>
<div class="table"><table><thead><tr><th scope="col">${v.t.when} (${r.timeZone})</th><th scope="col">${v.t.facility}</th><th scope="col">${v.t.user}</th><th scope="col">${v.t.what}</th><th scope="col">${v.t.outcome}</th></tr></thead>
<tbody>${r.entries.map(
        (e) => html`<tr><td>${shownTime(e.time, r.timeZone)}</td><td>${e.facilityName || e.facility}</td><td>${e.who}</td><td>${e.emergency ? html`<strong class="flag">⚠ 緊急アクセス / Emergency access</strong><br>` : ''}${e.transaction?.name ?? e.event.name}</td><td>${e.success ? '✓' : '✗'}</td></tr>`,
      )}</tbody></table></div>`;
      sendPage(res, page(v, v.t.accessReport, body));
    } catch (e) {
      if (e instanceof UnknownPatient) return sendPage(res, page(v, v.t.notFound, html``, { status: notice(v.t.notFound, 'error') }), 404);
      throw e;
    }
  });
  return router;
}
