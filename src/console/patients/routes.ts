/**
 * Patients, for every console role:
 *   GET /console/patients              search by name in kanji or kana (either width), birth date, sex, or an ID
 *   GET /console/patients/{regionalId} the patient: demographics per facility, identifiers across facilities,
 *                                      links to documents, consent and the access report
 * The search is the identity service's demographic search, as PDQ uses it (ITI TF-2 3.21), through a
 * reader scoped to the console user; it never shows the token, a pseudonym or an individual number.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { AuditService } from '../../audit/auditService.ts';
import { readScoped, type ScopedReadDeps, type ScopedReader } from '../../consent/scopedReader.ts';
import { DemographicSearch, type FoundPatient, type SearchPage } from '../../identity/demographicSearch.ts';
import { looksLikeIndividualNumber } from '../../identity/individualNumber/freeText.ts';
import { nameKey } from '../../identity/normalize.ts';
import type { DomainIdentifier } from '../../identity/service.ts';
import type { DemographicQuery, Person } from '../../identity/types.ts';
import type { Config } from '../../kernel/config.ts';
import { cxString } from '../../pix/codec/cx.ts';
import { consoleAudit } from '../audited.ts';
import { atLeast } from '../auth/context.ts';
import { html, type Html } from '../html.ts';
import { notice, page, type View } from '../layout.ts';
import { ctxOf, sendPage, text, viewOf } from '../web.ts';
import { shownDemographics } from './names.ts';
import { mergeForm, unmergeForm } from './mergeForm.ts';

export interface PatientsDeps extends ScopedReadDeps {
  audit: AuditService;
  config: Pick<Config, 'pdq' | 'identity'>;
}

const PAGE = 50;

/** The identifiers a console shows: local IDs and the regional ID, never the token or a pseudonym. */
export function shownIdentifiers(ids: DomainIdentifier[]): DomainIdentifier[] {
  return ids.filter((i) => i.domain.kind === 'local' || i.domain.kind === 'regional');
}

export function facilityName(config: Pick<Config, 'identity'>, i: DomainIdentifier): string {
  if (i.domain.kind === 'regional') return '地域 / regional';
  const d = config.identity.domains.find((x) => (x.oid && x.oid === i.domain.oid) || x.namespace === i.domain.namespace);
  return d?.displayName ?? (i.domain.namespace || i.domain.oid);
}

/** The person a regional ID names, as the reader lets this user see it. */
export async function personByRegionalId(reader: ScopedReader, regionalId: string): Promise<Person | undefined> {
  const r = await reader.resolve(reader.domains.regional, regionalId);
  return r.kind === 'person' ? r.person : undefined;
}

function searchForm(v: View, q: Record<string, string>): Html {
  const field = (name: string, label: string, extra: Html = html``) => html`<div><label for="${name}">${label}</label><input id="${name}" name="${name}" value="${q[name] ?? ''}" maxlength="64"${extra}></div>`;
  return html`<form method="get" action="/console/patients" role="search">
<p class="muted">${v.t.searchHint}</p>
<div class="fields">
${field('family', v.t.familyName)}
${field('given', v.t.givenName)}
<div><label for="birth">${v.t.birthDate}</label><input id="birth" name="birth" type="date" value="${q.birth ?? ''}"></div>
<div><label for="sex">${v.t.sex}</label><select id="sex" name="sex"><option value=""></option>${['M', 'F', 'O', 'U'].map((s) => html`<option value="${s}"${q.sex === s ? html` selected` : ''}>${s}</option>`)}</select></div>
${field('id', v.t.patientId)}
</div>
<button type="submit">${v.t.search}</button>
</form>`;
}

function resultsTable(v: View, config: PatientsDeps['config'], found: FoundPatient[]): Html {
  if (found.length === 0) return notice(v.t.noResults);
  const rows = found.map((p) => {
    const d = shownDemographics(p.record);
    const regional = p.identifiers.find((i) => i.domain.kind === 'regional')?.id ?? '';
    return html`<tr>
<td><a href="/console/patients/${encodeURIComponent(regional)}">${d.names[0] ?? regional}</a>${d.names.slice(1).map((n) => html`<div>${n}</div>`)}</td>
<td>${d.birthDate}</td><td>${d.sex}</td>
<td>${shownIdentifiers(p.identifiers).map((i) => html`<div>${i.id} <span class="muted">${facilityName(config, i)}</span></div>`)}</td>
</tr>`;
  });
  return html`<div class="table"><table><caption>${v.t.results}</caption>
<thead><tr><th scope="col">${v.t.name}</th><th scope="col">${v.t.birthDate}</th><th scope="col">${v.t.sex}</th><th scope="col">${v.t.identifiers}</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

export function patientsRouter(deps: PatientsDeps): Router {
  const router = express.Router();
  const search = new DemographicSearch(deps.config.pdq);

  router.get('/', async (req: Request, res: Response) => {
    const v = viewOf(req, res);
    const q: Record<string, string> = {};
    for (const k of ['family', 'given', 'birth', 'sex', 'id', 'more']) q[k] = text(req.query[k], k === 'more' ? 200 : 64);
    // An individual number typed into the ID field is neither searched for nor shown again.
    if (q.id && looksLikeIndividualNumber(q.id)) q.id = '';
    const asked = !!(q.family || q.given || q.birth || q.id || q.more);
    if (!asked) return sendPage(res, page(v, v.t.patientSearch, searchForm(v, q)));
    const ctx = ctxOf(req, res);
    const query: DemographicQuery = { keys: [] };
    if (q.family) query.keys.push({ kind: 'family', key: nameKey(q.family), prefix: true });
    if (q.given) query.keys.push({ kind: 'given', key: nameKey(q.given), prefix: true });
    if (/^\d{4}-\d{2}-\d{2}$/.test(q.birth!)) query.birthDate = q.birth!.replace(/-/g, '');
    if (q.sex) query.sex = q.sex;
    // The domains an ID is looked up in: every facility's (registered from feeds too) and the regional one; domains are not patient data.
    const domains = q.id ? (await deps.store.read((tx) => tx.identity.domains())).filter((d) => d.kind === 'local' || d.kind === 'regional') : [];
    const found = await readScoped(deps, ctx, 'console patient search', async (reader) => {
      if (q.more) return search.continue(reader, { pointer: q.more, queryTag: 'console', limit: PAGE });
      const identifiers = q.id ? domains : [];
      if (q.id && !query.keys.length && !query.birthDate) {
        // By ID alone: every facility's domain and the regional one.
        const out: FoundPatient[] = [];
        const seen = new Set<number>();
        for (const domain of identifiers) {
          const r = await reader.resolve(domain, q.id!);
          if (r.kind !== 'person' || seen.has(r.person.id)) continue;
          seen.add(r.person.id);
          const rec = (await reader.recordsOfPerson(r.person.id))[0];
          if (rec) out.push({ record: rec, identifiers: await reader.identifiersOf(r.person) });
        }
        const page: SearchPage = { patients: out, answered: out.length };
        return { kind: 'page' as const, page };
      }
      return search.start(reader, { queryTag: 'console', query, identifiers: [], whatDomains: [], limit: PAGE });
    });
    await deps.audit.record(
      consoleAudit(deps.audit, ctx, {
        eventId: undefined,
        action: 'E',
        what: 'patient-search',
        patients: found.kind === 'page' ? found.page.patients.flatMap((p) => shownIdentifiers(p.identifiers).filter((i) => i.domain.kind === 'regional').map(cxString)) : [],
      }),
    );
    if (found.kind === 'invalid') return sendPage(res, page(v, v.t.patientSearch, html`${searchForm(v, q)}${notice(v.t.needCriteria, 'error')}`), 400);
    const more = found.page.continuation ? html`<p><a href="/console/patients?more=${encodeURIComponent(found.page.continuation)}">»</a></p>` : '';
    sendPage(res, page(v, v.t.patientSearch, html`${searchForm(v, q)}${resultsTable(v, deps.config, found.page.patients)}${more}`));
  });

  router.get('/:regionalId', async (req: Request, res: Response) => {
    const v = viewOf(req, res);
    const ctx = ctxOf(req, res);
    const id = String(req.params.regionalId);
    const shown = await readScoped(deps, ctx, 'console patient', async (reader) => {
      const person = await personByRegionalId(reader, id);
      if (!person) return undefined;
      return { person, ids: shownIdentifiers(await reader.identifiersOf(person)), records: await reader.recordsOfPerson(person.id) };
    });
    if (!shown) return sendPage(res, page(v, v.t.notFound, html``, { status: notice(v.t.notFound, 'error') }), 404);
    await deps.audit.record(consoleAudit(deps.audit, ctx, { action: 'R', what: 'patient-view', patients: shown.ids.map(cxString) }));
    const base = `/console/patients/${encodeURIComponent(shown.person.regionalId)}`;
    const first = shown.records[0] ? shownDemographics(shown.records[0]) : undefined;
    const body = html`<dl class="kv">
<dt>${v.t.regionalId}</dt><dd>${shown.person.regionalId}</dd>
<dt>${v.t.name}</dt><dd>${first?.names.join(' / ') ?? ''}</dd>
<dt>${v.t.birthDate}</dt><dd>${first?.birthDate ?? ''}</dd>
<dt>${v.t.sex}</dt><dd>${first?.sex ?? ''}</dd>
</dl>
<p><a href="${base}/documents">${v.t.documents}</a> · <a href="${base}/consent">${v.t.consent}</a>${atLeast(v.user!.role, 'admin') ? html` · <a href="/console/audit/patients/${encodeURIComponent(shown.person.regionalId)}/access-report">${v.t.accessReport}</a>` : ''}</p>
<h2>${v.t.identifiersAcross}</h2>
<div class="table"><table>
<thead><tr><th scope="col">${v.t.facility}</th><th scope="col">${v.t.patientId}</th><th scope="col">${v.t.name}</th><th scope="col">${v.t.birthDate}</th><th scope="col">${v.t.address}</th></tr></thead>
<tbody>${shown.ids.map((i) => {
      const rec = shown.records.find((r) => r.localId === i.id && r.domainKey === i.domain.key);
      const d = rec ? shownDemographics(rec) : undefined;
      return html`<tr><td>${facilityName(deps.config, i)}</td><td>${i.id}</td><td>${d?.names.join(' / ') ?? ''}</td><td>${d?.birthDate ?? ''}</td><td>${d?.address ?? ''}</td></tr>`;
    })}</tbody></table></div>
${atLeast(v.user!.role, 'operator') ? mergeForm(v, shown.person.regionalId, shown.ids.filter((i) => i.domain.kind === 'local').map((i) => ({ namespace: i.domain.namespace, id: i.id, label: facilityName(deps.config, i) }))) : ''}
${atLeast(v.user!.role, 'operator') ? unmergeForm(v, shown.person.regionalId, [...new Map(shown.ids.filter((i) => i.domain.kind === 'local').map((i) => [i.domain.namespace, { namespace: i.domain.namespace, label: facilityName(deps.config, i) }])).values()]) : ''}`;
    sendPage(res, page(v, `${v.t.patient}: ${first?.names[0] ?? shown.person.regionalId}`, body));
  });
  return router;
}
