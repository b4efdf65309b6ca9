/**
 * The individual-number domain (My Number) as configuration names it: its namespace, its OID, any
 * further aliases, and the CX-5 identifier type codes. Following the MHLW design for the medical
 * field, medical institutions do not use the individual number: an identifier in this domain is
 * refused wherever it arrives, and a number this domain names is masked wherever it is kept.
 *
 * An authority matches whatever its spelling: with or without `urn:oid:`, in any case, with
 * surrounding white space, full-width forms folded (NFKC), as CX-4.1 or CX-4.2, or as a FHIR system.
 */
import { decodeSpellings } from './digitSpellings.ts';

export interface IndividualNumberConfig {
  readonly namespace: string;
  readonly oid: string;
  /** More OIDs or namespaces that name the same domain. */
  readonly authorities: readonly string[];
  readonly typeCodes: readonly string[];
  readonly freeTextScreening?: { readonly enabled: boolean };
}

/** An authority as written, reduced to what names it: trimmed, NFKC, lower case, without urn:oid:. */
export function authorityName(v: string): string {
  return v.normalize('NFKC').trim().toLowerCase().replace(/^urn:oid:\s*/, '').trim();
}

/** True when the text may spell characters with references or escapes (decodeSpellings). */
const spelled = (text: string) => text.includes('&#') || text.includes('\\u') || text.includes('%');

/** A pattern matching the name in any case and in full-width forms, so that the text need not be folded first. */
function folded(name: string): string {
  let out = '';
  for (const c of name) {
    const forms = new Set([c.toLowerCase(), c.toUpperCase()]);
    for (const f of [...forms]) if (f > ' ' && f <= '~') forms.add(String.fromCharCode(f.charCodeAt(0) + 0xfee0));
    out += forms.size > 1 ? `[${[...forms].map((f) => f.replace(/[\]\\^-]/g, '\\$&')).join('')}]` : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return out;
}

export class IndividualNumberDomain {
  private readonly names: ReadonlySet<string>;
  private readonly typeCodes: ReadonlySet<string>;
  private readonly mention: RegExp;
  private readonly typeCodeMention: RegExp;
  private readonly either: RegExp;
  readonly freeTextScreening: boolean;
  private readonly seen = new Map<string, boolean>();

  constructor(readonly cfg: IndividualNumberConfig) {
    this.names = new Set([cfg.namespace, cfg.oid, ...cfg.authorities].map(authorityName).filter(Boolean));
    this.typeCodes = new Set(cfg.typeCodes.map((c) => c.normalize('NFKC').trim().toUpperCase()).filter(Boolean));
    this.mention = new RegExp([...this.names].map(folded).join('|') || '(?!)');
    this.typeCodeMention = new RegExp(`\\^\\s*(?:${[...this.typeCodes].map(folded).join('|') || '(?!)'})\\s*(?=[\\^|~&'"<\\s]|$)`);
    this.either = new RegExp(`${this.mention.source}|${this.typeCodeMention.source}`);
    this.freeTextScreening = cfg.freeTextScreening?.enabled ?? false;
  }

  /** True when the value, as CX-4.1, CX-4.2 or a FHIR identifier system, names the domain. */
  isAuthority(value: string | undefined): boolean {
    if (!value) return false;
    // The same few authorities come again and again (every facility's): their answers are kept.
    let known = this.seen.get(value);
    if (known === undefined) {
      known = this.names.has(authorityName(value));
      if (this.seen.size >= 1024) this.seen.clear();
      this.seen.set(value, known);
    }
    return known;
  }

  isTypeCode(code: string | undefined): boolean {
    return !!code && this.typeCodes.has(code.normalize('NFKC').trim().toUpperCase());
  }

  /** True when the assigning authority (CX-4, either part) or the identifier type code (CX-5) is the domain's. */
  isIndividualNumber(a: { namespace?: string; oid?: string }, typeCode?: string): boolean {
    return this.isAuthority(a.namespace) || this.isAuthority(a.oid) || this.isTypeCode(typeCode);
  }

  /** True when the text names the domain anywhere, in any of the spellings digitSpellings.ts decodes. */
  mentionedIn(text: string): boolean {
    return this.mention.test(text) || (spelled(text) && this.mention.test(decodeSpellings(text)));
  }

  /** True when the text names the domain or may hold a CX of its type code (a quick test before a closer look). */
  mayNameIn(text: string): boolean {
    return this.either.test(text) || (spelled(text) && this.either.test(decodeSpellings(text)));
  }

  /** True when the text may hold a CX whose type code (CX-5) is the domain's. */
  typeCodeMentionedIn(text: string): boolean {
    return this.typeCodeMention.test(text) || (spelled(text) && this.typeCodeMention.test(decodeSpellings(text)));
  }
}
