/** ITI-18 requests for tests: an AdhocQueryRequest of a stored query with its parameters coded as ITI TF-2a 3.18.4.1.2.3.5 says. */
import type { Reply } from './xds.ts';

export const QUERY = {
  FindDocuments: 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d',
  FindSubmissionSets: 'urn:uuid:f26abbcb-ac74-4422-8a30-edb644bbc1a9',
  FindFolders: 'urn:uuid:958f3006-baad-4929-a4de-ff1114824431',
  GetAll: 'urn:uuid:10b545ea-725c-446d-9b95-8aeb444eddf3',
  GetDocuments: 'urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4',
  GetFolderAndContents: 'urn:uuid:b909a503-523d-4517-8acf-8e5834dfc4c7',
} as const;

export const APPROVED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved';
export const DEPRECATED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated';

/**
 * A parameter value: a string is one quoted value, a number an unquoted one, an array a
 * parenthesized list in one slot, an array of arrays one slot per list (AND across slots).
 */
export type ParamValue = string | number | string[] | string[][];

const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function slots(name: string, v: ParamValue): string {
  const slot = (value: string) => `<rim:Slot name="${name}"><rim:ValueList><rim:Value>${esc(value)}</rim:Value></rim:ValueList></rim:Slot>`;
  if (typeof v === 'number') return slot(String(v));
  if (typeof v === 'string') return slot(quote(v));
  if (v.length > 0 && Array.isArray(v[0])) return (v as string[][]).map((list) => slot(`(${list.map(quote).join(',')})`)).join('');
  return slot(`(${(v as string[]).map(quote).join(',')})`);
}

export function storedQuery(id: string, params: Record<string, ParamValue>, returnType: 'LeafClass' | 'ObjectRef' = 'LeafClass'): string {
  return (
    `<query:AdhocQueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0">` +
    `<query:ResponseOption returnType="${returnType}" returnComposedObjects="true"/><rim:AdhocQuery id="${id}">` +
    Object.entries(params)
      .map(([k, v]) => slots(k, v))
      .join('') +
    `</rim:AdhocQuery></query:AdhocQueryRequest>`
  );
}

/** FindDocuments for a patient, Approved entries unless other statuses are given. */
export function findDocuments(patientId: string, extra: Record<string, ParamValue> = {}, returnType: 'LeafClass' | 'ObjectRef' = 'LeafClass'): string {
  return storedQuery(QUERY.FindDocuments, { $XDSDocumentEntryPatientId: patientId, $XDSDocumentEntryStatus: [APPROVED], ...extra }, returnType);
}

/** The ids of the objects a reply's RegistryObjectList holds. */
export function idsOf(r: Reply): string[] {
  return (r.body.children.find((x) => x.local === 'RegistryObjectList')?.children ?? []).map((x) => x.attrs.id);
}
