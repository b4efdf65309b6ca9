/**
 * Search parameters a face does not support (FHIR R4 3.1.1.5.1): with `Prefer: handling=strict`, the
 * default here (capability.ts says so), a 400 OperationOutcome naming each; with
 * `handling=lenient`, left out of the search (the self link then shows only what was used).
 */
import { FhirError } from './outcome.ts';

export function isLenient(prefer: string | undefined): boolean {
  return /(^|[;,\s])handling\s*=\s*lenient\b/.test(prefer ?? '');
}

/**
 * The parameters of a search without those the face does not take; refuses them when strict.
 * `supported` maps a parameter name to the modifiers it takes ('' for none).
 */
export function supportedParameters(params: URLSearchParams, supported: ReadonlyMap<string, readonly string[]>, lenient: boolean): URLSearchParams {
  const kept = new URLSearchParams();
  const unknown: string[] = [];
  for (const [key, value] of params) {
    const [name, modifier = ''] = key.split(':', 2);
    const modifiers = supported.get(name);
    if (modifiers && modifiers.includes(modifier)) kept.append(key, value);
    else unknown.push(key);
  }
  if (unknown.length > 0 && !lenient) {
    const names = [...new Set(unknown)];
    throw new FhirError(400, 'not-supported', `search parameter${names.length > 1 ? 's' : ''} not supported here: ${names.join(', ')} (Prefer: handling=lenient ignores them)`, names);
  }
  return kept;
}
