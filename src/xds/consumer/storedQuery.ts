/**
 * The Document Consumer's side of ITI-18 Registry Stored Query (ITI TF-2a 3.18): the AdhocQueryRequest
 * of FindDocuments and GetDocuments, and the AdhocQueryResponse read into one summary per
 * DocumentEntry, in the terms a person looks for (ITI TF-3 Table 4.3.1-3).
 */
import { decodeRegistryObjectList, registryObjectListOf } from '../../ebxml/decode.ts';
import type { ExtrinsicObject, Identifiable } from '../../ebxml/rim.ts';
import { slotValue, slotValues } from '../../ebxml/rim.ts';
import type { RegistryError } from '../../ebxml/registryResponse.ts';
import { NS } from '../../soap/namespaces.ts';
import type { XmlElement } from '../../xml/parse.ts';
import { escapeAttr, escapeText } from '../../xml/write.ts';
import { DocumentEntrySchemes, Status } from '../registry/schemes.ts';

/** ITI TF-2a 3.18.4.1.2.3.7: the stored query ids. */
export const FIND_DOCUMENTS = 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d';
export const GET_DOCUMENTS = 'urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4';

export interface CodedSummary {
  code: string;
  codingScheme: string;
  display: string;
}

export interface DocumentSummary {
  entryUuid: string;
  uniqueId: string;
  patientId: string;
  /** Approved or Deprecated. */
  status: string;
  title: string;
  classCode?: CodedSummary;
  typeCode?: CodedSummary;
  healthcareFacilityTypeCode?: CodedSummary;
  /** authorInstitution (XON) of the entry's authors: the organization's name, or its identifier. */
  institutions: string[];
  sourcePatientId?: string;
  creationTime?: string;
  mimeType: string;
  size?: number;
  hash?: string;
  repositoryUniqueId?: string;
}

/** The registry answered with errors (an AdhocQueryResponse of status Failure, or PartialSuccess). */
export class RegistryQueryError extends Error {
  constructor(readonly errors: RegistryError[]) {
    super(errors.map((e) => `${e.errorCode}: ${e.codeContext}`).join('; ') || 'the registry answered Failure');
  }
}

type ParamValue = string | string[];

/** A value of a stored query parameter (ITI TF-2a 3.18.4.1.2.3.5): a quoted string, or a list of them. */
const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;

export function storedQueryRequest(queryId: string, params: Record<string, ParamValue>, returnType: 'LeafClass' | 'ObjectRef' = 'LeafClass'): string {
  const slots = Object.entries(params)
    .map(([name, v]) => `<rim:Slot name="${escapeAttr(name)}"><rim:ValueList><rim:Value>${escapeText(Array.isArray(v) ? `(${v.map(quote).join(',')})` : quote(v))}</rim:Value></rim:ValueList></rim:Slot>`)
    .join('');
  return (
    `<query:AdhocQueryRequest xmlns:query="${NS.query}" xmlns:rim="${NS.rim}">` +
    `<query:ResponseOption returnComposedObjects="true" returnType="${returnType}"/>` +
    `<rim:AdhocQuery id="${queryId}">${slots}</rim:AdhocQuery>` +
    `</query:AdhocQueryRequest>`
  );
}

/** FindDocuments for a patient ID of the affinity domain, Approved entries (and Deprecated with `all`). */
export function findDocumentsRequest(patientId: string, all = false): string {
  return storedQueryRequest(FIND_DOCUMENTS, {
    $XDSDocumentEntryPatientId: patientId,
    $XDSDocumentEntryStatus: all ? [Status.approved, Status.deprecated] : [Status.approved],
  });
}

/** GetDocuments by DocumentEntry uniqueIds. */
export function getDocumentsRequest(uniqueIds: string[]): string {
  return storedQueryRequest(GET_DOCUMENTS, { $XDSDocumentEntryUniqueId: uniqueIds });
}

/** The DocumentEntries of an AdhocQueryResponse; a Failure (or errors with PartialSuccess) throws RegistryQueryError. */
export function documentSummaries(response: XmlElement): DocumentSummary[] {
  if (response.ns !== NS.query || response.local !== 'AdhocQueryResponse') throw new RegistryQueryError([{ errorCode: 'unexpected answer', codeContext: `{${response.ns}}${response.local} is not an AdhocQueryResponse`, severity: 'Error' }]);
  const errors: RegistryError[] = (response.children.find((c) => c.ns === NS.rs && c.local === 'RegistryErrorList')?.children ?? []).map((c) => ({
    errorCode: c.attrs.errorCode ?? '',
    codeContext: c.attrs.codeContext ?? c.text.trim(),
    location: c.attrs.location,
    severity: /Warning$/.test(c.attrs.severity ?? '') ? 'Warning' : 'Error',
  }));
  if (!/:Success$/.test(response.attrs.status ?? '') || errors.some((e) => e.severity === 'Error')) throw new RegistryQueryError(errors);
  const list = registryObjectListOf(response);
  const objects: Identifiable[] = list ? decodeRegistryObjectList(list) : [];
  return objects.filter((o): o is ExtrinsicObject => o.type === 'ExtrinsicObject').map(summaryOf);
}

function summaryOf(e: ExtrinsicObject): DocumentSummary {
  const external = (scheme: string) => e.externalIdentifiers.find((x) => x.identificationScheme === scheme)?.value ?? '';
  const coded = (scheme: string): CodedSummary | undefined => {
    const c = e.classifications.find((x) => x.classificationScheme === scheme);
    if (!c) return undefined;
    return { code: c.nodeRepresentation ?? '', codingScheme: slotValue(c, 'codingScheme') ?? '', display: c.name[0]?.value ?? '' };
  };
  const institutions = e.classifications
    .filter((c) => c.classificationScheme === DocumentEntrySchemes.author)
    .flatMap((c) => slotValues(c, 'authorInstitution') ?? [])
    .map((xon) => {
      const parts = xon.split('^');
      return parts[0] || parts[9] || xon;
    });
  const size = slotValue(e, 'size');
  return {
    entryUuid: e.id,
    uniqueId: external(DocumentEntrySchemes.uniqueId),
    patientId: external(DocumentEntrySchemes.patientId),
    status: (e.status ?? '').split(':').pop() ?? '',
    title: e.name[0]?.value ?? '',
    classCode: coded(DocumentEntrySchemes.classCode),
    typeCode: coded(DocumentEntrySchemes.typeCode),
    healthcareFacilityTypeCode: coded(DocumentEntrySchemes.healthcareFacilityTypeCode),
    institutions: [...new Set(institutions)],
    sourcePatientId: slotValue(e, 'sourcePatientId'),
    creationTime: slotValue(e, 'creationTime'),
    mimeType: e.mimeType ?? '',
    size: size === undefined ? undefined : Number(size),
    hash: slotValue(e, 'hash')?.toLowerCase(),
    repositoryUniqueId: slotValue(e, 'repositoryUniqueId'),
  };
}
