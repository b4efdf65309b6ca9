/**
 * ITI-67 Find Document References at the Document Responder (ITI TF-2 3.67, XDS on FHIR Option): the
 * search parameters mapped onto FindDocuments, or FindDocumentsByReferenceId when `related` is given
 * (Table 2:3.67.4.1.3.1-1), run by the stored-query service with the requester's scoped reader, and
 * the DocumentEntries found written as DocumentReferences (with their relationships as relatesTo).
 * `creation` bounds creationTime; `period` is the interval the time of service overlaps (3.67.4.1.2.1):
 * its lower bound is serviceStopTimeFrom, its upper bound serviceStartTimeTo.
 */
import type { DocumentReference } from 'fhir/r4.js';
import type { ScopedReader } from '../../consent/scopedReader.ts';
import { slotValues, type Slot } from '../../ebxml/rim.ts';
import { FhirError } from '../../fhir/outcome.ts';
import { DocumentEntrySchemes } from '../../xds/registry/schemes.ts';
import { documentReferenceOf, XDS_STATUS } from '../mapping/documentEntry.ts';
import type { PatientReferences } from '../mapping/patientReference.ts';
import { escapeHl7 } from '../mapping/values.ts';
import { isDocument, QueryIds, type RegistryReads } from '../registryReads.ts';
import { authorPatterns, codeSlots, controlOf, dateBounds, namePartsMatch, occurrences, patientOfSearch, slot, statusesOf, type Paging } from '../search.ts';

export const ITI67_PARAMETERS: readonly { name: string; type: 'token' | 'date' | 'string' | 'reference' }[] = [
  { name: 'patient', type: 'reference' },
  { name: 'patient.identifier', type: 'token' },
  { name: 'status', type: 'token' },
  { name: 'creation', type: 'date' },
  { name: 'author.given', type: 'string' },
  { name: 'author.family', type: 'string' },
  { name: 'category', type: 'token' },
  { name: 'type', type: 'token' },
  { name: 'setting', type: 'token' },
  { name: 'period', type: 'date' },
  { name: 'facility', type: 'token' },
  { name: 'event', type: 'token' },
  { name: 'security-label', type: 'token' },
  { name: 'format', type: 'token' },
  { name: 'related', type: 'reference' },
];
const SUPPORTED = new Set(ITI67_PARAMETERS.map((p) => p.name));

const CODES: [string, string, boolean][] = [
  ['category', '$XDSDocumentEntryClassCode', false],
  ['type', '$XDSDocumentEntryTypeCode', false],
  ['setting', '$XDSDocumentEntryPracticeSettingCode', false],
  ['facility', '$XDSDocumentEntryHealthcareFacilityTypeCode', false],
  ['event', '$XDSDocumentEntryEventCodeList', true],
  ['security-label', '$XDSDocumentEntryConfidentialityCode', true],
  ['format', '$XDSDocumentEntryFormatCode', false],
];

/** The CXi types a referenceIdList value may carry (ITI TF-3 Table 4.2.3.1.7-2): a `related` identifier matches under any. */
const CXI_TYPES = ['', 'urn:ihe:iti:xds:2013:uniqueId', 'urn:ihe:iti:xds:2013:accession', 'urn:ihe:iti:xds:2013:referral', 'urn:ihe:iti:xds:2013:order', 'urn:ihe:iti:xds:2013:workflowInstanceId', 'urn:ihe:iti:xds:2015:encounterId'];

export interface Iti67Query {
  queryId: string;
  parameters: Slot[];
  patientId: string;
  names: { given: string[][]; family: string[][] };
  paging: Paging;
}

/** The stored query of a search; throws FhirError 400 for a parameter it cannot take. */
export function iti67Query(params: URLSearchParams, o: { patients: PatientReferences; lenient: boolean; maxCount: number }): Iti67Query {
  const paging = controlOf(params, SUPPORTED, o);
  const patientId = patientOfSearch(params, o.patients);
  const parameters: Slot[] = [slot('$XDSDocumentEntryPatientId', [patientId], false), slot('$XDSDocumentEntryStatus', statusesOf(params, XDS_STATUS))];
  const time = (name: string, from: string | undefined, to: string | undefined) => {
    if (from) parameters.push({ name: `${name}From`, values: [from] });
    if (to) parameters.push({ name: `${name}To`, values: [to] });
  };
  const creation = dateBounds(params, 'creation');
  time('$XDSDocumentEntryCreationTime', creation.from, creation.to);
  const period = dateBounds(params, 'period');
  if (period.from) parameters.push({ name: '$XDSDocumentEntryServiceStopTimeFrom', values: [period.from] });
  if (period.to) parameters.push({ name: '$XDSDocumentEntryServiceStartTimeTo', values: [period.to] });
  for (const [name, q, and] of CODES) parameters.push(...codeSlots(params, name, q, and));
  const authors = authorPatterns(params, 'author');
  if (authors.patterns) parameters.push(slot('$XDSDocumentEntryAuthorPerson', authors.patterns));
  const related = occurrences(params, 'related');
  let queryId: string = QueryIds.findDocuments;
  if (related.length) {
    if (related.length > 1) throw new FhirError(400, 'not-supported', 'related: give it once (alternatives separated by commas)', ['related']);
    const values = related[0].flatMap((v) => {
      const bar = v.indexOf('|');
      const system = bar < 0 ? '' : v.slice(0, bar);
      const value = bar < 0 ? v : v.slice(bar + 1);
      const aa = system.startsWith('urn:oid:') ? `&${system.slice(8)}&ISO` : '';
      return CXI_TYPES.map((t) => `${escapeHl7(value)}^^^${aa}${t ? `^${t}` : ''}`);
    });
    parameters.push(slot('$XDSDocumentEntryReferenceIdList', values));
    queryId = QueryIds.findDocumentsByReferenceId;
  }
  return { queryId, parameters, patientId, names: { given: authors.given, family: authors.family }, paging };
}

/** The DocumentReferences of one page, and how many match in all. */
export async function findDocumentReferences(
  reader: ScopedReader,
  reads: RegistryReads,
  q: Iti67Query,
  o: { patients: PatientReferences; documentUrl(entryUuid: string): string },
): Promise<{ resources: DocumentReference[]; total: number }> {
  let docs = (await reads.run(reader, q.queryId, q.parameters)).filter(isDocument);
  if (q.names.given.length || q.names.family.length) {
    docs = docs.filter((d) => namePartsMatch(d.classifications.filter((c) => c.classificationScheme === DocumentEntrySchemes.author).flatMap((c) => slotValues(c, 'authorPerson') ?? []), q.names.given, q.names.family));
  }
  const page = docs.slice(q.paging.offset, q.paging.count === undefined ? undefined : q.paging.offset + q.paging.count);
  const relations = await reads.relationships(reader, page.map((d) => d.id));
  return {
    total: docs.length,
    resources: page.map((d) => documentReferenceOf(d, { patients: o.patients, documentUrl: o.documentUrl, relatesTo: relations.get(d.id) })),
  };
}
