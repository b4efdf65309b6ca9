/**
 * The input of PIXm ITI-83 `Patient/$ihe-pix` (ITI TF-2 3.83.4.1.2): by GET the URL's parameters,
 * by POST a Parameters resource. sourceIdentifier (1..1) is `system|value` (a token; by POST a
 * valueString, or a valueIdentifier); targetSystem (0..*) a system URI, repeated or comma-separated.
 * Anything else is refused (handling strict) unless the client asks for lenient handling; `_format`
 * (an input parameter of the PIXm OperationDefinition) asks for FHIR JSON or FHIR XML.
 */
import type { Parameters, ParametersParameter } from 'fhir/r4.js';
import { FhirError } from '../../fhir/outcome.ts';
import { formatOfParameter } from '../../fhir/format.ts';
import { splitOr, splitToken } from '../codec/fhirIdentifier.ts';

export interface PixmQuery {
  source: { system: string; value: string };
  targetSystems: string[];
}

const KNOWN = new Set(['sourceIdentifier', 'targetSystem', '_format']);

/** A GET's URL parameters. */
export function fromSearchParams(params: URLSearchParams, lenient: boolean): PixmQuery {
  const pairs: [string, string][] = [];
  for (const [k, v] of params) pairs.push([k, v]);
  return decode(pairs, lenient);
}

/** A POST's Parameters resource (already checked against the FHIR schema). */
export function fromParameters(body: Parameters, lenient: boolean): PixmQuery {
  const pairs: [string, string][] = [];
  for (const [i, p] of (body.parameter ?? []).entries()) pairs.push([p.name, valueOf(p, i)]);
  return decode(pairs, lenient);
}

function valueOf(p: ParametersParameter, i: number): string {
  if (p.valueString !== undefined) return p.valueString;
  if (p.valueUri !== undefined) return p.valueUri;
  if (p.valueIdentifier !== undefined) {
    if (p.name !== 'sourceIdentifier') throw new FhirError(400, 'invalid', `parameter ${p.name} takes a string or uri, not an Identifier`, [`Parameters.parameter[${i}]`]);
    return `${escapeToken(p.valueIdentifier.system ?? '')}|${escapeToken(p.valueIdentifier.value ?? '')}`;
  }
  throw new FhirError(400, 'invalid', `parameter ${p.name} has no valueString${p.name === 'targetSystem' ? ' or valueUri' : ' or valueIdentifier'}`, [`Parameters.parameter[${i}]`]);
}

const escapeToken = (s: string) => s.replace(/[\\|,$]/g, (c) => `\\${c}`);

function decode(pairs: [string, string][], lenient: boolean): PixmQuery {
  const unknown = [...new Set(pairs.map(([k]) => k).filter((k) => !KNOWN.has(k)))];
  if (unknown.length > 0 && !lenient) throw new FhirError(400, 'not-supported', `$ihe-pix takes sourceIdentifier and targetSystem only, not ${unknown.join(', ')}`, unknown);
  const format = pairs.find(([k]) => k === '_format')?.[1];
  if (format !== undefined && !formatOfParameter(format)) throw new FhirError(406, 'not-supported', `_format ${format}: FHIR JSON and FHIR XML are served`, ['_format']);
  const sources = pairs.filter(([k]) => k === 'sourceIdentifier').map(([, v]) => v);
  if (sources.length === 0) throw new FhirError(400, 'required', 'sourceIdentifier is required', ['sourceIdentifier']);
  if (sources.length > 1 || splitOr(sources[0]).length > 1) throw new FhirError(400, 'invalid', 'sourceIdentifier is given once, with one identifier', ['sourceIdentifier']);
  const token = splitToken(sources[0]);
  if (!token.system || !token.value) throw new FhirError(400, 'invalid', 'sourceIdentifier must be system|value, both given', ['sourceIdentifier']);
  const targetSystems = pairs
    .filter(([k]) => k === 'targetSystem')
    .flatMap(([, v]) => splitOr(v))
    .map((s) => s.trim());
  if (targetSystems.some((s) => !s)) throw new FhirError(400, 'invalid', 'targetSystem must not be empty', ['targetSystem']);
  return { source: { system: token.system, value: token.value }, targetSystems };
}
