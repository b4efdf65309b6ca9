/**
 * ITI-42 Register Document Set-b at the Document Registry (ITI TF-2b 3.42): an
 * lcm:SubmitObjectsRequest registered whole or not at all, answered with a RegistryResponse, and
 * audited as an Import in the same write.
 */
import { changedBy } from '../../consent/service.ts';
import { decodeRegistryObjectList, EbxmlDecodeError, registryObjectListOf } from '../../ebxml/decode.ts';
import type { Identifiable } from '../../ebxml/rim.ts';
import { authorizeSubmission } from '../../consent/submissionAuthorization.ts';
import type { SoapTransaction } from '../../soap/endpoint.ts';
import { NS } from '../../soap/namespaces.ts';
import type { XmlElement } from '../../xml/parse.ts';
import { submissionSetObject } from '../audit.ts';
import { summarize } from '../registry/service.ts';
import { registryChangeTransaction, type AuditFacts, type RegistryDeps } from '../submission.ts';
import { XDS } from '../transactions.ts';
import { checkOwnRepositoryDocuments, type OwnRepository } from './ownRepository.ts';

export type { RegistryDeps } from '../submission.ts';

/** The objects of an lcm:SubmitObjectsRequest. */
export function submitObjectsOf(el: XmlElement): Identifiable[] {
  const list = registryObjectListOf(el);
  if (!list) throw new EbxmlDecodeError('SubmitObjectsRequest without a RegistryObjectList', 'SubmitObjectsRequest');
  return decodeRegistryObjectList(list);
}

/** A submission's audit facts: its patient and its SubmissionSet (ITI TF-2b 3.42.5.1.2). */
export function submissionFacts(objects: Identifiable[]): AuditFacts {
  const s = summarize(objects);
  return { patientId: s.patientId, objects: s.submissionSetUniqueId ? [submissionSetObject(s.submissionSetUniqueId)] : [] };
}

/** What ITI-42 works on: the objects of the request and the audit facts; run on a decode thread when there is one (xds/decoders.ts). */
export function decodeSubmitObjectsRequest(body: XmlElement): { input: Identifiable[]; facts: AuditFacts } {
  const objects = submitObjectsOf(body);
  return { input: objects, facts: submissionFacts(objects) };
}

export function iti42Transaction(deps: RegistryDeps & { ownRepository?: OwnRepository }): SoapTransaction {
  return registryChangeTransaction(XDS['ITI-42'], deps, { ns: NS.lcm, local: 'SubmitObjectsRequest' }, {
    decode: decodeSubmitObjectsRequest,
    apply: async (tx, objects, ctx) => {
      const facility = await authorizeSubmission(tx, ctx, objects as Identifiable[]);
      if (deps.ownRepository) await checkOwnRepositoryDocuments(tx, deps.ownRepository, objects as Identifiable[]);
      return deps.registry.register(tx, objects as Identifiable[], { owned: true, facility, submitter: changedBy(ctx) });
    },
    // Metadata that names another facility is an error in the metadata (ITI TF-2b 3.42.4.1.3, ITI TF-3
    // Table 4.2.4.1-2 XDSRegistryMetadataError, codeContext the rule); replacing another facility's
    // document is refused as a registry error (no more specific code fits, ITI TF-3 4.2.4.1).
    denied: (rule) => (rule === 'owner' ? 'XDSRegistryError' : 'XDSRegistryMetadataError'),
  });
}
