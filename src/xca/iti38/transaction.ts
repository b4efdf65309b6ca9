/**
 * ITI-38 Cross Gateway Query at the Responding Gateway (ITI TF-2b 3.38): a face of the stored-query
 * service, as ITI-18 is. Every stored query the registry answers, run through the requesting
 * community's scoped reader (consent decides for the peer region, with the XUA user and purpose of
 * use when present); the patient named by the link's identity (patientResolver.ts); `home` on every
 * object returned; XDSUnknownCommunity for a query naming another community. Audited as
 * ITI TF-2b 3.38.5.1.2 says: Query, the requesting gateway as Source.
 */
import type { AuditService } from '../../audit/auditService.ts';
import type { AccessDecisions } from '../../consent/decision.ts';
import { readScoped } from '../../consent/scopedReader.ts';
import type { IdentityService } from '../../identity/service.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { SoapRequest, SoapTransaction } from '../../soap/endpoint.ts';
import { NS } from '../../soap/namespaces.ts';
import type { Store } from '../../store/types.ts';
import { childOf } from '../../xml/parse.ts';
import { serialize } from '../../xml/write.ts';
import { xdsAudit } from '../../xds/audit.ts';
import { StoredQueryRunner } from '../../xds/query/runner.ts';
import { XdsError } from '../../xds/registry/errors.ts';
import { errorsOf, expectBody } from '../../xds/submission.ts';
import { adhocQueryResponse, decodeAdhocQuery, returnTypeOf, withHome } from '../adhocQuery.ts';
import { crossGatewayQueryObject } from '../audit.ts';
import type { CommunityDirectory } from '../community.ts';
import { CommunityPatientResolver } from '../patientResolver.ts';
import { XCA } from '../transactions.ts';

export interface RespondingGatewayDeps {
  store: Store;
  identity: IdentityService;
  decisions: AccessDecisions;
  audit: AuditService;
  log: Logger;
  communities: CommunityDirectory;
}

export function iti38Transaction(deps: RespondingGatewayDeps & { maxResults: number }): SoapTransaction {
  const d = XCA['ITI-38'];
  const home = deps.communities.homeCommunityId;
  const runner = new StoredQueryRunner(new CommunityPatientResolver(deps.communities), deps.maxResults);
  return {
    ...d,
    async handle(req: SoapRequest) {
      expectBody(req.body, NS.query, 'AdhocQueryRequest', d.id);
      const queryId = childOf(req.body, NS.rim, 'AdhocQuery')?.attrs.id?.trim() ?? '';
      const returnType = returnTypeOf(req.body);
      let patientId: string | undefined;
      let named: string | undefined;
      try {
        const query = decodeAdhocQuery(req.body);
        named = query.home;
        if (query.home && query.home !== home) throw new XdsError('XDSUnknownCommunity', `homeCommunityId ${query.home} is not this community (${home})`, query.home);
        const result = await readScoped(deps, req.context, d.id, (reader) => runner.run(reader, query));
        patientId = result.patientId;
        await deps.audit.record(audit(0));
        return { bodyXml: adhocQueryResponse('Success', withHome(result.objects, home), query.returnType, []) };
      } catch (e) {
        const { errors, internal } = errorsOf(e);
        if (internal) deps.log.error('xca.iti38.error', { error: e instanceof Error ? e.message : String(e) });
        // ITI TF-2b 3.38.4.1.3: each error names the community where it was detected.
        const located = errors.map((x) => ({ ...x, location: home }));
        await deps.audit.record(audit(internal ? 8 : 4, errors.map((x) => x.errorCode).join(' ')));
        return { bodyXml: adhocQueryResponse('Failure', [], returnType, located) };
      }
      function audit(outcome: 0 | 4 | 8, description?: string) {
        return xdsAudit(deps.audit, { tx: d, req, outcome, outcomeDescription: description, patientId, objects: [crossGatewayQueryObject(queryId, serialize(req.body), named ?? home)] });
      }
    },
  };
}
