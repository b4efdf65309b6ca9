/**
 * The Document Consumer's side of ITI-43 Retrieve Document Set (ITI TF-2b 3.43): the request, and the
 * documents of the answer with their bytes, from their XOP attachments (or inline base64, which XOP
 * allows), checked against the hash and size the registry holds for them.
 */
import { createHash } from 'node:crypto';
import type { RegistryError } from '../../ebxml/registryResponse.ts';
import { NS } from '../../soap/namespaces.ts';
import type { XmlElement } from '../../xml/parse.ts';
import { retrieveRequestXml } from '../iti43/codec.ts';

export interface DocumentRequest {
  repositoryUniqueId: string;
  documentUniqueId: string;
}

export interface RetrievedDocument {
  repositoryUniqueId: string;
  documentUniqueId: string;
  mimeType: string;
  bytes: Buffer;
}

export class RetrieveError extends Error {
  constructor(
    message: string,
    readonly errors: RegistryError[] = [],
  ) {
    super(message);
  }
}

export function retrieveRequest(docs: DocumentRequest[]): string {
  return retrieveRequestXml(docs.map((d) => ({ repositoryUniqueId: d.repositoryUniqueId, documentUniqueId: d.documentUniqueId })));
}

const childText = (el: XmlElement, local: string) => el.children.find((c) => c.ns === NS.xdsb && c.local === local)?.text.trim() ?? '';

/** The documents of a RetrieveDocumentSetResponse; a response without any, with errors, throws RetrieveError. */
export function retrievedDocuments(response: XmlElement, attachments: Map<string, Buffer>): RetrievedDocument[] {
  if (response.ns !== NS.xdsb || response.local !== 'RetrieveDocumentSetResponse') throw new RetrieveError(`{${response.ns}}${response.local} is not a RetrieveDocumentSetResponse`);
  const registryResponse = response.children.find((c) => c.ns === NS.rs && c.local === 'RegistryResponse');
  const errors: RegistryError[] = (registryResponse?.children.find((c) => c.local === 'RegistryErrorList')?.children ?? []).map((c) => ({
    errorCode: c.attrs.errorCode ?? '',
    codeContext: c.attrs.codeContext ?? c.text.trim(),
    location: c.attrs.location,
    severity: /Warning$/.test(c.attrs.severity ?? '') ? 'Warning' : 'Error',
  }));
  const docs = response.children
    .filter((c) => c.ns === NS.xdsb && c.local === 'DocumentResponse')
    .map((dr) => {
      const doc = dr.children.find((c) => c.ns === NS.xdsb && c.local === 'Document');
      const include = doc?.children.find((c) => c.ns === NS.xop && c.local === 'Include');
      let bytes: Buffer | undefined;
      if (include) {
        const cid = decodeURIComponent((include.attrs.href ?? '').replace(/^cid:/, ''));
        bytes = attachments.get(cid);
        if (!bytes) throw new RetrieveError(`the answer's xop:Include names a part that is not there (${cid})`);
      } else bytes = Buffer.from(doc?.text ?? '', 'base64');
      return { repositoryUniqueId: childText(dr, 'RepositoryUniqueId'), documentUniqueId: childText(dr, 'DocumentUniqueId'), mimeType: childText(dr, 'mimeType'), bytes };
    });
  if (docs.length === 0) throw new RetrieveError(errors.map((e) => `${e.errorCode}: ${e.codeContext}`).join('; ') || 'the repository returned no document', errors);
  return docs;
}

/** Whether bytes are those the registry describes: SHA-1 (hex) and size (ITI TF-3 4.2.3.2.18, 4.2.3.2.19). */
export function integrityProblem(bytes: Buffer, expected: { hash?: string; size?: number }): string | undefined {
  if (expected.size !== undefined && bytes.length !== expected.size) return `size ${bytes.length} bytes, the registry says ${expected.size}`;
  const sha1 = createHash('sha1').update(bytes).digest('hex');
  if (expected.hash && sha1 !== expected.hash.toLowerCase()) return `SHA-1 ${sha1}, the registry says ${expected.hash}`;
  return undefined;
}
