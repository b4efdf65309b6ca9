/**
 * A fast, namespace-aware XML 1.0 scanner for audit messages: one pass over the string with sticky
 * regular expressions, reporting elements, attributes and text, and refusing what is not well-formed
 * (XML 1.0 5th ed. and Namespaces in XML 1.0): characters outside Char, malformed names, tags,
 * attributes, references, comments, CDATA sections and processing instructions, mismatched or
 * unclosed tags, duplicate attributes, unbound prefixes, content after the root. DTDs are refused
 * outright (no DOCTYPE from the network). Written for the ingest rate of the Audit Record Repository,
 * where a general-purpose SAX parser was the bottleneck.
 */
/**
 * The attributes of the start tag being reported, in document order: namespace declarations too
 * (in the xmlns namespace, local name their prefix or `xmlns`). Valid only during ScanHandler.open:
 * the scanner reuses it for the next tag.
 */
export interface ScannedAttributes {
  count: number;
  readonly local: string[];
  readonly uri: string[];
  readonly value: string[];
}

export interface ScanHandler {
  /** `at`: the offset of the tag in the (line-end normalized) text; lineAt(text, at) gives its line. */
  open(local: string, uri: string, attributes: ScannedAttributes, at: number): void;
  close(): void;
  text(text: string): void;
}

export class XmlSyntaxError extends Error {}

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

const START = ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const CHAR = START + '\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040';
const NAME = new RegExp(`[${START}][${CHAR}]*`, 'uy');
const NOT_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const XML_DECL = /<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*("1\.[0-9]+"|'1\.[0-9]+')([ \t\n]+encoding[ \t\n]*=[ \t\n]*("[A-Za-z][A-Za-z0-9._-]*"|'[A-Za-z][A-Za-z0-9._-]*'))?([ \t\n]+standalone[ \t\n]*=[ \t\n]*("(?:yes|no)"|'(?:yes|no)'))?[ \t\n]*\?>/y;
const PREDEFINED = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);

function isChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** The name of an entity reference after `&` (to `;`): no `;`, `&` or whitespace. */
const ENTITY_NAME = /([^;&\s]*);/y;

/**
 * Replaces character and entity references; throws on a malformed or unknown one. Reads them from
 * left to right as the expression /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|([^;&\s]*));/g would: the first
 * unknown entity or illegal character is the error, an `&` that starts no reference only after all.
 */
function expand(s: string): string {
  let amp = s.indexOf('&');
  if (amp < 0) return s;
  let out = '';
  let from = 0;
  let stray = false;
  while (amp >= 0) {
    let end = -1;
    let value = '';
    const c = s.charCodeAt(amp + 1);
    if (c === 35 /* # */) {
      const hex = s.charCodeAt(amp + 2) === 120; /* x */
      let k = hex ? amp + 3 : amp + 2;
      const digitsFrom = k;
      for (;;) {
        const d = s.charCodeAt(k);
        if ((d >= 48 && d <= 57) || (hex && ((d >= 65 && d <= 70) || (d >= 97 && d <= 102)))) k++;
        else break;
      }
      if (k > digitsFrom && s.charCodeAt(k) === 59 /* ; */) {
        const cp = parseInt(s.slice(digitsFrom, k), hex ? 16 : 10);
        if (!isChar(cp)) throw new XmlSyntaxError(`character reference ${s.slice(amp, k + 1)} is not a legal XML character`);
        value = String.fromCodePoint(cp);
        end = k + 1;
      }
    } else if (c === 97 /* a */ && s.startsWith('amp;', amp + 1)) {
      value = '&';
      end = amp + 5;
    } else if (c === 108 /* l */ && s.startsWith('lt;', amp + 1)) {
      value = '<';
      end = amp + 4;
    }
    if (end < 0) {
      ENTITY_NAME.lastIndex = amp + 1;
      const m = ENTITY_NAME.exec(s);
      if (m) {
        const v = PREDEFINED.get(m[1]);
        if (v === undefined) throw new XmlSyntaxError(`undefined entity &${m[1]};`);
        value = v;
        end = ENTITY_NAME.lastIndex;
      }
    }
    if (end < 0) {
      stray = true;
      amp = s.indexOf('&', amp + 1);
      continue;
    }
    out += s.slice(from, amp) + value;
    from = end;
    amp = s.indexOf('&', end);
  }
  if (stray) throw new XmlSyntaxError('& not starting a reference');
  return out + s.slice(from);
}

/** The characters XmlScanner.nextOf finds. */
const SOUGHT = ['<', '&', '\t', '\n'];
const LT = 0;
const AMP = 1;
const TAB = 2;
const NL = 3;

/** A quick test for what NOT_CHAR looks at closer (it rarely matches, and the lookarounds cost). */
const MAYBE_NOT_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/;

/**
 * Scans documents; its handler gets their elements and text. `scan` throws XmlSyntaxError when a
 * document is not well-formed. One scanner scans one document at a time and reuses its buffers.
 */
export class XmlScanner {
  private s = '';
  private i = 0;
  /** Open elements: their qualified names, and the namespace bindings in force outside each. */
  private depth = 0;
  private readonly openNames: string[] = [];
  private readonly outerBindings: (Map<string, string> | undefined)[] = [];
  private ns: Map<string, string> | undefined;
  /** The qualified names of the tag's attributes, and what the handler gets. */
  private readonly qnames: string[] = [];
  private readonly attributes: ScannedAttributes = { count: 0, local: [], uri: [], value: [] };
  /** Whether the last name read has a colon (a prefix, or not a QName). */
  private nameHasColon = false;
  /** XmlScanner.nextOf's positions, by SOUGHT index. */
  private readonly next = [-1, -1, -1, -1];

  constructor(private readonly h: ScanHandler) {}

  scan(input: string): void {
    // End-of-line handling (XML 1.0 2.11), then one check for characters outside Char (2.2).
    const s = input.indexOf('\r') >= 0 ? input.replace(/\r\n?/g, '\n') : input;
    const bad = MAYBE_NOT_CHAR.test(s) ? NOT_CHAR.exec(s) : null;
    if (bad) throw new XmlSyntaxError(`illegal character U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
    this.s = s;
    this.i = 0;
    this.next.fill(-1);
    this.depth = 0;
    this.ns = undefined;
    this.document();
  }

  private document(): void {
    const s = this.s;
    this.misc(true);
    if (s[this.i] !== '<' || s.startsWith('<!', this.i) || s.startsWith('</', this.i)) this.fail('the root element was expected');
    this.startTag();
    while (this.depth > 0) {
      let lt = s.indexOf('<', this.i);
      if (lt < 0) lt = s.length;
      if (lt > this.i) {
        const t = s.slice(this.i, lt);
        if (t.indexOf(']]>') >= 0) this.fail(']]> in character data');
        this.i = lt;
        this.h.text(expand(t));
      }
      const i = this.i;
      if (i >= s.length) this.fail(`unclosed element ${this.openNames[this.depth - 1]}`);
      const next = s.charCodeAt(i + 1);
      if (next === 47 /* / */) this.endTag();
      else if (next === 33 /* ! */) {
        if (s.startsWith('<!--', i)) this.comment();
        else if (s.startsWith('<![CDATA[', i)) {
          const end = s.indexOf(']]>', i + 9);
          if (end < 0) this.fail('unterminated CDATA section');
          this.h.text(s.slice(i + 9, end));
          this.i = end + 3;
        } else this.fail('markup declarations are not accepted');
      } else if (next === 63 /* ? */) this.pi();
      else this.startTag();
    }
    this.misc(false);
    if (this.i < s.length) this.fail('content after the root element');
  }

  private fail(msg: string): never {
    throw new XmlSyntaxError(`${msg} (line ${lineAt(this.s, this.i)})`);
  }

  /** A Name (2.3): an ASCII fast path, the full Unicode production otherwise. */
  private name(): string {
    const s = this.s;
    const start = this.i;
    let k = start;
    let c = s.charCodeAt(k);
    let colon = c === 58;
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || colon) {
      k++;
      for (;;) {
        c = s.charCodeAt(k);
        if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46) k++;
        else if (c === 58) {
          colon = true;
          k++;
        } else break;
      }
      if (!(c >= 0x80)) {
        this.i = k;
        this.nameHasColon = colon;
        return s.slice(start, k);
      }
    }
    NAME.lastIndex = start;
    const m = NAME.exec(s);
    if (!m) this.fail('a name was expected');
    this.i = NAME.lastIndex;
    this.nameHasColon = m![0].indexOf(':') >= 0;
    return m![0];
  }

  private space(): boolean {
    const s = this.s;
    const start = this.i;
    let k = start;
    for (;;) {
      const c = s.charCodeAt(k);
      if (c === 32 || c === 10 || c === 9) k++;
      else break;
    }
    this.i = k;
    return k > start;
  }

  private resolve(prefix: string, forAttribute: boolean): string {
    if (prefix === 'xml') return XML_NS;
    if (prefix === '' && forAttribute) return '';
    const uri = this.ns?.get(prefix);
    if (uri === undefined) {
      if (prefix === '') return '';
      this.fail(`prefix ${prefix} is not bound to a namespace`);
    }
    return uri!;
  }

  /** Where the prefix of a qualified name ends (-1: no prefix); fails when it is not a QName. */
  private colonOf(qname: string): number {
    const c = qname.indexOf(':');
    if (c > 0 && c < qname.length - 1 && qname.indexOf(':', c + 1) < 0) return c;
    if (c >= 0) this.fail(`${qname} is not a qualified name`);
    return c;
  }

  private misc(allowDecl: boolean): void {
    const s = this.s;
    if (allowDecl && s.startsWith('<?xml', this.i) && /[ \t\n?]/.test(s[this.i + 5] ?? '')) {
      XML_DECL.lastIndex = this.i;
      if (!XML_DECL.exec(s)) this.fail('malformed XML declaration');
      this.i = XML_DECL.lastIndex;
    }
    for (;;) {
      this.space();
      if (s.startsWith('<!--', this.i)) this.comment();
      else if (s.startsWith('<?', this.i)) this.pi();
      else if (s.startsWith('<!DOCTYPE', this.i)) this.fail('a DOCTYPE is not accepted');
      else return;
    }
  }

  private comment(): void {
    const end = this.s.indexOf('--', this.i + 4);
    if (end < 0) this.fail('unterminated comment');
    if (this.s[end + 2] !== '>') this.fail('-- inside a comment');
    this.i = end + 3;
  }

  private pi(): void {
    this.i += 2;
    const target = this.name();
    if (target.toLowerCase() === 'xml') this.fail('XML declaration not at the start');
    if (target.includes(':')) this.fail('a processing instruction target has no colon');
    const end = this.s.indexOf('?>', this.i);
    if (end < 0) this.fail('unterminated processing instruction');
    if (end > this.i && !/[ \t\n]/.test(this.s[this.i])) this.fail('malformed processing instruction');
    this.i = end + 2;
  }

  private startTag(): void {
    const s = this.s;
    const start = this.i;
    this.i++;
    const qname = this.name();
    const qnameHasColon = this.nameHasColon;
    const { qnames, attributes } = this;
    const values = attributes.value;
    let n = 0;
    let declarations = false;
    let prefixed = false;
    let selfClosing = false;
    for (;;) {
      const spaced = this.space();
      const c = s.charCodeAt(this.i);
      if (c === 62 /* > */) {
        this.i++;
        break;
      }
      if (c === 47 /* / */ && s.charCodeAt(this.i + 1) === 62) {
        this.i += 2;
        selfClosing = true;
        break;
      }
      if (!spaced) this.fail(`malformed start tag ${qname}`);
      const attr = this.name();
      this.space();
      if (s.charCodeAt(this.i) !== 61 /* = */) this.fail(`= expected after attribute ${attr}`);
      this.i++;
      this.space();
      const colon = this.nameHasColon;
      let value = this.attributeValue(attr);
      for (let k = 0; k < n; k++) if (qnames[k] === attr) this.fail(`attribute ${attr} given twice`);
      if (attr.charCodeAt(0) === 120 /* x */ && (attr === 'xmlns' || attr.startsWith('xmlns:'))) {
        const prefix = attr === 'xmlns' ? '' : attr.slice(6);
        if (prefix === 'xmlns' || (prefix === 'xml') !== (value === XML_NS) || value === XMLNS_NS) this.fail(`illegal namespace declaration ${attr}`);
        declarations = true;
      } else if (colon) prefixed = true;
      qnames[n] = attr;
      values[n] = value;
      n++;
    }
    attributes.count = n;
    const outer = this.ns;
    if (declarations) {
      this.ns = new Map(outer ?? []);
      for (let k = 0; k < n; k++) {
        const q = qnames[k];
        if (q !== 'xmlns' && !q.startsWith('xmlns:')) continue;
        const prefix = q === 'xmlns' ? '' : q.slice(6);
        // xmlns:p="" is a namespace error in XML 1.0 that libxml2 lets pass: ignored, as it does.
        if (prefix === '' || values[k] !== '') this.ns.set(prefix, values[k]);
      }
    }
    const colon = qnameHasColon ? this.colonOf(qname) : -1;
    const local = colon < 0 ? qname : qname.slice(colon + 1);
    const uri = this.resolve(colon < 0 ? '' : qname.slice(0, colon), false);
    const { local: locals, uri: uris } = attributes;
    if (!declarations && !prefixed) {
      for (let k = 0; k < n; k++) {
        locals[k] = qnames[k];
        uris[k] = '';
      }
    } else {
      for (let k = 0; k < n; k++) {
        const q = qnames[k];
        if (q === 'xmlns' || q.startsWith('xmlns:')) {
          locals[k] = q === 'xmlns' ? 'xmlns' : q.slice(6);
          uris[k] = XMLNS_NS;
          continue;
        }
        const c = this.colonOf(q);
        if (c < 0) {
          locals[k] = q;
          uris[k] = '';
          continue;
        }
        const l = q.slice(c + 1);
        const u = this.resolve(q.slice(0, c), true);
        if (u) for (let j = 0; j < k; j++) if (uris[j] === u && locals[j] === l) this.fail(`attribute {${u}}${l} given twice`);
        locals[k] = l;
        uris[k] = u;
      }
    }
    this.h.open(local, uri, attributes, start);
    if (selfClosing) {
      this.ns = outer;
      this.h.close();
    } else {
      this.openNames[this.depth] = qname;
      this.outerBindings[this.depth] = outer;
      this.depth++;
    }
  }

  /**
   * A quoted attribute value, normalized (3.3.3): literal whitespace becomes a space, references
   * expand.
   */
  private attributeValue(attr: string): string {
    const s = this.s;
    const quote = s.charCodeAt(this.i);
    const from = this.i + 1;
    const end = quote === 34 ? s.indexOf('"', from) : quote === 39 ? s.indexOf("'", from) : -1;
    if (end < 0) this.fail(`malformed value of attribute ${attr}`);
    if (this.nextOf(LT, from) < end) this.fail(`< in the value of attribute ${attr}`);
    this.i = end + 1;
    let value = s.slice(from, end);
    if (this.nextOf(TAB, from) < end || this.nextOf(NL, from) < end) value = value.replace(/[\t\n]/g, ' ');
    return this.nextOf(AMP, from) < end ? expand(value) : value;
  }

  /**
   * Where the next `<`, `&`, tab or newline is at or after `from` (the length of the text when there
   * is none). Each is searched for again only when the scan has passed it: one indexOf pass over the
   * document for each, rather than a look at every character of every attribute value.
   */
  private nextOf(which: number, from: number): number {
    const at = this.next[which];
    if (at >= from) return at;
    const found = this.s.indexOf(SOUGHT[which], from);
    return (this.next[which] = found < 0 ? this.s.length : found);
  }

  private endTag(): void {
    this.i += 2;
    const qname = this.name();
    this.space();
    if (this.s.charCodeAt(this.i) !== 62) this.fail(`malformed end tag ${qname}`);
    this.i++;
    const open = this.depth > 0 ? this.openNames[this.depth - 1] : undefined;
    if (open !== qname) this.fail(`</${qname}> does not close <${open ?? ''}>`);
    this.depth--;
    this.ns = this.outerBindings[this.depth];
    this.outerBindings[this.depth] = undefined;
    this.h.close();
  }
}

/** The 1-based line of an offset (computed only when a message is reported). */
export function lineAt(s: string, at: number): number {
  let n = 1;
  for (let k = s.indexOf('\n'); k >= 0 && k < at; k = s.indexOf('\n', k + 1)) n++;
  return n;
}
