/**
 * Link proposals that demographic matching made (PIX never links on a fuzzy match by itself), for an
 * operator to decide, as `hie pix review` does, through the identity service:
 *   GET  /console/links                 pending proposals (?all=1: decided ones too), both sides side by side,
 *                                       a page of at most PAGE at a time (?after=ID: the next page); read
 *                                       through the consent-scoped reader and audited
 *   POST /console/links/{id}/accept     link the two patients; ITI-10 notifications follow
 *   POST /console/links/{id}/reject     keep them apart
 * The reviewer's reason is recorded in the audit message with the reviewer's name.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { AuditService } from '../../audit/auditService.ts';
import { IdentityError } from '../../identity/errors.ts';
import type { IdentityService } from '../../identity/service.ts';
import type { Domain, LinkProposal, PatientRecord } from '../../identity/types.ts';
import type { Config } from '../../kernel/config.ts';
import { cxString } from '../../pix/codec/cx.ts';
import { readScoped, type ScopedReadDeps, type ScopedReader } from '../../consent/scopedReader.ts';
import type { Store } from '../../store/types.ts';
import { consoleAudit } from '../audited.ts';
import { html, type Html } from '../html.ts';
import { csrfField, notice, page, type View } from '../layout.ts';
import { shownDemographics } from '../patients/names.ts';
import { facilityName, shownIdentifiers } from '../patients/routes.ts';
import { ctxOf, sendPage, text, viewOf } from '../web.ts';

/** Proposals on one page at most. */
export const PAGE = 50;

export interface LinksDeps extends ScopedReadDeps {
  store: Store;
  identity: IdentityService;
  audit: AuditService;
  /** ITI-10: the PIX Consumers hear of the new cross-reference. */
  notifier: { enqueue(tx: import('../../store/types.ts').WriteTx, personId: number): Promise<void> };
  /** Wakes the ITI-10 dispatcher once the change committed. */
  kick(): void;
  config: Pick<Config, 'identity'>;
}

interface Side {
  records: { record: PatientRecord; facility: string }[];
  regionalId: string;
}

async function side(reader: ScopedReader, deps: LinksDeps, domains: Map<string, Domain>, records: PatientRecord[], personId: number): Promise<Side> {
  const person = await reader.person(personId);
  const out: Side['records'] = records.map((r) => {
    const domain = domains.get(r.domainKey);
    return { record: r, facility: domain ? facilityName(deps.config, { domain, id: r.localId }) : r.domainKey };
  });
  return { records: out, regionalId: person?.regionalId ?? '' };
}

function sideCell(s: Side): Html {
  return html`${s.records.map((r) => {
    const d = shownDemographics(r.record);
    return html`<div><strong>${d.names.join(' / ')}</strong><div>${d.birthDate} ${d.sex}</div><div class="muted">${r.record.localId} · ${r.facility}</div><div class="muted">${d.address}</div></div>`;
  })}`;
}

function proposalRow(v: View, p: LinkProposal, a: Side, b: Side): Html {
  const actions =
    p.status === 'pending'
      ? html`<form method="post" action="/console/links/${p.id}/accept" data-confirm="${v.t.accept}?">${csrfField(v)}
<label for="reason-a-${p.id}">${v.t.reason}</label><input id="reason-a-${p.id}" name="reason" maxlength="500">
<button type="submit">${v.t.accept}</button></form>
<form method="post" action="/console/links/${p.id}/reject">${csrfField(v)}
<label for="reason-r-${p.id}">${v.t.reason}</label><input id="reason-r-${p.id}" name="reason" maxlength="500">
<button type="submit" class="secondary">${v.t.reject}</button></form>`
      : html`${p.status}`;
  return html`<tr id="proposal-${p.id}"><td>#${p.id}</td><td>${p.score.toFixed(2)}<div class="muted">${p.reasons.join(', ')}</div></td><td>${sideCell(a)}</td><td>${sideCell(b)}</td><td>${actions}</td></tr>`;
}

export function linksRouter(deps: LinksDeps): Router {
  const router = express.Router();

  const list = async (req: Request, res: Response, status?: Html, code = 200) => {
    const v = viewOf(req, res);
    const ctx = ctxOf(req, res);
    const all = req.query.all === '1';
    const after = /^\d{1,15}$/.test(text(req.query.after)) ? Number(text(req.query.after)) : 0;
    const shown = await readScoped(deps, ctx, 'console link proposals', async (reader) => {
      const domains = new Map((await reader.knownDomains()).map((d) => [d.key, d]));
      const found = await reader.proposals(all ? undefined : 'pending', { after, limit: PAGE });
      const rows: Html[] = [];
      const patients = new Set<string>();
      for (const p of found.proposals) {
        const rec = await reader.recordById(p.recordId);
        if (!rec) continue;
        const a = await side(reader, deps, domains, [rec], rec.personId);
        const b = await side(reader, deps, domains, await reader.recordsOfPerson(p.candidatePersonId), p.candidatePersonId);
        for (const s of [a, b]) if (s.regionalId) patients.add(cxString({ domain: reader.domains.regional, id: s.regionalId }));
        rows.push(proposalRow(v, p, a, b));
      }
      return { rows, patients: [...patients], next: found.next };
    });
    await deps.audit.record(consoleAudit(deps.audit, ctx, { action: 'E', what: 'link-proposals', patients: shown.patients, description: `${all ? 'all' : 'pending'} proposals after ${after}: ${shown.rows.length} shown` }));
    const rows = shown.rows;
    const more = shown.next !== undefined ? html`<p><a href="/console/links?${all ? 'all=1&' : ''}after=${shown.next}">»</a></p>` : '';
    const body = rows.length
      ? html`<div class="table"><table><thead><tr><th scope="col">${v.t.proposal}</th><th scope="col">${v.t.score}</th><th scope="col">${v.t.newRecord}</th><th scope="col">${v.t.candidate}</th><th scope="col">${v.t.status}</th></tr></thead><tbody>${rows}</tbody></table></div>`
      : notice(v.t.noProposals);
    sendPage(res, page(v, v.t.linkProposals, html`<p><a href="/console/links?all=1">${v.t.showDecided}</a></p>${body}${more}`, { status }), code);
  };
  router.get('/', (req, res) => list(req, res));

  const decide = (accept: boolean) => async (req: Request, res: Response) => {
    const v = viewOf(req, res);
    const ctx = ctxOf(req, res);
    const id = Number(req.params.id);
    const reason = text(req.body?.reason, 500);
    try {
      if (!Number.isSafeInteger(id) || id <= 0) throw new IdentityError('unknown-identifier', 'no such proposal');
      await deps.store.write(async (tx) => {
        let ids: string[];
        if (accept) {
          const o = await deps.identity.acceptProposal(tx, id);
          if (o.crossReferenceChanged) await deps.notifier.enqueue(tx, o.personId);
          ids = shownIdentifiers(await deps.identity.identifiersOf(tx, (await tx.identity.person(o.personId))!)).map(cxString);
        } else {
          const p = await tx.identity.proposal(id);
          await deps.identity.rejectProposal(tx, id);
          const rec = p ? await tx.identity.recordById(p.recordId) : undefined;
          const domain = rec ? await tx.identity.domain(rec.domainKey) : undefined;
          // The record as a full CX (ID^^^&OID&ISO): a bare local ID names no one.
          ids = rec && domain ? [cxString({ domain, id: rec.localId })] : [];
        }
        await deps.audit.recordIn(tx, consoleAudit(deps.audit, ctx, { action: 'U', what: accept ? 'link-accept' : 'link-reject', patients: ids, description: `proposal ${id}${reason ? `: ${reason}` : ''}` }));
      });
      deps.kick();
      return list(req, res, notice(accept ? v.t.accepted : v.t.rejected));
    } catch (e) {
      if (e instanceof IdentityError) return list(req, res, notice(e.message, 'error'), 409);
      throw e;
    }
  };
  router.post('/:id/accept', decide(true));
  router.post('/:id/reject', decide(false));
  return router;
}
