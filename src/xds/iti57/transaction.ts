/**
 * ITI-57 Update Document Set at the Document Registry (XDS Metadata Update, ITI TF-2b 3.57): an
 * lcm:SubmitObjectsRequest of update operations applied whole or not at all, answered with a
 * RegistryResponse, audited as an Import with action U and the SubmissionSet (3.57.5.1).
 */
import type { Identifiable } from '../../ebxml/rim.ts';
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
    apply: (tx, objects) => deps.registry.update(tx, objects as Identifiable[], { owned: true }),
  });
}
