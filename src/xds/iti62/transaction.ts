/**
 * ITI-62 Remove Metadata at the Document Registry (RMD, ITI TF-2b 3.62): an lcm:RemoveObjectsRequest
 * whose ObjectRefList names the registry objects to remove, all or none; answered with a
 * RegistryResponse and audited as a Patient Record event with action D naming every object removed
 * (3.62.5.1).
 */
import { authorizeRemoval } from '../../consent/submissionAuthorization.ts';
import { EbxmlDecodeError } from '../../ebxml/decode.ts';
import type { SoapTransaction } from '../../soap/endpoint.ts';
import { NS } from '../../soap/namespaces.ts';
import { childOf, childrenOf, type XmlElement } from '../../xml/parse.ts';
import { registryObject } from '../audit.ts';
import { XdsError } from '../registry/errors.ts';
import { registryChangeTransaction, type RegistryDeps } from '../submission.ts';
import { XDS } from '../transactions.ts';

/**
 * The entryUUIDs of the request. RMD names its objects by ObjectRefList only: an AdhocQuery or a
 * deletionScope (ebRS 3.0 lets both select what to remove) is refused (ITI TF-2b 3.62.4.1.2).
 */
export function objectRefsOf(body: XmlElement): string[] {
  if (childOf(body, NS.rim, 'AdhocQuery')) throw new XdsError('XDSRegistryError', 'Remove Metadata names its objects in an ObjectRefList, not by an AdhocQuery (ITI TF-2b 3.62.4.1.2)', 'AdhocQuery');
  if (body.attrs.deletionScope !== undefined) throw new XdsError('XDSRegistryError', 'the deletionScope attribute is not used by Remove Metadata (ITI TF-2b 3.62.4.1.2)', 'deletionScope');
  const list = childOf(body, NS.rim, 'ObjectRefList');
  const ids = (list ? childrenOf(list, NS.rim, 'ObjectRef') : []).map((r) => r.attrs.id?.trim() ?? '');
  if (ids.length === 0) throw new XdsError('XDSRegistryError', 'the ObjectRefList names no object to remove', 'ObjectRefList');
  if (ids.some((id) => !id)) throw new EbxmlDecodeError('ObjectRef without an id', 'ObjectRef');
  return ids;
}

export function iti62Transaction(deps: RegistryDeps): SoapTransaction {
  return registryChangeTransaction(XDS['ITI-62'], deps, { ns: NS.lcm, local: 'RemoveObjectsRequest' }, {
    decode(body) {
      const ids = objectRefsOf(body);
      return { input: ids, facts: { objects: ids.map(registryObject) } };
    },
    apply: async (tx, ids, ctx) => {
      await authorizeRemoval(tx, ctx, ids as string[]);
      return deps.registry.removeMetadata(tx, ids as string[]);
    },
    // RMD's own codes (ITI TF-2b 3.62.4.1.3: UnresolvedReferenceException, ReferencesExistException,
    // UnreferencedObjectException) say nothing of who may remove; ITI TF-3 4.2.4.1 has XDSRegistryError
    // answer a condition no more specific code covers: located at the object, codeContext the rule.
    denied: () => 'XDSRegistryError',
    factsOf: (o, before) => ({ patientId: o.patientId, objects: before.objects }),
  });
}
