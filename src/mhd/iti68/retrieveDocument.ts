/**
 * ITI-68 Retrieve Document at the Document Responder (ITI TF-2 3.68): the URL an ITI-67 answer puts
 * in attachment.url is `[base]/Binary/{id}`, id the DocumentEntry's entryUUID. The entry is found by
 * the stored-query service (GetDocuments) and the bytes by the retrieve service of ITI-43
 * (xds/repository/retrieve.ts), both through the requester's scoped reader: a document the requester
 * may not see is answered as an unknown one (404). A Deprecated entry is 410 Gone (Table
 * 2:3.68.4.2.2-1). The answer is the document in its mimeType, or, for a client that asks for FHIR
 * JSON or FHIR XML types only, the Binary resource in that format (FHIR R4 binary.html: the resource
 * only when a FHIR type is asked for; `_format` plays no part, fhir/format.ts).
 */
import type { ScopedReader } from '../../consent/scopedReader.ts';
import { slotValue, type ExtrinsicObject } from '../../ebxml/rim.ts';
import type { DocumentRetrieval, RetrievedDocument } from '../../xds/repository/retrieve.ts';
import { externalId } from '../../xds/registry/metadata.ts';
import { DocumentEntrySchemes, Status } from '../../xds/registry/schemes.ts';
import type { RegistryReads } from '../registryReads.ts';

export type RetrieveOutcome =
  | { kind: 'document'; entry: ExtrinsicObject; document: RetrievedDocument }
  | { kind: 'deprecated'; entry: ExtrinsicObject }
  | { kind: 'unknown'; entry?: ExtrinsicObject; reason: string };

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export async function retrieveDocument(reader: ScopedReader, reads: RegistryReads, retrieval: DocumentRetrieval, id: string): Promise<RetrieveOutcome> {
  if (!UUID.test(id)) return { kind: 'unknown', reason: `Binary/${id} is not known` };
  const [entry] = await reads.documents(reader, [`urn:uuid:${id.toLowerCase()}`]);
  if (!entry) return { kind: 'unknown', reason: `Binary/${id} is not known` };
  if (entry.status === Status.deprecated) return { kind: 'deprecated', entry };
  const repositoryUniqueId = slotValue(entry, 'repositoryUniqueId') ?? '';
  const documentUniqueId = externalId(entry, DocumentEntrySchemes.uniqueId) ?? '';
  const { documents, errors } = await retrieval.retrieve(reader, [{ repositoryUniqueId, documentUniqueId }]);
  if (documents.length === 0) return { kind: 'unknown', entry, reason: `Binary/${id}: ${errors.map((e) => e.errorCode).join(' ') || 'not available'}` };
  return { kind: 'document', entry, document: documents[0] };
}

/**
 * What an Accept header asks for: the document's own type (absent, `*\/*`, the type or its range),
 * the Binary resource (only FHIR JSON or FHIR XML types: its format is the FHIR base's negotiation of
 * Accept), or neither (406, Table 2:3.68.4.2.2-1).
 */
export function acceptOf(accept: string | undefined, mimeType: string): 'document' | 'binary' | 'none' {
  if (!accept) return 'document';
  const types = accept.split(',').map((t) => t.split(';')[0].trim().toLowerCase()).filter(Boolean);
  const [major] = mimeType.toLowerCase().split('/');
  if (types.some((t) => t === '*/*' || t === mimeType.toLowerCase() || t === `${major}/*`)) return 'document';
  if (types.some((t) => t === 'application/fhir+json' || t === 'application/json+fhir' || t === 'application/json' || t === 'application/fhir+xml' || t === 'application/xml+fhir')) return 'binary';
  return 'none';
}
