/**
 * What the Initiating Gateway accepts from a peer Responding Gateway, checked before anything of it
 * is merged: the expected response element in its namespace, a known status, registry objects that
 * decode with an id (ITI-38); DocumentResponses with every element ITI TF-2b 3.39.4.2.2 requires, the
 * HomeCommunityId included, and their bytes present (ITI-39). Anything else is a malformed answer:
 * the peer is then a failing community, never a cause of a crash.
 */
import type { SoapAnswer } from '../../soap/client.ts';
import { decodeIdentifiable } from '../../ebxml/decode.ts';
import { STATUS_URN, SEVERITY_URN, type RegistryError, type ResponseStatus } from '../../ebxml/registryResponse.ts';
import type { Identifiable } from '../../ebxml/rim.ts';
import { NS } from '../../soap/namespaces.ts';
import type { XmlElement } from '../../xml/parse.ts';

export class MalformedAnswer extends Error {}

const STATUS_OF = new Map(Object.entries(STATUS_URN).map(([k, v]) => [v, k as ResponseStatus]));
const SEVERITY_OF = new Map(Object.entries(SEVERITY_URN).map(([k, v]) => [v, k as RegistryError['severity']]));

function child(el: XmlElement, ns: string, local: string): XmlElement | undefined {
  return el.children.find((c) => c.ns === ns && c.local === local);
}

function statusOf(el: XmlElement): ResponseStatus {
  const s = STATUS_OF.get(el.attrs.status ?? '');
  if (!s) throw new MalformedAnswer(`unknown response status '${el.attrs.status ?? ''}'`);
  return s;
}

function errorsOf(el: XmlElement): RegistryError[] {
  const list = child(el, NS.rs, 'RegistryErrorList');
  return (list?.children ?? []).map((e) => {
    if (e.ns !== NS.rs || e.local !== 'RegistryError' || !e.attrs.errorCode) throw new MalformedAnswer('a RegistryErrorList holds something other than RegistryErrors with an errorCode');
    const severity = SEVERITY_OF.get(e.attrs.severity ?? '');
    if (!severity) throw new MalformedAnswer(`RegistryError ${e.attrs.errorCode} with an unknown severity`);
    return { errorCode: e.attrs.errorCode, codeContext: e.attrs.codeContext ?? '', ...(e.attrs.location ? { location: e.attrs.location } : {}), severity };
  });
}

export interface QueryAnswer {
  status: ResponseStatus;
  objects: Identifiable[];
  errors: RegistryError[];
}

/** An ITI-38 answer: query:AdhocQueryResponse. */
export function queryAnswer(a: SoapAnswer): QueryAnswer {
  const b = a.body;
  if (b.ns !== NS.query || b.local !== 'AdhocQueryResponse') throw new MalformedAnswer(`expected query:AdhocQueryResponse, got {${b.ns}}${b.local}`);
  const status = statusOf(b);
  const list = child(b, NS.rim, 'RegistryObjectList');
  let objects: Identifiable[];
  try {
    objects = (list?.children ?? []).map(decodeIdentifiable);
  } catch (e) {
    throw new MalformedAnswer(`a registry object does not decode: ${e instanceof Error ? e.message : String(e)}`);
  }
  for (const o of objects) {
    if (!o.id) throw new MalformedAnswer('a registry object without an id');
    if (o.type !== 'ObjectRef' && !o.status && o.type !== 'Classification' && o.type !== 'ExternalIdentifier') throw new MalformedAnswer(`${o.type} ${o.id} without a status`);
  }
  return { status, objects, errors: errorsOf(b) };
}

export interface PeerDocument {
  homeCommunityId: string;
  repositoryUniqueId: string;
  documentUniqueId: string;
  mimeType: string;
  /** The document's bytes in the pieces they arrived in (passed on without a copy). */
  data: readonly Buffer[];
}

export interface RetrieveAnswer {
  status: ResponseStatus;
  documents: PeerDocument[];
  errors: RegistryError[];
}

/** An ITI-39 answer: xdsb:RetrieveDocumentSetResponse, its documents' bytes from their attachments (kept in memory). */
export function retrieveAnswer(a: SoapAnswer): RetrieveAnswer {
  const b = a.body;
  if (b.ns !== NS.xdsb || b.local !== 'RetrieveDocumentSetResponse') throw new MalformedAnswer(`expected xdsb:RetrieveDocumentSetResponse, got {${b.ns}}${b.local}`);
  const rr = child(b, NS.rs, 'RegistryResponse');
  if (!rr) throw new MalformedAnswer('RetrieveDocumentSetResponse without a RegistryResponse');
  const byId = new Map(a.attachments.map((p) => [p.contentId, p]));
  const documents = b.children
    .filter((c) => c.ns === NS.xdsb && c.local === 'DocumentResponse')
    .map((dr) => {
      const text = (l: string) => child(dr, NS.xdsb, l)?.text.trim() ?? '';
      const doc: Omit<PeerDocument, 'data'> = { homeCommunityId: text('HomeCommunityId'), repositoryUniqueId: text('RepositoryUniqueId'), documentUniqueId: text('DocumentUniqueId'), mimeType: text('mimeType') };
      for (const [k, v] of Object.entries(doc)) if (!v) throw new MalformedAnswer(`a DocumentResponse without its ${k} (ITI TF-2b 3.39.4.2.2)`);
      const el = child(dr, NS.xdsb, 'Document');
      if (!el) throw new MalformedAnswer(`DocumentResponse ${doc.documentUniqueId} without a Document`);
      const inc = el.children.find((c) => c.ns === NS.xop && c.local === 'Include');
      let data: readonly Buffer[];
      if (inc) {
        const part = byId.get(decodeURIComponent((inc.attrs.href ?? '').replace(/^cid:/, '')));
        if (!part?.pieces) throw new MalformedAnswer(`DocumentResponse ${doc.documentUniqueId} refers to a missing attachment`);
        data = part.pieces;
      } else data = [Buffer.from(el.text.replace(/\s+/g, ''), 'base64')];
      return { ...doc, data };
    });
  return { status: statusOf(rr), documents, errors: errorsOf(rr) };
}
