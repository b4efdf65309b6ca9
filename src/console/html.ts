/**
 * HTML escaped by construction: every page of the console is written with the `html` tag, which
 * escapes each interpolated value unless it is itself the result of `html` (or `trusted`, for the
 * console's own constants). Arrays are rendered item by item; null, undefined and false render as
 * nothing. Attribute values must be quoted in the template ("${v}"): the escaping covers both quotes.
 */

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => ENTITIES[c]!);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.text;
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]!;
  return new Html(out);
}

/** Markup the console itself wrote (its stylesheet, its script): never a value that came from outside. */
export function trusted(markup: string): Html {
  return new Html(markup);
}
