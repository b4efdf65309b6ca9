/**
 * The XDS actors assembled from config: the registry and repository services (usable in process,
 * e.g. by the SS-MIX2 ingest) and the SOAP routes of their transactions.
 */
import type { Router } from 'express';
import type { AuditService } from '../audit/auditService.ts';
import { authorizationFailure } from '../audit/securityAlert.ts';
import type { AccessDecisions } from '../consent/decision.ts';
import type { IdentityService } from '../identity/service.ts';
import type { Config } from '../kernel/config.ts';
import type { Logger } from '../kernel/logger.ts';
import type { TransactionObserver } from '../kernel/transactionObserver.ts';
import type { SoapGuard } from '../soap/admission.ts';
import { DecodeThreads } from '../soap/decodeThreads.ts';
import { soapRouter, spoolDirOf, type SoapLimits, type SoapTransaction } from '../soap/endpoint.ts';
import { localDecoder, type EnvelopeDecoder } from '../soap/envelopeDecoder.ts';
import { xuaVerifierOf } from '../soap/wsSecurity/fromConfig.ts';
import type { Store } from '../store/types.ts';
import path from 'node:path';
import { iti18Transaction } from './iti18/transaction.ts';
import { iti41Transaction } from './iti41/transaction.ts';
import { iti42Transaction } from './iti42/transaction.ts';
import { iti43Transaction } from './iti43/transaction.ts';
import { iti57Transaction } from './iti57/transaction.ts';
import { iti62Transaction } from './iti62/transaction.ts';
import { decoders, DECODERS_MODULE } from './decoders.ts';
import { blobLeftovers, BlobStore } from './repository/blobStore.ts';
import { removeLeftoverFiles } from '../kernel/leftoverFiles.ts';
import { spoolLeftovers } from '../soap/mtom.ts';
import { RemoteRegistry } from './repository/remoteRegistry.ts';
import { RepositoryService } from './repository/service.ts';
import { RegistryService } from './registry/service.ts';
import { BppcRecorder } from '../consent/bppc.ts';
import { ConsentService } from '../consent/service.ts';

export interface XdsServices {
  registry: RegistryService;
  repository: RepositoryService;
  /** The remote Document Registry ITI-41 registers at (xds.repository.registryUrl), when configured: MHD's ITI-65 registers there too. */
  remoteRegistry?: RemoteRegistry;
  routes: { path: string; router: Router }[];
  /** Stops the decode threads. */
  close(): Promise<void>;
}

export function soapLimits(config: Config): SoapLimits {
  const l = config.xds.limits;
  return {
    xml: { maxBytes: l.maxXmlBytes, maxDepth: l.maxXmlDepth },
    maxRequestBytes: l.maxRequestBytes,
    spoolThreshold: l.spoolThresholdBytes,
    spoolDir: spoolDirOf(config.dataDir),
    memoryBudget: l.memoryPerRequestBytes,
    maxParts: l.maxParts,
  };
}

/**
 * Removes the spooled parts and half-written blobs a crash left (older than `before`, so nothing this
 * process is writing); resolves with how many.
 */
export async function removeXdsLeftovers(config: Config, before = Date.now()): Promise<number> {
  const spool = spoolLeftovers(spoolDirOf(config.dataDir));
  const blobs = blobLeftovers(path.resolve(config.dataDir, config.xds.repository.blobDir));
  return (await removeLeftoverFiles({ ...spool, before })) + (await removeLeftoverFiles({ ...blobs, before }));
}

/** The registry; every registration of a BPPC consent document records the patient's consent (consent/bppc.ts). */
export function registryService(config: Config, identity: IdentityService): RegistryService {
  const bppc = new BppcRecorder(config.consent.bppcPolicies, config.identity.domains, new ConsentService(config.consent));
  return new RegistryService(
    { affinityDomainOid: config.identity.regional.authority.oid, saveExtraMetadata: config.xds.registry.saveExtraMetadata },
    identity,
    [bppc.observer],
  );
}

/** The services, and their SOAP routes unless `soap` is false (an in-process user such as the SS-MIX2 ingest). */
export function xdsServices(
  config: Config,
  deps: { store: Store; identity: IdentityService; audit: AuditService; log: Logger; decisions?: AccessDecisions; observe?: TransactionObserver },
  opts: { soap?: boolean } = {},
): XdsServices {
  const soap = opts.soap ?? true;
  const registry = registryService(config, deps.identity);
  const limits = soapLimits(config);
  const routes: XdsServices['routes'] = [];
  const registryDeps = { store: deps.store, registry, audit: deps.audit, log: deps.log };
  let decoder: EnvelopeDecoder = localDecoder(decoders);
  // Who may call (issue 14): the node's roles per the descriptor table, XUA (ITI-40) for the user;
  // each refusal audited as a Security Alert.
  const guard: SoapGuard = {
    xua: soap ? xuaVerifierOf(config.xua) : undefined,
    refused: (ctx, r) => deps.audit.record(authorizationFailure(deps.audit, ctx, r)),
  };
  // The read transactions (ITI-18, ITI-43) ask the access decisions through a scoped reader.
  const reads = () => {
    if (!deps.decisions) throw new Error('the XDS SOAP routes need the access decisions (consent)');
    return { store: deps.store, identity: deps.identity, decisions: deps.decisions };
  };
  const blobs = new BlobStore(path.resolve(config.dataDir, config.xds.repository.blobDir));
  if (soap && config.xds.registry.enabled) {
    if (config.xds.decodeThreads > 0) decoder = new DecodeThreads({ count: config.xds.decodeThreads, decodersModule: DECODERS_MODULE, decoders, log: deps.log });
    // Entries that name this server's repository must have their bytes in it (iti42/ownRepository.ts).
    const ownRepository = config.xds.repository.enabled ? { uniqueId: config.xds.repository.uniqueId, hasBlob: (hash: string) => blobs.has(hash) } : undefined;
    const txs: SoapTransaction[] = [
      iti18Transaction({ ...registryDeps, ...reads(), maxResults: config.xds.registry.maxResults, maxQueryValues: config.xds.registry.maxQueryValues }),
      iti42Transaction({ ...registryDeps, ownRepository }),
      iti57Transaction(registryDeps),
      iti62Transaction(registryDeps),
    ];
    routes.push({ path: config.xds.registry.path, router: soapRouter(txs, limits, deps.log, { guard, decoder, observe: deps.observe }) });
  }
  const repository = new RepositoryService({ repositoryUniqueId: config.xds.repository.uniqueId }, deps.store, blobs);
  const r = config.xds.repository;
  const remoteRegistry = r.enabled && r.registryUrl ? new RemoteRegistry({ url: r.registryUrl, timeoutMs: r.registryTimeoutMs, tls: r.registryTls, spoolDir: limits.spoolDir }) : undefined;
  if (soap && config.xds.repository.enabled) {
    const repoDeps = { repository, registry, remoteRegistry, audit: deps.audit, log: deps.log };
    routes.push({ path: config.xds.repository.path, router: soapRouter([iti41Transaction(repoDeps), iti43Transaction({ ...repoDeps, ...reads() })], limits, deps.log, { guard, observe: deps.observe }) });
  }
  return { registry, repository, remoteRegistry, routes, close: () => decoder.close() };
}
