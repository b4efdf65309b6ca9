/**
 * ITI-57 Update Document Set at the Document Registry (XDS Metadata Update, ITI TF-2b 3.57): an
 * lcm:SubmitObjectsRequest of update operations applied whole or not at all, answered with a
 * RegistryResponse, audited as an Import with action U and the SubmissionSet (3.57.5.1).
 */
import type { Identifiable } from '../../ebxml/rim.ts';
import { authorizeUpdate } from '../../consent/submissionAuthorization.ts';
import type { SoapTransaction } from '../../soap/endpoint.ts';
import { NS } from '../../soap/namespaces.ts';
import { submissionFacts, submitObjectsOf } from '../iti42/transaction.ts';
import { registryChangeTransaction, type RegistryDeps } from '../submission.ts';
import { XDS } from '../transactions.ts';

export function iti57Transaction(deps: RegistryDeps): SoapTransaction {
  return registryChangeTransaction(XDS['ITI-57'], deps, { ns: NS.lcm, local: 'SubmitObjectsRequest' }, {
    decode(body) {
      const objects = submitObjectsOf(body);
      return { input: objects, facts: submissionFacts(objects) };
    },
    apply: async (tx, objects, ctx) => {
      const facility = await authorizeUpdate(tx, ctx, objects as Identifiable[]);
      return deps.registry.update(tx, objects as Identifiable[], { owned: true, facility });
    },
    // A new version or status change of an entry another facility submitted is an update operation
    // this requester may not perform (ITI TF-3 Table 4.2.4.1-2 XDSMetadataUpdateOperationError); its
    // metadata naming another facility is a metadata error (XDSRegistryMetadataError).
    denied: (rule) => (rule === 'owner' ? 'XDSMetadataUpdateOperationError' : 'XDSRegistryMetadataError'),
  });
}
