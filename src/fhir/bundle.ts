/** FHIR Bundles: a searchset page with its links (FHIR R4 3.1.1.4 paging), and batch/transaction responses. */
import type { Bundle, BundleEntry, BundleLink, FhirResource } from 'fhir/r4.js';

export function searchset(o: { self: string; next?: string; total?: number; entries: { fullUrl: string; resource: FhirResource }[] }): Bundle {
  const link: BundleLink[] = [{ relation: 'self', url: o.self }];
  if (o.next) link.push({ relation: 'next', url: o.next });
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(o.total !== undefined ? { total: o.total } : {}),
    link,
    entry: o.entries.map((e): BundleEntry => ({ fullUrl: e.fullUrl, resource: e.resource, search: { mode: 'match' } })),
  };
}
