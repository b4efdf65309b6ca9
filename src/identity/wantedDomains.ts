/**
 * The what-domains of a PIX or PDQ query (ITI-9 QPD-4, ITI-21 QPD-8): the domains the answer's
 * identifiers are limited to, and the positions of those this server does not know (each an error
 * at its repetition, ITI TF-2 3.9.4.2.2.6, 3.21.4.2.2.8). An empty authority is passed over.
 */
import type { ScopedReader } from '../consent/scopedReader.ts';
import type { AssigningAuthority, Domain } from './types.ts';

export async function wantedDomains(reader: ScopedReader, whatDomains: readonly Pick<AssigningAuthority, 'namespace' | 'oid'>[]): Promise<{ wanted: Domain[]; unknown: number[] }> {
  const wanted: Domain[] = [];
  const unknown: number[] = [];
  for (const [index, a] of whatDomains.entries()) {
    if (!a.namespace && !a.oid) continue;
    const d = await reader.domain(a);
    if (d) wanted.push(d);
    else unknown.push(index);
  }
  return { wanted, unknown };
}
