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

/** An element tree back to XML text, each namespace declared as the default where it changes. */
export function serialize(el: { ns: string; local: string; attrs: Record<string, string>; children: unknown[]; text: string }, parentNs = ''): string {
  type El = typeof el;
  let a = el.ns !== parentNs ? ` xmlns="${escapeAttr(el.ns)}"` : '';
  let i = 0;
  for (const [k, v] of Object.entries(el.attrs)) {
    const m = /^\{(.*)\}(.*)$/.exec(k);
    if (!m) a += ` ${k}="${escapeAttr(v)}"`;
    else if (m[1] === 'http://www.w3.org/XML/1998/namespace') a += ` xml:${m[2]}="${escapeAttr(v)}"`;
    else a += ` xmlns:n${i}="${escapeAttr(m[1])}" n${i++}:${m[2]}="${escapeAttr(v)}"`;
  }
  const kids = (el.children as El[]).map((c) => serialize(c, el.ns)).join('');
  const text = el.children.length === 0 ? escapeText(el.text) : '';
  return kids || text ? `<${el.local}${a}>${text}${kids}</${el.local}>` : `<${el.local}${a}/>`;
}
