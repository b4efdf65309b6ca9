/** Media types with parameters (RFC 2045 5.1): `multipart/related; boundary="x"; type="application/xop+xml"`. */
export interface MediaType {
  type: string;
  params: Record<string, string>;
}

export function parseMediaType(header: string | undefined): MediaType {
  const s = header ?? '';
  let i = s.indexOf(';');
  const type = (i < 0 ? s : s.slice(0, i)).trim().toLowerCase();
  const params: Record<string, string> = {};
  while (i >= 0 && i < s.length) {
    i++;
    while (i < s.length && /[\s;]/.test(s[i])) i++;
    const eq = s.indexOf('=', i);
    if (eq < 0) break;
    const name = s.slice(i, eq).trim().toLowerCase();
    let value = '';
    let j = eq + 1;
    while (j < s.length && s[j] === ' ') j++;
    if (s[j] === '"') {
      j++;
      while (j < s.length && s[j] !== '"') {
        if (s[j] === '\\' && j + 1 < s.length) j++;
        value += s[j++];
      }
      j++;
    } else {
      const end = s.indexOf(';', j);
      value = (end < 0 ? s.slice(j) : s.slice(j, end)).trim();
      j = end < 0 ? s.length : end;
    }
    if (name) params[name] = value;
    i = s.indexOf(';', j);
  }
  return { type, params };
}
