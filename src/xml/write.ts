/** Writing XML text: escaping for text and attribute values. */
export function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

export function escapeAttr(s: string): string {
  return s.replace(/[&<>"\r\n\t]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;', '\n': '&#10;', '\t': '&#9;' })[c]!);
}

/** ` name="value"` for each defined, non-empty value, in the given order. */
export function attrs(pairs: [string, string | number | boolean | undefined | null][]): string {
  let out = '';
  for (const [k, v] of pairs) if (v !== undefined && v !== null && v !== '') out += ` ${k}="${escapeAttr(String(v))}"`;
  return out;
}
