/**
 * The XCA gateways assembled from config (xca.*): the community directory, the Responding Gateway's
 * SOAP route (ITI-38, ITI-39 from peer communities' gateways) and the Initiating Gateway's (ITI-18,
 * ITI-43 from local consumers, answered from the local registry and every peer). Nothing runs unless
 * xca.homeCommunityId is set.
 */
import type { Router } from 'express';
import type { AuditService } from '../audit/auditService.ts';
import { authorizationFailure } from '../audit/securityAlert.ts';
import type { AccessDecisions } from '../consent/decision.ts';
import type { IdentityService } from '../identity/service.ts';
import type { Config } from '../kernel/config.ts';
import type { Logger } from '../kernel/logger.ts';
import type { SoapGuard } from '../soap/admission.ts';
import { soapRouter } from '../soap/endpoint.ts';
import type { TransactionObserver } from '../kernel/transactionObserver.ts';
import { xuaVerifierOf } from '../soap/wsSecurity/fromConfig.ts';
import type { Store } from '../store/types.ts';
import { soapLimits } from '../xds/assemble.ts';
import type { RepositoryService } from '../xds/repository/service.ts';
import { CommunityDirectory } from './community.ts';
import { iti38Transaction } from './iti38/transaction.ts';
import { iti39Transaction } from './iti39/transaction.ts';
import { initiatingQueryTransaction } from './iti38/initiating.ts';
import { initiatingRetrieveTransaction } from './iti39/initiating.ts';
import { PeerGateway, type PeerHealth } from './peers/peerGateway.ts';
import { PeerDocuments } from './peerDocuments.ts';

export interface XcaServices {
  communities?: CommunityDirectory;
  /** How each peer of the Initiating Gateway has answered lately (none without one). */
  peerHealth(): PeerHealth[];
  /** A patient's documents in the peer communities (the console's lists), when the Initiating Gateway has peers. */
  peerDocuments?: PeerDocuments;
  routes: { path: string; router: Router }[];
  /** Ends what the gateways hold open (connections to peers). */
  close(): Promise<void>;
}

export interface XcaDeps {
  store: Store;
  identity: IdentityService;
  decisions: AccessDecisions;
  audit: AuditService;
  log: Logger;
  repository: RepositoryService;
  observe?: TransactionObserver;
}

export function xcaServices(config: Config, deps: XcaDeps): XcaServices {
  const home = config.xca.homeCommunityId;
  if (!home) {
    if (config.xca.communities.length > 0) throw new Error('xca.communities needs xca.homeCommunityId: the gateways name this region by it');
    return { routes: [], peerHealth: () => [], close: async () => undefined };
  }
  const communities = new CommunityDirectory(home, config.xca, deps.identity.domains);
  const limits = soapLimits(config);
  const guard: SoapGuard = {
    xua: xuaVerifierOf(config.xua),
    refused: (ctx, r) => deps.audit.record(authorizationFailure(deps.audit, ctx, r)),
  };
  const routes: XcaServices['routes'] = [];
  const reads = { store: deps.store, identity: deps.identity, decisions: deps.decisions, audit: deps.audit, log: deps.log, communities };
  if (config.xca.respondingGateway.enabled) {
    const txs = [
      iti38Transaction({ ...reads, maxResults: config.xds.registry.maxResults, maxQueryValues: config.xds.registry.maxQueryValues }),
      iti39Transaction({ ...reads, repositoryUniqueId: config.xds.repository.uniqueId, blobs: deps.repository.blobs }),
    ];
    routes.push({ path: config.xca.respondingGateway.path, router: soapRouter(txs, limits, deps.log, { guard, observe: deps.observe }) });
  }
  const ig = config.xca.initiatingGateway;
  const peers = ig.enabled ? communities.peers.map((c) => new PeerGateway(c, { ...ig, spoolDir: limits.spoolDir })) : [];
  if (ig.enabled) {
    const igDeps = { ...reads, peers, affinityDomainOid: config.identity.regional.authority.oid, maxResults: config.xds.registry.maxResults, maxQueryValues: config.xds.registry.maxQueryValues };
    const txs = [initiatingQueryTransaction(igDeps), initiatingRetrieveTransaction({ ...igDeps, repositoryUniqueId: config.xds.repository.uniqueId, blobs: deps.repository.blobs })];
    routes.push({ path: ig.path, router: soapRouter(txs, limits, deps.log, { guard, observe: deps.observe }) });
  }
  const peerDocuments = peers.length > 0 ? new PeerDocuments({ ...reads, peers, affinityDomainOid: config.identity.regional.authority.oid }) : undefined;
  return { communities, routes, peerHealth: () => peers.map((p) => p.health), peerDocuments, close: async () => peers.forEach((p) => p.close()) };
}
