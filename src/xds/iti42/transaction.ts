/**
 * ITI-42 Register Document Set-b at the Document Registry (ITI TF-2b 3.42): an
 * lcm:SubmitObjectsRequest registered whole or not at all, answered with a RegistryResponse, and
 * audited as an Import in the same write.
 */
import type { AuditService } from '../../audit/auditService.ts';
import { decodeRegistryObjectList, registryObjectListOf } from '../../ebxml/decode.ts';
import type { Identifiable } from '../../ebxml/rim.ts';
import type { Logger } from '../../server/logger.ts';
import type { SoapRequest, SoapTransaction } from '../../soap/endpoint.ts';
import { NS } from '../../soap/namespaces.ts';
import type { Store } from '../../store/types.ts';
import type { XmlElement } from '../../xml/parse.ts';
import { submissionSetObject, xdsAudit } from '../audit.ts';
import { EbxmlDecodeError } from '../../ebxml/decode.ts';
import { summarize, type RegistryService } from '../registry/service.ts';
import { errorsOf, expectBody, registryResponseBody } from '../submission.ts';
import { XDS } from '../transactions.ts';

export interface RegistryDeps {
  store: Store;
  registry: RegistryService;
  audit: AuditService;
  log: Logger;
}

/** The objects of an lcm:SubmitObjectsRequest. */
export function submitObjectsOf(el: XmlElement): Identifiable[] {
  const list = registryObjectListOf(el);
  if (!list) throw new EbxmlDecodeError('SubmitObjectsRequest without a RegistryObjectList', 'SubmitObjectsRequest');
  return decodeRegistryObjectList(list);
}

export function iti42Transaction(deps: RegistryDeps): SoapTransaction {
  const d = XDS['ITI-42'];
  return {
    ...d,
    async handle(req: SoapRequest) {
      expectBody(req.body, NS.lcm, 'SubmitObjectsRequest', d.id);
      let summary: ReturnType<typeof summarize> = { documents: [] };
      const audit = (outcome: 0 | 4 | 8, description?: string) =>
        xdsAudit(deps.audit, {
          tx: d,
          req,
          outcome,
          outcomeDescription: description,
          patientId: summary.patientId,
          objects: summary.submissionSetUniqueId ? [submissionSetObject(summary.submissionSetUniqueId)] : [],
        });
      try {
        const objects = submitObjectsOf(req.body);
        summary = summarize(objects);
        const outcome = await deps.store.write(async (tx) => {
          const o = await deps.registry.register(tx, objects);
          await deps.audit.recordIn(tx, audit(0));
          return o;
        });
        return { bodyXml: registryResponseBody(outcome.warnings) };
      } catch (e) {
        const { errors, internal } = errorsOf(e);
        if (internal) deps.log.error('xds.iti42.error', { error: e instanceof Error ? e.message : String(e) });
        await deps.audit.record(audit(internal ? 8 : 4, errors.map((x) => x.errorCode).join(' ')));
        return { bodyXml: registryResponseBody(errors) };
      }
    },
  };
}
