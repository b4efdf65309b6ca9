/** The merge form of a patient page (operators): merge.ts takes it. */
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
