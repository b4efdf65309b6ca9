/** What the MHD routes are given by the server's assembly: the services they face, and the limits. */
import type { AuditService } from '../audit/auditService.ts';
import type { FhirSchemaValidator } from '../fhir/schemaValidator.ts';
import type { AccessDecisions } from '../consent/decision.ts';
import type { IdentityService } from '../identity/service.ts';
import type { IndividualNumberDomain } from '../identity/individualNumber/domain.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Store } from '../store/types.ts';
import type { RegistryService } from '../xds/registry/service.ts';
import type { RemoteRegistry } from '../xds/repository/remoteRegistry.ts';
import type { RepositoryService } from '../xds/repository/service.ts';

export interface MhdDeps {
  store: Store;
  identity: IdentityService;
  /** The access decisions every read asks (consent). */
  decisions: AccessDecisions;
  audit: AuditService;
  registry: RegistryService;
  repository: RepositoryService;
  /** When set (xds.repository.registryUrl), ITI-65 registers there over ITI-42, as ITI-41 does. */
  remoteRegistry?: RemoteRegistry;
  config: {
    affinityDomainOid: string;
    /** xds.registry.maxResults and maxQueryValues: the stored-query service's limits. */
    maxResults: number;
    maxQueryValues: number;
    /** The largest ITI-65 Bundle (mhd.maxBundleBytes; iti65/route.ts). */
    maxBundleBytes: number;
  };
  log: Logger;
  /** Requests naming an identifier of this domain are refused (docs/individual-number.md). */
  individualNumber?: IndividualNumberDomain;
  /** The FHIR R4 schema ITI-65 Bundles are validated against (shared: it compiles once); one of its own when absent. */
  schema?: FhirSchemaValidator;
}
