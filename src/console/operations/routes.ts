/**
 * Operations, for admins: GET /console/operations
 *   - nodes (config nodes and the local identity) and their last contact: the newest audit event that
 *     names the node (UserID node:NAME, or the certificate subject config gives), through the ITI-81 retriever
 *   - peer communities (config xca.communities), their health as the Initiating Gateway saw it (answers,
 *     failures in a row, back-off), and the XCA transactions by outcome (metrics)
 *   - SS-MIX2 ingest runs (ingest/runLog.ts): counts, and the rejected files with their reasons
 *   - queues: ITI-10 notifications, audit forwarding, audit intake (the hie_queue_depth gauge)
 *   - counters: transactions by IHE transaction and outcome, and the rate per second since this page was last shown
 * Everything comes from what the server already collects: the audit trail and the metrics registry.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { AuditEvent } from 'fhir/r4.js';
import type { Registry } from 'prom-client';
import type { AuditService } from '../../audit/auditService.ts';
import type { AuditEventRetriever } from '../../atna/iti81/retrieve.ts';
import { parseIti81 } from '../../atna/iti81/searchParameters.ts';
import { shownTime } from '../../atna/report/html.ts';
import type { Config } from '../../kernel/config.ts';
import type { PeerHealth } from '../../xca/peers/peerGateway.ts';
import type { IngestRunRecord } from '../../ingest/runLog.ts';
import { consoleAudit } from '../audited.ts';
import { html, type Html } from '../html.ts';
import { page, type View } from '../layout.ts';
import { ctxOf, sendPage, viewOf } from '../web.ts';

export interface OperationsDeps {
  audit: AuditService;
  retriever: AuditEventRetriever;
  metrics?: Registry;
  /** The Initiating Gateway's peers and how they answered lately (xca/peers/peerGateway.ts). */
  peerHealth?: () => PeerHealth[];
  /** The SS-MIX2 ingest's recent runs (ingest/runLog.ts), newest first. */
  ingestRuns?: () => IngestRunRecord[];
  config: Pick<Config, 'nodes' | 'access' | 'xca' | 'atna'>;
  clock?: () => number;
}

type Sample = { labels: Record<string, string | number>; value: number };

async function samples(registry: Registry | undefined, name: string): Promise<Sample[]> {
  const m = registry?.getSingleMetric(name);
  if (!m) return [];
  return ((await m.get()).values as Sample[]).filter((s) => !('le' in s.labels));
}

/** Sums of a counter's samples by one label joined with another (e.g. transaction + outcome). */
export function totalsBy(list: Sample[], keys: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of list) {
    const k = keys.map((key) => String(s.labels[key] ?? '')).join(' ');
    out.set(k, (out.get(k) ?? 0) + s.value);
  }
  return out;
}

async function lastContact(retriever: AuditEventRetriever, agents: string[]): Promise<AuditEvent | undefined> {
  const params = new URLSearchParams({ agent: agents.map((a) => a.replace(/,/g, '\\,')).join(','), _count: '1', _total: 'none' });
  const bundle = await retriever.search(parseIti81(params, { pageSize: 1, maxPageSize: 1, lenient: true }), { base: '/console/operations', self: '/console/operations', params });
  return bundle.entry?.[0]?.resource as AuditEvent | undefined;
}

const th = (cols: string[]) => html`<thead><tr>${cols.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>`;

export function operationsRouter(deps: OperationsDeps): Router {
  const router = express.Router();
  const now = deps.clock ?? Date.now;
  let previous: { at: number; totals: Map<string, number> } | undefined;

  router.get('/', async (req: Request, res: Response) => {
    const v: View = viewOf(req, res);
    const ctx = ctxOf(req, res);
    const tz = deps.config.atna.reportTimeZone;
    const nodes = [
      ...(deps.config.access.local.enabled ? [{ name: deps.config.access.local.name, roles: deps.config.access.local.roles, subject: undefined as string | undefined, facility: deps.config.access.local.facilities.join(', ') }] : []),
      ...deps.config.nodes.map((n) => ({ name: n.name, roles: n.roles, subject: n.subject, facility: [n.facility, ...(n.facilities ?? [])].filter(Boolean).join(', ') })),
    ];
    const nodeRows: Html[] = [];
    for (const n of nodes) {
      const e = await lastContact(deps.retriever, [`node:${n.name}`, ...(n.subject ? [n.subject] : [])]);
      nodeRows.push(html`<tr><td>${n.name}</td><td>${n.facility}</td><td>${n.roles.join(', ')}</td><td>${e ? html`${shownTime(e.recorded, tz)}<div class="muted">${e.type?.display ?? ''} ${(e.subtype ?? []).map((x) => x.code).join(' ')}</div>` : v.t.never}</td></tr>`);
    }
    const tx = await samples(deps.metrics, 'hie_transactions_total');
    const byTxOutcome = totalsBy(tx, ['transaction', 'outcome']);
    const byTx = totalsBy(tx, ['transaction']);
    const at = now();
    const since = previous ? (at - previous.at) / 1000 : 0;
    const rate = (k: string) => (previous && since >= 1 ? ((byTx.get(k) ?? 0) - (previous.totals.get(k) ?? 0)) / since : undefined);
    const counterRows = [...byTx.keys()].sort().map((k) => {
      const r = rate(k);
      const outcomes = [...byTxOutcome].filter(([key]) => key.startsWith(`${k} `)).map(([key, n]) => `${key.slice(k.length + 1)} ${n}`);
      return html`<tr><td>${k}</td><td>${byTx.get(k)}</td><td>${outcomes.join(', ')}</td><td>${r === undefined ? '—' : r.toFixed(2)}</td></tr>`;
    });
    previous = { at, totals: byTx };
    const queues = await samples(deps.metrics, 'hie_queue_depth');
    const peers = deps.config.xca.communities;
    const health = deps.peerHealth?.() ?? [];
    const runs = deps.ingestRuns?.() ?? [];
    const xcaByOutcome = totalsBy(tx.filter((s) => /^ITI-(38|39)$/.test(String(s.labels.transaction))), ['transaction', 'edge', 'outcome']);
    await deps.audit.record(consoleAudit(deps.audit, ctx, { action: 'R', what: 'operations-view' }));
    const body = html`<h2>${v.t.nodes}</h2>
<div class="table"><table>${th([v.t.name, v.t.facility, v.t.role, v.t.lastContact])}<tbody>${nodeRows}</tbody></table></div>
<h2>${v.t.peers}</h2>
${peers.length ? html`<div class="table"><table id="peers">${th([v.t.name, 'homeCommunityId', 'URL', v.t.health])}<tbody>${peers.map((p) => {
      const h = health.find((x) => x.homeCommunityId === p.homeCommunityId);
      const state = !h
        ? '—'
        : h.skippedUntil
          ? html`<strong class="flag">✗ ${h.failures}</strong> → ${shownTime(h.skippedUntil, tz)}<div class="muted">${h.lastFailure}</div>`
          : h.failures
            ? html`<strong class="flag">⚠ ${h.failures}</strong> ${h.lastFailureAt ? shownTime(h.lastFailureAt, tz) : ''}<div class="muted">${h.lastFailure}</div>`
            : html`✓ ${h.lastAnswerAt ? shownTime(h.lastAnswerAt, tz) : v.t.never}`;
      return html`<tr><td>${p.name}</td><td>${p.homeCommunityId}</td><td>${p.queryUrl}<br>${p.retrieveUrl}</td><td>${state}</td></tr>`;
    })}</tbody></table></div>` : html`<p>—</p>`}
${xcaByOutcome.size ? html`<div class="table"><table>${th(['XCA', v.t.outcome, ''])}<tbody>${[...xcaByOutcome].map(([k, n]) => html`<tr><td>${k.split(' ').slice(0, 2).join(' ')}</td><td>${k.split(' ').slice(2).join(' ')}</td><td>${n}</td></tr>`)}</tbody></table></div>` : ''}
<h2>${v.t.ingestRuns}</h2>
${runs.length ? html`<div class="table"><table id="ingest-runs">${th([v.t.when, v.t.facility, 'root', v.t.documents, v.t.rejectedFiles])}<tbody>${runs.slice(0, 20).map(
      (r) => html`<tr><td>${shownTime(r.at, tz)}</td><td>${r.facility}</td><td>${r.root}</td><td>${r.counts.documents} / ${r.counts.files}</td><td>${
        r.rejected.length
          ? html`<details><summary class="flag">${r.rejected.length + r.moreRejected}</summary><ul>${r.rejected.map((f) => html`<li>${f.path}: ${f.reason} ${f.detail}</li>`)}</ul>${r.moreRejected ? html`<p>… +${r.moreRejected}</p>` : ''}</details>`
          : '0'
      }</td></tr>`,
    )}</tbody></table></div>` : html`<p>—</p>`}
<h2>${v.t.queues}</h2>
<div class="table"><table>${th([v.t.queues, v.t.pending])}<tbody>${queues.map((q) => html`<tr><td>${String(q.labels.queue)}</td><td>${q.value}</td></tr>`)}</tbody></table></div>
<h2>${v.t.counters}</h2>
<p class="muted">${previous && since >= 1 ? `/s: ${since.toFixed(0)} s` : ''}</p>
<div class="table"><table id="counters">${th(['transaction', 'total', v.t.outcome, '/s'])}<tbody>${counterRows}</tbody></table></div>
<p><a href="/console/operations">↻</a></p>`;
    sendPage(res, page(v, v.t.navOperations, body));
  });
  return router;
}
