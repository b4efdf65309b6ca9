/** The merge and unmerge forms of a patient page (operators): merge.ts and unmerge.ts take them. */
import { html } from '../html.ts';
import { csrfField, type View } from '../layout.ts';

/** The merge form of a patient page: into one of the patient's local IDs. */
export function mergeForm(v: View, regionalId: string, locals: { namespace: string; id: string; label: string }[]) {
  if (locals.length === 0) return html``;
  return html`<h2>${v.t.merge}</h2>
<form method="post" action="/console/patients/${encodeURIComponent(regionalId)}/merge" data-confirm="${v.t.merge}?">${csrfField(v)}
<div class="fields">
<div><label for="m-into">${v.t.mergeInto}</label><select id="m-into" name="into">${locals.map((l) => html`<option value="${l.namespace}|${l.id}">${l.id} (${l.label})</option>`)}</select></div>
<div><label for="m-prior">${v.t.mergePrior}</label><input id="m-prior" name="prior" required maxlength="64"></div>
<div><label for="m-reason">${v.t.reason}</label><input id="m-reason" name="reason" required maxlength="500"></div>
</div><button type="submit" class="danger">${v.t.merge}</button></form>`;
}

/** The unmerge form of a patient page: a local ID merged into one of the patient's, in one of its facilities. */
export function unmergeForm(v: View, regionalId: string, facilities: { namespace: string; label: string }[]) {
  if (facilities.length === 0) return html``;
  return html`<h2>${v.t.unmerge}</h2>
<form method="post" action="/console/patients/${encodeURIComponent(regionalId)}/unmerge" data-confirm="${v.t.unmerge}?">${csrfField(v)}
<div class="fields">
<div><label for="u-domain">${v.t.unmergeFacility}</label><select id="u-domain" name="domain">${facilities.map((f) => html`<option value="${f.namespace}">${f.label}</option>`)}</select></div>
<div><label for="u-prior">${v.t.unmergePrior}</label><input id="u-prior" name="prior" required maxlength="64"></div>
<div><label for="u-reason">${v.t.reason}</label><input id="u-reason" name="reason" required maxlength="500"></div>
</div><button type="submit" class="danger">${v.t.unmerge}</button></form>`;
}
