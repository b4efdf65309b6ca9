/**
 * Content negotiation of the FHIR base, in one place (FHIR R4 http.html#mime-type, formats.html):
 * this server answers FHIR JSON and FHIR XML. The `_format` parameter wins over Accept (http.html:
 * it lets a client override Accept): xml, text/xml, application/xml, application/fhir+xml mean XML;
 * json, application/json, application/fhir+json mean JSON; anything else (ttl, html, ...) is a
 * format this server does not serve. Accept is read by quality, a specific type before a range.
 * Neither given: JSON. A format not served is 406 Not Acceptable (formats.html: 406 when the client
 * asks for a format the server does not support, 415 when it posts one), answered in JSON.
 *
 * Binary is read in the document's own type unless the client names a FHIR type in Accept
 * (binary.html), so for Binary `_format` plays no part and an Accept this server does not know is
 * left to the Binary route (MHD ITI-68 answers it).
 */
import type { Request, Response } from 'express';

export type FhirFormat = 'json' | 'xml';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';
export const FHIR_XML = 'application/fhir+xml; charset=utf-8';

/** The request body types read as FHIR XML (the R4 type, the STU3 one, the generic ones: http.html). */
export const FHIR_XML_TYPES = ['application/fhir+xml', 'application/xml+fhir', 'application/xml', 'text/xml'];

const FORMAT_OF_PARAMETER: Record<string, FhirFormat> = {
  xml: 'xml',
  'text/xml': 'xml',
  'application/xml': 'xml',
  'application/fhir+xml': 'xml',
  'application/xml+fhir': 'xml',
  json: 'json',
  'application/json': 'json',
  'application/fhir+json': 'json',
  'application/json+fhir': 'json',
};

/** What a `_format` value asks for, undefined for a format this server does not serve. */
export function formatOfParameter(value: string): FhirFormat | undefined {
  return FORMAT_OF_PARAMETER[value.split(';')[0].trim().toLowerCase()];
}

const MEDIA_TYPES: Record<string, FhirFormat> = {
  'application/fhir+json': 'json',
  'application/json+fhir': 'json',
  'application/json': 'json',
  'application/fhir+xml': 'xml',
  'application/xml+fhir': 'xml',
  'application/xml': 'xml',
  'text/xml': 'xml',
};

/**
 * The format an Accept header asks for: the served type of highest quality (q=0 excludes), a
 * specific type before `*\/*` or `application/*` at the same quality, which mean the default
 * (JSON, or XML when JSON is excluded). Undefined when nothing served is acceptable.
 */
export function formatOfAccept(accept: string): FhirFormat | undefined {
  const ranges = accept
    .split(',')
    .map((part, i) => {
      const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.map((p) => /^q=([0-9.]+)$/.exec(p)).find((m) => m);
      return { type, q: q ? Number(q[1]) : 1, i };
    })
    .filter((r) => r.type);
  const excluded = new Set(ranges.filter((r) => r.q === 0).map((r) => MEDIA_TYPES[r.type]).filter(Boolean));
  const candidates = ranges
    .filter((r) => r.q > 0)
    .map((r) => {
      const format = MEDIA_TYPES[r.type];
      if (format) return { format, q: r.q, wildcard: false, i: r.i };
      if (r.type === '*/*' || r.type === 'application/*') {
        const fallback: FhirFormat | undefined = !excluded.has('json') ? 'json' : !excluded.has('xml') ? 'xml' : undefined;
        return fallback ? { format: fallback, q: r.q, wildcard: true, i: r.i } : undefined;
      }
      if (r.type === 'text/*' && !excluded.has('xml')) return { format: 'xml' as const, q: r.q, wildcard: true, i: r.i };
      return undefined;
    })
    .filter((c): c is { format: FhirFormat; q: number; wildcard: boolean; i: number } => c !== undefined)
    .sort((a, b) => b.q - a.q || Number(a.wildcard) - Number(b.wildcard) || a.i - b.i);
  return candidates[0]?.format;
}

export type Negotiated = { format: FhirFormat } | { refused: string };

/** The format of the answer to a request: `_format`, then Accept, then JSON. */
export function negotiate(o: { format?: string | null; accept?: string; binary?: boolean }): Negotiated {
  if (!o.binary && o.format !== undefined && o.format !== null) {
    const format = formatOfParameter(o.format);
    return format ? { format } : { refused: `_format ${o.format}: this server answers FHIR JSON (json, application/fhir+json) and FHIR XML (xml, application/fhir+xml)` };
  }
  if (!o.accept || !o.accept.trim()) return { format: 'json' };
  const format = formatOfAccept(o.accept);
  if (format) return { format };
  if (o.binary) return { format: 'json' };
  return { refused: `Accept ${o.accept}: this server answers FHIR JSON (application/fhir+json) and FHIR XML (application/fhir+xml)` };
}

const FORMAT = 'fhirFormat';

/** Negotiates a request's answer format and keeps it for every writer of this response. */
export function negotiateRequest(req: Request, res: Response): Negotiated {
  const n = negotiate({ format: new URL(req.originalUrl, 'http://x').searchParams.get('_format'), accept: req.get('accept'), binary: /^\/Binary(\/|$)/.test(req.path) });
  if ('format' in n) res.locals[FORMAT] = n.format;
  return n;
}

/** Sets the answer's format (a `_format` given inside a posted Parameters resource, PIXm). */
export function useFormat(res: Response, format: FhirFormat): void {
  res.locals[FORMAT] = format;
}

/** The format negotiated for this response; JSON when none was (a router used outside the base). */
export function formatOf(res: Response): FhirFormat {
  return res.locals?.[FORMAT] === 'xml' ? 'xml' : 'json';
}
