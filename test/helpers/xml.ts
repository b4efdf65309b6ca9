/**
 * A small, strict XML reader for tests: elements, attributes, text, the XML declaration, comments,
 * processing instructions and CDATA; the five predefined entities and character references. No DTDs,
 * no namespaces resolution (prefixes stay in names). Enough to read DICOM audit messages; schema
 * validity is xmllint's job, not this reader's.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text directly inside this element. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    if (e in ENTITIES) return ENTITIES[e];
    throw new Error(`unknown entity ${m}`);
  });
}

export function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (msg: string): never => {
    const line = source.slice(0, i).split('\n').length;
    throw new Error(`XML: ${msg} at line ${line}`);
  };
  const skipMisc = () => {
    for (;;) {
      while (i < source.length && /\s/.test(source[i])) i++;
      if (source.startsWith('<?', i)) {
        const end = source.indexOf('?>', i);
        if (end < 0) fail('unterminated processing instruction');
        i = end + 2;
      } else if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (source.startsWith('<!DOCTYPE', i)) {
        fail('DOCTYPE is not supported');
      } else return;
    }
  };
  const name = (): string => {
    const m = /^[A-Za-z_:][\w.:-]*/.exec(source.slice(i, i + 256));
    if (!m) fail('name expected');
    i += m![0].length;
    return m![0];
  };
  const element = (): XmlElement => {
    if (source[i] !== '<') fail('element expected');
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: '' };
    for (;;) {
      while (/\s/.test(source[i] ?? '')) i++;
      if (source.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (source[i] === '>') {
        i++;
        break;
      }
      const attr = name();
      while (/\s/.test(source[i] ?? '')) i++;
      if (source[i] !== '=') fail(`= expected after ${attr}`);
      i++;
      while (/\s/.test(source[i] ?? '')) i++;
      const q = source[i];
      if (q !== '"' && q !== "'") fail('quoted attribute value expected');
      const end = source.indexOf(q, i + 1);
      if (end < 0) fail('unterminated attribute value');
      if (attr in el.attrs) fail(`duplicate attribute ${attr}`);
      el.attrs[attr] = decodeEntities(source.slice(i + 1, end));
      i = end + 1;
    }
    for (;;) {
      if (i >= source.length) fail(`unterminated element ${el.name}`);
      if (source.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        while (/\s/.test(source[i] ?? '')) i++;
        if (source[i] !== '>') fail('> expected');
        i++;
        return el;
      }
      if (source.startsWith('<!--', i)) {
        const end = source.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (source.startsWith('<![CDATA[', i)) {
        const end = source.indexOf(']]>', i);
        if (end < 0) fail('unterminated CDATA');
        el.text += source.slice(i + 9, end);
        i = end + 3;
      } else if (source.startsWith('<?', i)) {
        const end = source.indexOf('?>', i);
        if (end < 0) fail('unterminated processing instruction');
        i = end + 2;
      } else if (source[i] === '<') {
        el.children.push(element());
      } else {
        const end = source.indexOf('<', i);
        el.text += decodeEntities(source.slice(i, end < 0 ? source.length : end));
        i = end < 0 ? source.length : end;
      }
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i < source.length) fail('content after the root element');
  return root;
}

/** Direct children with this name. */
export function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** The first direct child with this name, or undefined. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}
