/**
 * The ingest parts assembled from config and the services they share with the network
 * transactions: the facility a storage belongs to, the clinical sharing service, the storage ingest.
 */
import type { AuditService } from '../audit/auditService.ts';
import type { IdentityService } from '../identity/service.ts';
import type { Domain } from '../identity/types.ts';
import type { PixNotifier } from '../pix/iti10/notifier.ts';
import type { Config } from '../kernel/config.ts';
import type { Store } from '../store/types.ts';
import type { XdsServices } from '../xds/assemble.ts';
import { BlobStaging } from './blobStaging.ts';
import type { Hl7Transaction } from '../hl7v2/transaction.ts';
import { clinicalFeedTransaction } from './clinicalFeed/transaction.ts';
import { ClinicalSharing } from './clinicalSharing.ts';
import { Ssmix2Ingest } from './ssmix2/ingestRun.ts';

export interface IngestDeps {
  store: Store;
  identity: IdentityService;
  audit: AuditService;
  notifier?: PixNotifier;
  xds: Pick<XdsServices, 'registry' | 'repository'>;
}

export class FacilityError extends Error {}

/**
 * The facility domain named by `--facility` (its namespace or OID), from config identity.domains or
 * the domains the server has registered. It needs an OID: it is the SubmissionSet's sourceId.
 */
export async function resolveFacility(config: Config, deps: Pick<IngestDeps, 'store' | 'identity'>, name: string): Promise<Domain> {
  const configured = config.identity.domains.find((d) => d.namespace === name || d.oid === name);
  const authority = configured ? { namespace: configured.namespace, oid: configured.oid } : /^[0-2](\.\d+)+$/.test(name) ? { namespace: '', oid: name } : { namespace: name, oid: '' };
  const d = await deps.store.read((tx) => deps.identity.domains.find(tx, authority));
  if (!d || d.kind !== 'local') {
    throw new FacilityError(`facility '${name}' is not a facility domain of this server: add {namespace, oid} to identity.domains in the config`);
  }
  if (!d.oid) throw new FacilityError(`facility '${name}' has no OID: give it one in identity.domains`);
  return d;
}

/**
 * The in-process ingest registers in this server's registry; a repository whose registry is another
 * server (xds.repository.registryUrl) takes SS-MIX2 data through the adapter (`--to`) instead.
 */
export function inProcessRegistry(config: Config): boolean {
  return !config.xds.repository.registryUrl;
}

export function clinicalSharing(config: Config, deps: IngestDeps, sourceName: string, staging?: BlobStaging): ClinicalSharing {
  if (!inProcessRegistry(config)) throw new FacilityError('xds.repository.registryUrl is set: this server has no registry of its own to ingest into; publish with hie ingest ssmix2 --to');
  return new ClinicalSharing({
    store: deps.store,
    identity: deps.identity,
    registry: deps.xds.registry,
    repository: deps.xds.repository,
    audit: deps.audit,
    notifier: deps.notifier,
    cfg: config.ingest.ssmix2,
    sourceName,
    staging,
    maxIdentifiers: config.pix.maxIdentifiers,
  });
}

/** The HL7 v2 clinical feed's transaction, when config enables it and this server has its registry. */
export function clinicalFeedTransactions(config: Config, deps: IngestDeps): Hl7Transaction[] {
  if (!config.ingest.clinicalFeed.enabled || !inProcessRegistry(config)) return [];
  return [clinicalFeedTransaction({ store: deps.store, identity: deps.identity, sharing: clinicalSharing(config, deps, 'mllp') })];
}

export function ssmix2Ingest(config: Config, deps: IngestDeps, root: string): Ssmix2Ingest {
  return new Ssmix2Ingest(deps.store, clinicalSharing(config, deps, `file://${root}`, new BlobStaging(deps.xds.repository.blobs)), { domains: deps.identity.domains, config: config.identity, blobDir: deps.xds.repository.blobs.dir });
}
