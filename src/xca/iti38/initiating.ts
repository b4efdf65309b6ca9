/**
 * The Initiating Gateway's query face (ITI TF-2b 3.38, XDS Affinity Domain Option 3.18.4.1.2.3.8):
 * a local consumer's ITI-18 with this region's regional patient ID, answered from the local registry
 * (the stored-query service through the consumer's scoped reader) and from every peer community at
 * once (ITI-38, the patient keyed on each link's identity), each peer within its timeout. A query
 * naming a homeCommunityId goes to that community only. The merged answer carries `home` on every
 * object; it is Success, PartialSuccess with each failing community's errors located at its
 * homeCommunityId (ITI TF-2b 3.38.4.1.3), or Failure when no community answered. Audited as the
 * registry would (ITI-18, the consumer the requester) and once per peer asked (ITI-38 as requester).
 */
import { readScoped } from '../../consent/scopedReader.ts';
import type { RegistryError, ResponseStatus } from '../../ebxml/registryResponse.ts';
import type { NodeRole } from '../../kernel/requestContext.ts';
import type { SoapRequest, SoapTransaction } from '../../soap/endpoint.ts';
import { NS } from '../../soap/namespaces.ts';
import { serialize } from '../../xml/write.ts';
import { storedQueryObject, outcomeOfResponseStatus, xdsAudit } from '../../xds/audit.ts';
import { AffinityDomainResolver } from '../../xds/query/patientResolver.ts';
import { StoredQueryRunner } from '../../xds/query/runner.ts';
import { XdsError } from '../../xds/registry/errors.ts';
import { errorsOf, expectBody } from '../../xds/submission.ts';
import { XDS } from '../../xds/transactions.ts';
import { adhocQueryResponse, decodeAdhocQuery, returnTypeOf, withHome, type AdhocQuery } from '../adhocQuery.ts';
import { recordAll } from '../audit.ts';
import type { AuditMessage } from '../../audit/auditMessage.ts';
import { askPeer as askOnePeer, type Part } from '../peers/askPeer.ts';
import { queryPatientId, tokenOf } from '../peers/crossIdentity.ts';
import type { PeerGateway } from '../peers/peerGateway.ts';
import type { RespondingGatewayDeps } from './transaction.ts';

export interface InitiatingGatewayDeps extends RespondingGatewayDeps {
  peers: readonly PeerGateway[];
  affinityDomainOid: string;
  maxResults: number;
  maxQueryValues: number;
}

/** Local consumers call the Initiating Gateway. */
export const INITIATING_ROLES: readonly NodeRole[] = ['consumer'];

export function mergedStatus(parts: { failed: boolean; errors: RegistryError[] }[]): ResponseStatus {
  const failed = parts.filter((p) => p.failed).length;
  if (parts.length > 0 && failed === parts.length) return 'Failure';
  return failed > 0 || parts.some((p) => p.errors.some((e) => e.severity === 'Error')) ? 'PartialSuccess' : 'Success';
}

export function initiatingQueryTransaction(deps: InitiatingGatewayDeps): SoapTransaction {
  const d = XDS['ITI-18'];
  const home = deps.communities.homeCommunityId;
  const runner = new StoredQueryRunner(new AffinityDomainResolver(deps.affinityDomainOid), deps.maxResults, deps.maxQueryValues, deps.identity.domains.individualNumber);
  return {
    ...d,
    roles: INITIATING_ROLES,
    async handle(req: SoapRequest) {
      expectBody(req.body, NS.query, 'AdhocQueryRequest', d.id);
      const returnType = returnTypeOf(req.body);
      const requestXml = serialize(req.body);
      // The peers' audit messages, recorded with the answer's in one write.
      const peerAudits: AuditMessage[] = [];
      let query: AdhocQuery;
      let patientId: string | undefined;
      try {
        query = decodeAdhocQuery(req.body);
        patientId = queryPatientId(query.parameters)?.value;
        if (query.home && query.home !== home && !deps.peers.some((p) => p.homeCommunityId === query.home)) {
          throw new XdsError('XDSUnknownCommunity', `homeCommunityId ${query.home} is neither this community nor one of its peers`, query.home);
        }
      } catch (e) {
        return answer([{ home, objects: [], errors: located(e, home), failed: true }], undefined, childQueryId());
      }
      const q = query;
      const askLocal = !q.home || q.home === home;
      let peers = q.home ? deps.peers.filter((p) => p.homeCommunityId === q.home) : deps.peers;
      // A query by patient crosses a link only with the patient's token (or the link's pseudonym of it).
      let token: string | undefined;
      if (patientId && peers.length > 0) {
        try {
          token = await readScoped(deps, req.context, d.id, (reader) => tokenOf(reader, patientId!));
        } catch (e) {
          // The patient cannot be looked up (a malformed ID, a refusal, the store failing): no community is asked.
          return answer([{ home, objects: [], errors: located(e, home), failed: true }], patientId, q.queryId);
        }
        if (!token) peers = [];
      }
      const local: Promise<Part> | undefined = askLocal
        ? readScoped(deps, req.context, d.id, (reader) => runner.run(reader, q)).then(
            (r) => ({ home, objects: withHome(r.objects, home), errors: [], failed: false }),
            (e: unknown) => ({ home, objects: [], errors: located(e, home), failed: true }),
          )
        : undefined;
      const remote = peers.map((p) => askPeer(p));
      const parts = await Promise.all([...(local ? [local] : []), ...remote]);
      return answer(parts, patientId, q.queryId);

      function childQueryId(): string {
        return req.body.children.find((c) => c.ns === NS.rim && c.local === 'AdhocQuery')?.attrs.id?.trim() ?? '';
      }

      /** The merged answer, audited as the registry's ITI-18 (ITI TF-2a 3.18.5.1.2). */
      async function answer(parts: Part[], pid: string | undefined, queryId: string) {
        const status = mergedStatus(parts);
        const errors = parts.flatMap((p) => p.errors);
        const objects = status === 'Failure' ? [] : parts.flatMap((p) => p.objects);
        await recordAll(deps.audit, deps.store, [
          ...peerAudits,
          xdsAudit(deps.audit, {
            tx: d,
            req,
            outcome: outcomeOfResponseStatus(status),
            outcomeDescription: errors.map((e) => e.errorCode).join(' ') || undefined,
            patientId: pid,
            objects: [storedQueryObject(queryId, requestXml, askedHome())],
          }),
        ]);
        return { bodyXml: adhocQueryResponse(status, objects, returnType, errors) };
      }

      function askedHome(): string | undefined {
        return req.body.children.find((c) => c.ns === NS.rim && c.local === 'AdhocQuery')?.attrs.home?.trim() || undefined;
      }

      async function askPeer(p: PeerGateway): Promise<Part> {
        const { part, audit } = await askOnePeer(deps.audit, p, { query: q, token, patientId, requestXml, context: req.context });
        peerAudits.push(audit);
        return part;
      }
    },
  };

  function located(e: unknown, where: string): RegistryError[] {
    const { errors, internal } = errorsOf(e);
    if (internal) deps.log.error('xca.initiating.query-error', { error: e instanceof Error ? e.message : String(e) });
    return errors.map((x) => ({ ...x, location: where }));
  }
}
