/**
 * ITI-18 Registry Stored Query at the Document Registry (ITI TF-2a 3.18): a query:AdhocQueryRequest
 * naming a stored query by id, answered with an AdhocQueryResponse of LeafClass objects or
 * ObjectRefs, or the query's error; audited as a Query with the request itself.
 */
import { decodeSlots } from '../../ebxml/decode.ts';
import { encodeIdentifiable } from '../../ebxml/encode.ts';
import { registryErrorListXml, STATUS_URN, type RegistryError } from '../../ebxml/registryResponse.ts';
import type { RegistryObject } from '../../ebxml/rim.ts';
import type { SoapRequest, SoapTransaction } from '../../soap/endpoint.ts';
import { NS } from '../../soap/namespaces.ts';
import { childOf } from '../../xml/parse.ts';
import { serialize } from '../../xml/write.ts';
import { storedQueryObject, xdsAudit } from '../audit.ts';
import type { RegistryDeps } from '../iti42/transaction.ts';
import { XdsError } from '../registry/errors.ts';
import { errorsOf, expectBody } from '../submission.ts';
import { XDS } from '../transactions.ts';
import { Params, parseParams } from './parameters.ts';
import { QUERIES_BY_ID } from './queries.ts';

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

export function iti18Transaction(deps: RegistryDeps & { maxResults: number }): SoapTransaction {
  const d = XDS['ITI-18'];
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
        const query = QUERIES_BY_ID.get(queryId);
        if (!query) throw new XdsError('XDSUnknownStoredQuery', `stored query ${queryId} is not known`, queryId);
        const params = new Params(parseParams(decodeSlots(adhoc)));
        const result = await deps.store.read((tx) => query.run({ tx, registry: deps.registry, maxResults: deps.maxResults, returnType }, params));
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
