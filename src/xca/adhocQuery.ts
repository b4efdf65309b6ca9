/**
 * The AdhocQueryRequest of ITI-18 and ITI-38 (ITI TF-2a 3.18.4.1.2, TF-2b 3.38.4.1.2) as a
 * stored-query request, with the homeCommunityId its AdhocQuery names in `home`; and the
 * AdhocQueryResponse written back, with a status of Success, PartialSuccess or Failure.
 */
import { decodeSlots } from '../ebxml/decode.ts';
import { encodeIdentifiable } from '../ebxml/encode.ts';
import { registryErrorListXml, STATUS_URN, type RegistryError, type ResponseStatus } from '../ebxml/registryResponse.ts';
import type { Identifiable, RegistryObject } from '../ebxml/rim.ts';
import { NS } from '../soap/namespaces.ts';
import { childOf, type XmlElement } from '../xml/parse.ts';
import { XdsError } from '../xds/registry/errors.ts';
import type { ReturnType, StoredQueryRequest } from '../xds/query/types.ts';

export interface AdhocQuery extends StoredQueryRequest {
  /** AdhocQuery/@home: the community the query is for (ITI TF-2b 3.38.4.1.2.1). */
  home?: string;
}

/** The return type asked for, read before anything else so that an error answers in it. */
export function returnTypeOf(body: XmlElement): ReturnType {
  const option = childOf(body, NS.query, 'ResponseOption')?.attrs.returnType ?? 'LeafClass';
  return option === 'ObjectRef' ? 'ObjectRef' : 'LeafClass';
}

/** Throws XdsError for an unsupported return type or a request without an AdhocQuery. */
export function decodeAdhocQuery(body: XmlElement): AdhocQuery {
  const option = childOf(body, NS.query, 'ResponseOption')?.attrs.returnType ?? 'LeafClass';
  if (option !== 'LeafClass' && option !== 'ObjectRef') throw new XdsError('XDSRegistryError', `returnType ${option} is not supported: LeafClass or ObjectRef (ITI TF-2a 3.18.4.1.2.1)`);
  const adhoc = childOf(body, NS.rim, 'AdhocQuery');
  if (!adhoc) throw new XdsError('XDSRegistryError', 'AdhocQueryRequest without an AdhocQuery');
  const home = adhoc.attrs.home?.trim() || undefined;
  return { queryId: adhoc.attrs.id?.trim() ?? '', parameters: decodeSlots(adhoc), returnType: option, ...(home ? { home } : {}) };
}

/** An AdhocQueryResponse: objects (as LeafClass or ObjectRef) and errors; no objects on Failure. */
export function adhocQueryResponse(status: ResponseStatus, objects: Identifiable[], returnType: ReturnType, errors: RegistryError[]): string {
  const list = status === 'Failure' ? '' : objects.map((o) => encodeIdentifiable(returnType === 'ObjectRef' ? { type: 'ObjectRef', id: o.id, home: o.home } : o)).join('');
  return (
    `<query:AdhocQueryResponse xmlns:query="${NS.query}" xmlns:rim="${NS.rim}" xmlns:rs="${NS.rs}" status="${STATUS_URN[status]}">` +
    registryErrorListXml(errors) +
    `<rim:RegistryObjectList>${list}</rim:RegistryObjectList></query:AdhocQueryResponse>`
  );
}

/** The objects as this community gives them out: `home` on each (ITI TF-2b 3.38.4.1.2.1). */
export function withHome<T extends Identifiable = RegistryObject>(objects: T[], home: string): T[] {
  return objects.map((o) => ({ ...o, home }));
}
