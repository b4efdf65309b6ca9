/**
 * ITI-66 Find Document Lists at the Document Responder (ITI TF-2 3.66, XDS on FHIR Option): `code`
 * submissionset runs FindSubmissionSets, folder runs FindFolders (Tables 2:3.66.4.1.3.1-1 and -2),
 * with the requester's scoped reader; the packages found are written as Lists with their members.
 * Parameters of SubmissionSets only (source.given, source.family, sourceId) are ignored for Folders
 * (Note 3). A List read (`List/{id}`) is GetSubmissionSetAndContents, else GetFolderAndContents.
 */
import type { List } from 'fhir/r4.js';
import type { ScopedReader } from '../../consent/scopedReader.ts';
import { slotValues, type RegistryPackage, type Slot } from '../../ebxml/rim.ts';
import { FhirError } from '../../fhir/outcome.ts';
import { SubmissionSetSchemes } from '../../xds/registry/schemes.ts';
import { LIST_TYPES, listOf, type ListKind } from '../mapping/lists.ts';
import type { PatientReferences } from '../mapping/patientReference.ts';
import { isFolder, isPackage, QueryIds, type RegistryReads } from '../registryReads.ts';
import { authorPatterns, codeSlots, controlOf, dateBounds, namePartsMatch, occurrences, patientOfSearch, slot, statusesOf, type Paging } from '../search.ts';
import { Status } from '../../xds/registry/schemes.ts';

export const ITI66_PARAMETERS: readonly { name: string; type: 'token' | 'date' | 'string' | 'reference' }[] = [
  { name: 'code', type: 'token' },
  { name: 'patient', type: 'reference' },
  { name: 'patient.identifier', type: 'token' },
  { name: 'status', type: 'token' },
  { name: 'date', type: 'date' },
  { name: 'designationType', type: 'token' },
  { name: 'sourceId', type: 'token' },
  { name: 'source.given', type: 'string' },
  { name: 'source.family', type: 'string' },
];
const SUPPORTED = new Set(ITI66_PARAMETERS.map((p) => p.name));

/** List.status <-> availabilityStatus; R4 List has no `superseded`, MHD's table names it (Table 2:3.66.4.1.3.1-3). */
const LIST_STATUSES: Record<string, string> = { current: Status.approved, retired: Status.deprecated, superseded: Status.deprecated };

export interface Iti66Query {
  /** One stored query per kind asked. */
  queries: { kind: ListKind; queryId: string; parameters: Slot[] }[];
  patientId: string;
  names: { given: string[][]; family: string[][] };
  paging: Paging;
}

export function iti66Query(params: URLSearchParams, o: { patients: PatientReferences; lenient: boolean; maxCount: number }): Iti66Query {
  const paging = controlOf(params, SUPPORTED, o);
  const codes = occurrences(params, 'code');
  if (codes.length === 0) throw new FhirError(400, 'required', 'code is required: submissionset or folder', ['code']);
  const kinds = codes
    .map((g) =>
      g.map((v) => {
        const bar = v.indexOf('|');
        const system = bar < 0 ? '' : v.slice(0, bar);
        const code = bar < 0 ? v : v.slice(bar + 1);
        if ((system && system !== LIST_TYPES) || (code !== 'submissionset' && code !== 'folder')) throw new FhirError(400, 'invalid', `code: '${v}' is not submissionset or folder (${LIST_TYPES})`, ['code']);
        return code as ListKind;
      }),
    )
    .reduce((a, b) => a.filter((x) => b.includes(x)));
  const patientId = patientOfSearch(params, o.patients);
  const statuses = statusesOf(params, LIST_STATUSES);
  const date = dateBounds(params, 'date');
  const authors = authorPatterns(params, 'source');
  const queries = [...new Set(kinds)].map((kind) => {
    const set = kind === 'submissionset';
    const p = set ? '$XDSSubmissionSet' : '$XDSFolder';
    const parameters: Slot[] = [slot(`${p}PatientId`, [patientId], false), slot(`${p}Status`, statuses)];
    const time = set ? 'SubmissionTime' : 'LastUpdateTime';
    if (date.from) parameters.push({ name: `${p}${time}From`, values: [date.from] });
    if (date.to) parameters.push({ name: `${p}${time}To`, values: [date.to] });
    parameters.push(...codeSlots(params, 'designationType', set ? '$XDSSubmissionSetContentType' : '$XDSFolderCodeList', !set));
    if (set) {
      const sourceIds = occurrences(params, 'sourceId').flat().map((v) => v.slice(v.indexOf('|') + 1).replace(/^urn:oid:/, ''));
      if (sourceIds.length) parameters.push(slot('$XDSSubmissionSetSourceId', sourceIds));
      // $XDSSubmissionSetAuthorPerson takes one value: the first pattern; the names are then matched exactly.
      if (authors.patterns) parameters.push(slot('$XDSSubmissionSetAuthorPerson', [authors.patterns.length === 1 ? authors.patterns[0] : '%'], false));
    }
    return { kind, queryId: set ? QueryIds.findSubmissionSets : QueryIds.findFolders, parameters };
  });
  return { queries, patientId, names: { given: authors.given, family: authors.family }, paging };
}

const authorsOf = (p: RegistryPackage) => p.classifications.filter((c) => c.classificationScheme === SubmissionSetSchemes.author).flatMap((c) => slotValues(c, 'authorPerson') ?? []);

/** The Lists of one page, and how many match in all. */
export async function findLists(reader: ScopedReader, reads: RegistryReads, q: Iti66Query, o: { patients: PatientReferences }): Promise<{ resources: List[]; total: number }> {
  const found: { kind: ListKind; pkg: RegistryPackage }[] = [];
  for (const query of q.queries) {
    let pkgs = (await reads.run(reader, query.queryId, query.parameters)).filter(isPackage);
    if (query.kind === 'submissionset' && (q.names.given.length || q.names.family.length)) pkgs = pkgs.filter((p) => namePartsMatch(authorsOf(p), q.names.given, q.names.family));
    found.push(...pkgs.map((pkg) => ({ kind: query.kind, pkg })));
  }
  const page = found.slice(q.paging.offset, q.paging.count === undefined ? undefined : q.paging.offset + q.paging.count);
  const members = await reads.members(reader, page.map((f) => f.pkg.id));
  return { total: found.length, resources: page.map((f) => listOf(f.pkg, f.kind, { patients: o.patients, members: members.get(f.pkg.id) ?? [] })) };
}

/** One List by its id (an entryUUID), or undefined when the requester may not see it or it is not known. */
export async function readList(reader: ScopedReader, reads: RegistryReads, id: string, o: { patients: PatientReferences }): Promise<List | undefined> {
  const uuid = `urn:uuid:${id.toLowerCase()}`;
  for (const [queryId, param] of [
    [QueryIds.getSubmissionSetAndContents, '$XDSSubmissionSetEntryUUID'],
    [QueryIds.getFolderAndContents, '$XDSFolderEntryUUID'],
  ] as const) {
    const pkg = (await reads.run(reader, queryId, [slot(param, [uuid], false)])).filter(isPackage).find((p) => p.id === uuid);
    if (!pkg) continue;
    const members = await reads.members(reader, [pkg.id]);
    return listOf(pkg, isFolder(pkg) ? 'folder' : 'submissionset', { patients: o.patients, members: members.get(pkg.id) ?? [] });
  }
  return undefined;
}
