/**
 * The FHIR base (/fhir) assembled: each face's router and capability (ATNA ITI-20/81, PIXm ITI-83,
 * PDQm ITI-78; MHD joins as one more entry), behind the IUA gate when config `iua` names issuers.
 */
import { createRequire } from 'node:module';
import type { Router } from 'express';
import type { AuditService } from '../audit/auditService.ts';
import type { ConsentService } from '../consent/service.ts';
import { fhirBase, type FhirFace } from '../fhir/base.ts';
import type { FhirSchemaValidator } from '../fhir/schemaValidator.ts';
import type { IdentityService } from '../identity/service.ts';
import { bearerGate } from '../iua/bearerGate.ts';
import { IuaVerifier } from '../iua/verifier.ts';
import type { Config } from '../kernel/config.ts';
import type { Logger } from '../kernel/logger.ts';
import { PdqmQuery } from '../pdq/iti78/query.ts';
import { pdqmCapabilityResources, pdqmRouter } from '../pdq/iti78/routes.ts';
import { pixmCapabilityResources, pixmRouter } from '../pix/iti83/routes.ts';
import { mhdCapabilityResources, mhdSystemInteractions } from '../mhd/capability.ts';
import type { MhdDeps } from '../mhd/deps.ts';
import { mhdRouter } from '../mhd/router.ts';
import type { Store } from '../store/types.ts';
import type { TransactionObserver } from '../kernel/transactionObserver.ts';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** Patients a PDQm page holds when the client gives no _count. */
const PDQM_DEFAULT_COUNT = 50;

export interface FhirSurfaceDeps {
  config: Config;
  store: Store;
  identity: IdentityService;
  consent: ConsentService;
  audit: AuditService;
  schema: FhirSchemaValidator;
  log: Logger;
  /** The faces built elsewhere (ATNA's router and capability). */
  faces: FhirFace[];
  /** Metrics of the faces' transactions. */
  observe?: TransactionObserver;
}

/** The PIXm and PDQm faces (issue 18) over the identity service ITI-9 and ITI-21 use. */
export function patientFaces(d: Omit<FhirSurfaceDeps, 'faces'>): FhirFace[] {
  const reads = { store: d.store, identity: d.identity, decisions: d.consent };
  const query = new PdqmQuery(reads, d.config.pdq);
  return [
    {
      name: 'PIXm',
      router: pixmRouter({ ...reads, audit: d.audit, log: d.log, schema: d.schema }),
      resources: pixmCapabilityResources(),
      transactionOf: (_method, path) => (path === '/Patient/$ihe-pix' ? 'ITI-83' : undefined),
    },
    {
      name: 'PDQm',
      router: pdqmRouter({ query, audit: d.audit, log: d.log, regional: d.identity.domains.regional, defaultCount: PDQM_DEFAULT_COUNT, maxCount: d.config.pdq.maxMatches }),
      resources: pdqmCapabilityResources(),
      transactionOf: (_method, path) => (/^\/Patient(\/_search|\/[A-Za-z0-9\-.]{1,64})?$/.test(path) ? 'ITI-78' : undefined),
    },
  ];
}

/**
 * The transaction of a request to the MHD face's paths. ITI-65 is POST / (a transaction Bundle at the
 * base), which ITI-20 shares: the base then knows both, and the body settles which (atna/fhirRoutes.ts).
 */
export function mhdTransaction(method: string, path: string): string | undefined {
  if (path === '/' && method === 'POST') return 'ITI-65';
  if (/^\/DocumentReference(\/|$)/.test(path)) return 'ITI-67';
  if (/^\/List(\/|$)/.test(path)) return 'ITI-66';
  if (/^\/Binary(\/|$)/.test(path)) return 'ITI-68';
  return undefined;
}

/** The MHD Document Responder face (ITI-66/67/68) and ITI-65's transaction (its handler runs in ATNA's POST /). */
export function mhdFace(deps: MhdDeps): FhirFace {
  return { name: 'MHD', router: mhdRouter(deps), resources: mhdCapabilityResources(), systemInteractions: mhdSystemInteractions().map((i) => i.code), transactionOf: mhdTransaction };
}

export function fhirSurface(d: FhirSurfaceDeps): Router {
  const verifier = IuaVerifier.fromConfig(d.config.iua);
  return fhirBase({
    faces: d.faces,
    software: { name: 'hie', version },
    ...(verifier
      ? {
          authorize: bearerGate({ verifier, realm: d.config.iua.realm, transactionScopes: d.config.iua.transactionScopes, audit: d.audit, log: d.log }),
          security: {
            service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth' }] }],
            description: 'IHE IUA (ITI-72): a JWT bearer access token from a configured issuer on every request but GET /metadata; mutual TLS nodes as on every listener.',
          },
        }
      : {}),
    ...(d.observe ? { observe: d.observe } : {}),
    onError: (path, error) => d.log.error('fhir.failed', { path, error: error instanceof Error ? error.message : String(error) }),
  });
}
