/**
 * PIXm ITI-83 Mobile Patient Identifier Cross-reference Query, the Manager's expected actions
 * (ITI TF-2 3.83.4.1.3, PIXm 3.0 2:3.83.4.2.2), over the same cross-reference service as ITI-9 and
 * the requester's scoped reader:
 *   known identifier -> 200 Parameters: a targetIdentifier per identifier in the wanted domains, and
 *     the Patient resource as targetId; none there -> 200 Parameters without parameter;
 *   source domain not recognized -> 400, code-invalid, "sourceIdentifier Assigning Authority not found";
 *   identifier not known (or a patient the requester may not find) -> 404, not-found,
 *     "sourceIdentifier Patient Identifier not found";
 *   a targetSystem not recognized -> 403, code-invalid, "targetSystem not found".
 */
import type { Parameters, ParametersParameter } from 'fhir/r4.js';
import { readScoped, type ScopedReadDeps } from '../../consent/scopedReader.ts';
import { FhirError } from '../../fhir/outcome.ts';
import { IndividualNumberRefused } from '../../fhir/individualNumber.ts';
import { crossReferences } from '../../identity/crossReferences.ts';
import type { RequestContext } from '../../kernel/requestContext.ts';
import { cxString } from '../codec/cx.ts';
import { authorityOfSystem, systemOf } from '../codec/fhirIdentifier.ts';
import { patientResourceId } from '../../fhir/patientId.ts';
import type { PixmQuery } from './parameters.ts';

export interface PixmAnswer {
  parameters: Parameters;
  /** CX strings of the patients the answer names (audit). */
  patients: string[];
}

export async function pixmQuery(deps: ScopedReadDeps, ctx: RequestContext, q: PixmQuery): Promise<PixmAnswer> {
  const authority = authorityOfSystem(q.source.system);
  // The individual number is never a patient identifier here: refused without being looked up or echoed.
  if (deps.identity.domains.isIndividualNumber(authority)) throw new IndividualNumberRefused('sourceIdentifier');
  const request = { id: q.source.value, authority, whatDomains: q.targetSystems.map(authorityOfSystem) };
  return readScoped(deps, ctx, 'ITI-83', async (reader) => {
    const outcome = await crossReferences(reader, request);
    if (outcome.kind === 'invalid') {
      // Several problems: the source's first, as ITI-9 lists QPD-3 before QPD-4.
      const reasons = new Set(outcome.problems.map((p) => p.reason));
      if (reasons.has('unknown-domain') || reasons.has('no-identifier')) throw new FhirError(400, 'code-invalid', 'sourceIdentifier Assigning Authority not found', ['sourceIdentifier']);
      if (reasons.has('unknown-what-domain')) throw new FhirError(403, 'code-invalid', 'targetSystem not found', ['targetSystem']);
      throw new FhirError(404, 'not-found', 'sourceIdentifier Patient Identifier not found', ['sourceIdentifier']);
    }
    const patients = [cxString(outcome.key), ...outcome.identifiers.map(cxString)];
    const parameter: ParametersParameter[] = outcome.identifiers.map((i) => ({ name: 'targetIdentifier', valueIdentifier: { system: systemOf(i.domain), value: i.id } }));
    if (parameter.length > 0) {
      const resolved = await reader.resolve(outcome.key.domain, outcome.key.id);
      if (resolved.kind === 'person') parameter.push({ name: 'targetId', valueReference: { reference: `Patient/${patientResourceId(resolved.person.regionalId)}` } });
    }
    return { parameters: { resourceType: 'Parameters', ...(parameter.length ? { parameter } : {}) }, patients };
  });
}
