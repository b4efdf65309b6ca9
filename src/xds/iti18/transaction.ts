/**
 * ITI-18 Registry Stored Query at the Document Registry (ITI TF-2a 3.18): a query:AdhocQueryRequest
 * naming a stored query by id, decoded into a stored-query request, run by the stored-query service
 * with the requester's scoped reader, answered with an AdhocQueryResponse of LeafClass objects or
 * ObjectRefs, or the query's error; audited as a Query with the request itself.
 */
import type { AccessDecisions } from '../../consent/decision.ts';
import { readScoped } from '../../consent/scopedReader.ts';
import { decodeSlots } from '../../ebxml/decode.ts';
import { encodeIdentifiable } from '../../ebxml/encode.ts';
import { registryErrorListXml, STATUS_URN, type RegistryError } from '../../ebxml/registryResponse.ts';
import type { RegistryObject } from '../../ebxml/rim.ts';
import type { SoapRequest, SoapTransaction } from '../../soap/endpoint.ts';
import type { IdentityService } from '../../identity/service.ts';
import { NS } from '../../soap/namespaces.ts';
import { childOf } from '../../xml/parse.ts';
import { serialize } from '../../xml/write.ts';
import { storedQueryObject, xdsAudit } from '../audit.ts';
import type { RegistryDeps } from '../iti42/transaction.ts';
import { XdsError } from '../registry/errors.ts';
import { errorsOf, expectBody } from '../submission.ts';
import { AffinityDomainResolver } from '../query/patientResolver.ts';
import { StoredQueryRunner } from '../query/runner.ts';
import { XDS } from '../transactions.ts';

export interface Iti18Deps extends RegistryDeps {
  maxResults: number;
  /** Values one query parameter may have. */
  maxQueryValues: number;
  decisions: AccessDecisions;
  identity: IdentityService;
}

export function adhocQueryResponseXml(objects: RegistryObject[], returnType: 'LeafClass' | 'ObjectRef', errors: RegistryError[]): string {
  const failed = errors.some((e) => e.severity === 'Error');
  const list = failed
    ? ''
    : objects.map((o) => encodeIdentifiable(returnType === 'ObjectRef' ? { type: 'ObjectRef', id: o.id, home: o.home } : o)).join('');
  return (
    `<query:AdhocQueryResponse xmlns:query="${NS.query}" xmlns:rim="${NS.rim}" xmlns:rs="${NS.rs}" status="${STATUS_URN[failed ? 'Failure' : 'Success']}">` +
    registryErrorListXml(errors) +
    `<rim:RegistryObjectList>${list}</rim:RegistryObjectList></query:AdhocQueryResponse>`
  );
}

export function iti18Transaction(deps: Iti18Deps): SoapTransaction {
  const d = XDS['ITI-18'];
  const runner = new StoredQueryRunner(new AffinityDomainResolver(deps.registry.cfg.affinityDomainOid), deps.maxResults, deps.maxQueryValues, deps.identity.domains.individualNumber);
  return {
    ...d,
    async handle(req: SoapRequest) {
      expectBody(req.body, NS.query, 'AdhocQueryRequest', d.id);
      const adhoc = childOf(req.body, NS.rim, 'AdhocQuery');
      const queryId = adhoc?.attrs.id?.trim() ?? '';
      let patientId: string | undefined;
      let returnType: 'LeafClass' | 'ObjectRef' = 'LeafClass';
      try {
        const option = childOf(req.body, NS.query, 'ResponseOption')?.attrs.returnType ?? 'LeafClass';
        if (option !== 'LeafClass' && option !== 'ObjectRef') throw new XdsError('XDSRegistryError', `returnType ${option} is not supported: LeafClass or ObjectRef (ITI TF-2a 3.18.4.1.2.1)`);
        returnType = option;
        if (!adhoc) throw new XdsError('XDSRegistryError', 'AdhocQueryRequest without an AdhocQuery');
        const request = { queryId, parameters: decodeSlots(adhoc), returnType };
        const result = await readScoped(deps, req.context, d.id, (reader) => runner.run(reader, request));
        patientId = result.patientId;
        await deps.audit.record(audit(0));
        return { bodyXml: adhocQueryResponseXml(result.objects, returnType, []) };
      } catch (e) {
        const { errors, internal } = errorsOf(e);
        if (internal) deps.log.error('xds.iti18.error', { error: e instanceof Error ? e.message : String(e) });
        await deps.audit.record(audit(internal ? 8 : 4, errors.map((x) => x.errorCode).join(' ')));
        return { bodyXml: adhocQueryResponseXml([], returnType, errors) };
      }
      function audit(outcome: 0 | 4 | 8, description?: string) {
        return xdsAudit(deps.audit, { tx: d, req, outcome, outcomeDescription: description, patientId, objects: [storedQueryObject(queryId, serialize(req.body))] });
      }
    },
  };
}
