/**
 * Cross-references (the PIX Manager's query, ITI TF-2 3.9.4.2.2.6; PIXm's later): given one
 * identifier of a patient, the patient's other identifiers, limited to the wanted domains. Read
 * through the requester's scoped reader: a patient the requester may not find is answered exactly as
 * an unknown one.
 */
import { wantedDomains } from './wantedDomains.ts';
import type { ScopedReader } from '../consent/scopedReader.ts';
import type { DomainIdentifier } from './service.ts';
import type { AssigningAuthority, Domain } from './types.ts';

export interface CrossReferenceRequest {
  /** The identifier asked about (QPD-3); an empty id is a problem of its own. */
  id: string;
  authority: AssigningAuthority;
  /** Domains whose identifiers are wanted (QPD-4); none means every domain. */
  whatDomains: AssigningAuthority[];
}

/** Why nothing was answered; `index` is the 0-based position of the what-domain concerned. */
export type CrossReferenceProblem =
  | { reason: 'no-identifier' }
  | { reason: 'unknown-domain' }
  | { reason: 'unknown-what-domain'; index: number }
  | { reason: 'unknown-identifier' };

export type CrossReferenceOutcome =
  | {
      kind: 'found';
      /** The identifier asked about, in its domain. */
      key: DomainIdentifier;
      /** The patient's other identifiers in the wanted domains (possibly none). */
      identifiers: DomainIdentifier[];
    }
  | { kind: 'invalid'; problems: CrossReferenceProblem[] };

export async function crossReferences(reader: ScopedReader, req: CrossReferenceRequest): Promise<CrossReferenceOutcome> {
  const problems: CrossReferenceProblem[] = [];
  let keyDomain: Domain | undefined;
  if (!req.id) problems.push({ reason: 'no-identifier' });
  else {
    keyDomain = await reader.domain(req.authority);
    if (!keyDomain) problems.push({ reason: 'unknown-domain' });
  }
  const { wanted, unknown } = await wantedDomains(reader, req.whatDomains);
  for (const index of unknown) problems.push({ reason: 'unknown-what-domain', index });
  if (problems.length > 0 || !keyDomain) return { kind: 'invalid', problems };
  const resolved = await reader.resolve(keyDomain, req.id);
  if (resolved.kind !== 'person') return { kind: 'invalid', problems: [{ reason: 'unknown-identifier' }] };
  const isKey = (i: DomainIdentifier) => i.domain.key === keyDomain.key && i.id === req.id;
  const identifiers = (await reader.identifiersOf(resolved.person)).filter((i) => !isKey(i) && (wanted.length === 0 || wanted.some((w) => w.key === i.domain.key)));
  return { kind: 'found', key: { domain: keyDomain, id: req.id }, identifiers };
}
