/**
 * A patient's consent as a page part, for operators and for the patient: participation, whether the
 * patient is shared now, withheld classes, types, facilities and documents (each with a button to
 * share it again), forms to withhold a class or a facility and to opt in or out, and the history.
 * Changes go through ConsentAdministration, the service `hie consent` and the admin API use.
 */
import type { ConsentAdministration, PatientConsent } from '../../consent/administration.ts';
import { codeKey, type Consent, type ConsentChange, type ConsentTerms } from '../../consent/model.ts';
import { ConsentChangeError } from '../../consent/service.ts';
import type { Config } from '../../kernel/config.ts';
import { html, type Html } from '../html.ts';
import { csrfField, type View } from '../layout.ts';

export type WithheldChoice = 'classCodes' | 'facilities' | 'typeCodes' | 'documents' | 'confidentialityCodes' | 'practiceSettingCodes';

/**
 * The consent's terms as the admin API's JSON takes them back (set replaces the whole consent). A set
 * lifts a revocation, so sharing an item again on a revoked consent is refused: only an explicit
 * opt-in (a participation change) shares a revoked patient again.
 */
export function termsBody(c: Consent | null, change: Partial<{ participation: string; release: { kind: WithheldChoice; value: string } }> = {}): Record<string, unknown> {
  if (c?.revokedAt && change.participation === undefined) {
    throw new ConsentChangeError('already-revoked', `the consent was revoked at ${c.revokedAt}: nothing is shared, and sharing an item again would opt the patient back in; opt in first (participation)`);
  }
  const w = c?.withheld;
  const drop = (kind: WithheldChoice, list: string[]) => (change.release?.kind === kind ? list.filter((x) => x !== change.release!.value) : list);
  const withhold = {
    classCodes: drop('classCodes', (w?.classCodes ?? []).map(codeKey)),
    typeCodes: drop('typeCodes', (w?.typeCodes ?? []).map(codeKey)),
    confidentialityCodes: drop('confidentialityCodes', (w?.confidentialityCodes ?? []).map(codeKey)),
    practiceSettingCodes: drop('practiceSettingCodes', (w?.practiceSettingCodes ?? []).map(codeKey)),
    facilities: drop('facilities', w?.facilities ?? []),
    documents: drop('documents', w?.documents ?? []),
  };
  const terms: Partial<ConsentTerms> = c ?? {};
  return {
    // Never opted in but by an explicit participation change: no consent recorded stays not enrolled.
    participation: change.participation ?? c?.participation ?? 'not-enrolled',
    facilities: terms.facilities ?? [],
    peerRegions: terms.peerRegions ?? [],
    withhold,
    ...(terms.validFrom ? { validFrom: terms.validFrom } : {}),
    ...(terms.validUntil ? { validUntil: terms.validUntil } : {}),
  };
}

export function facilityLabel(config: Pick<Config, 'identity'>, key: string): string {
  const d = config.identity.domains.find((x) => x.oid === key || x.namespace === key || `ns:${x.namespace}` === key);
  return d?.displayName ?? d?.namespace ?? key;
}

/**
 * `releasable`: the kinds of withheld item the page's release action takes; a button is shown only
 * for those, and none while the consent is revoked (termsBody refuses it).
 */
export function consentView(
  v: View,
  config: Pick<Config, 'identity'>,
  shown: PatientConsent,
  history: ConsentChange[],
  opts: { action?: string; classes?: { code: string; scheme: string; name: string }[]; releasable?: readonly WithheldChoice[] },
): Html {
  const c = shown.consent;
  const w = c?.withheld;
  const release = (kind: WithheldChoice, value: string, label: string) =>
    opts.action && !c?.revokedAt && (opts.releasable ?? []).includes(kind)
      ? html`<form method="post" action="${opts.action}/release" class="inline">${csrfField(v)}<input type="hidden" name="kind" value="${kind}"><input type="hidden" name="value" value="${value}"><button type="submit" class="secondary" aria-label="${label}: ${v.t.optIn}">${v.t.optIn}</button></form>`
      : '';
  const withheldRows: Html[] = [
    ...(w?.classCodes ?? []).map((x) => html`<tr><td>${v.t.docClass}</td><td>${x.code} (${x.codingScheme})</td><td>${release('classCodes', codeKey(x), x.code)}</td></tr>`),
    ...(w?.typeCodes ?? []).map((x) => html`<tr><td>${v.t.docType}</td><td>${x.code} (${x.codingScheme})</td><td>${release('typeCodes', codeKey(x), x.code)}</td></tr>`),
    ...(w?.facilities ?? []).map((x) => html`<tr><td>${v.t.facility}</td><td>${facilityLabel(config, x)}</td><td>${release('facilities', x, x)}</td></tr>`),
    ...(w?.documents ?? []).map((x) => html`<tr><td>${v.t.document}</td><td>${x}</td><td>${release('documents', x, x)}</td></tr>`),
  ];
  const forms = opts.action
    ? html`<h2>${v.t.withholdClass}</h2>
<form method="post" action="${opts.action}/withhold"><input type="hidden" name="kind" value="classCodes">${csrfField(v)}
<div class="fields">${
        opts.classes?.length
          ? html`<div><label for="wclass">${v.t.docClass}</label><select id="wclass" name="value">${opts.classes.map((k) => html`<option value="${k.code}^^${k.scheme}">${k.name} (${k.code})</option>`)}</select></div>`
          : html`<div><label for="wclass">${v.t.code}^^${v.t.scheme}</label><input id="wclass" name="value" maxlength="200" required></div>`
      }</div>
<button type="submit">${v.t.withholdClass}</button></form>
<h2>${v.t.withholdFacility}</h2>
<form method="post" action="${opts.action}/withhold"><input type="hidden" name="kind" value="facilities">${csrfField(v)}
<div class="fields"><div><label for="wfac">${v.t.facility}</label><select id="wfac" name="value">${config.identity.domains.map((d) => html`<option value="${d.namespace}">${d.displayName ?? d.namespace}</option>`)}</select></div></div>
<button type="submit">${v.t.withholdFacility}</button></form>
<h2>${v.t.participation}</h2>
<form method="post" action="${opts.action}/participation" class="inline">${csrfField(v)}<input type="hidden" name="participation" value="opted-in"><button type="submit">${v.t.optIn}</button></form>
<form method="post" action="${opts.action}/participation" class="inline" data-confirm="${v.t.optOut}?">${csrfField(v)}<input type="hidden" name="participation" value="opted-out"><button type="submit" class="danger">${v.t.optOut}</button></form>`
    : '';
  return html`<dl class="kv">
<dt>${v.t.participation}</dt><dd>${c ? (v.t.participations[c.participation] ?? c.participation) : v.t.noConsent}${c?.revokedAt ? html` (${v.t.revoke}: ${c.revokedAt})` : ''}</dd>
<dt>${v.t.sharedNow}</dt><dd>${shown.shared ? v.t.yes : html`<strong>${v.t.no}</strong>`}</dd>
<dt>${v.t.facility}</dt><dd>${c?.facilities.length ? c.facilities.map((f) => facilityLabel(config, f)).join(', ') : v.t.allFacilities}</dd>
</dl>
<h2>${v.t.withheld}</h2>
${withheldRows.length ? html`<div class="table"><table id="withheld"><tbody>${withheldRows}</tbody></table></div>` : html`<p>—</p>`}
${forms}
<h2>${v.t.consentHistory}</h2>
<div class="table"><table><thead><tr><th scope="col">${v.t.when}</th><th scope="col">${v.t.who}</th><th scope="col">${v.t.source}</th><th scope="col">${v.t.what}</th></tr></thead>
<tbody>${[...history].reverse().map((h) => html`<tr><td>${h.at}</td><td>${h.who}</td><td data-source="${h.source.kind}">${v.t.consentSources[h.source.kind] ?? h.source.kind}${h.source.document ? ` ${h.source.document}` : ''}</td><td>${h.changes.join('\n') || h.action}</td></tr>`)}</tbody></table></div>`;
}

export type { ConsentAdministration };
