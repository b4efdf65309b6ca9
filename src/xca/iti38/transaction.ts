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
import { escapeText, serialize } from '../../xml/write.ts';
import { xdsAudit } from '../../xds/audit.ts';
import { StoredQueryRunner } from '../../xds/query/runner.ts';
import { XdsError } from '../../xds/registry/errors.ts';
import { errorsOf, expectBody } from '../../xds/submission.ts';
import { adhocQueryResponse, decodeAdhocQuery, returnTypeOf, withHome } from '../adhocQuery.ts';
import { crossGatewayQueryObject } from '../audit.ts';
import type { CommunityDirectory } from '../community.ts';
import { CommunityPatientResolver } from '../patientResolver.ts';
import { queryPatientId } from '../peers/crossIdentity.ts';
import { XCA } from '../transactions.ts';

export interface RespondingGatewayDeps {
  store: Store;
  identity: IdentityService;
  decisions: AccessDecisions;
  audit: AuditService;
  log: Logger;
  communities: CommunityDirectory;
}

export function iti38Transaction(deps: RespondingGatewayDeps & { maxResults: number; maxQueryValues: number }): SoapTransaction {
  const d = XCA['ITI-38'];
  const home = deps.communities.homeCommunityId;
  return {
    ...d,
    async handle(req: SoapRequest) {
      expectBody(req.body, NS.query, 'AdhocQueryRequest', d.id);
      const queryId = childOf(req.body, NS.rim, 'AdhocQuery')?.attrs.id?.trim() ?? '';
      const returnType = returnTypeOf(req.body);
      let patientId: string | undefined;
      let named: string | undefined;
      // Per request: the resolver keeps the regional ID of the patient it found, for the audit.
      const patients = new CommunityPatientResolver(deps.communities);
      const runner = new StoredQueryRunner(patients, deps.maxResults, deps.maxQueryValues, deps.identity.domains.individualNumber);
      try {
        const query = decodeAdhocQuery(req.body);
        named = query.home;
        patientId = queryPatientId(query.parameters)?.value;
        if (query.home && query.home !== home) throw new XdsError('XDSUnknownCommunity', `homeCommunityId ${query.home} is not this community (${home})`, query.home);
        const result = await readScoped(deps, req.context, d.id, (reader) => runner.run(reader, query));
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
      /**
       * The patient named by its regional ID, and the request with the link's key (token or
       * pseudonym) replaced by it: audit messages never name the token or a pseudonym.
       */
      function audit(outcome: 0 | 4 | 8, description?: string) {
        let request = serialize(req.body);
        if (patientId) request = request.split(escapeText(patientId)).join(escapeText(patients.regionalPid ?? '(cross-community identifier)'));
        return xdsAudit(deps.audit, { tx: d, req, outcome, outcomeDescription: description, patientId: patients.regionalPid, objects: [crossGatewayQueryObject(queryId, request, named ?? home)] });
      }
    },
  };
}
