/**
 * ITI-65 Provide Document Bundle at the FHIR base: POST /, which the Audit Record Repository's ITI-20
 * shares (a batch or transaction of AuditEvents). The ATNA router reads the body (keeping what it
 * cannot read, as ITI-20 does) up to ITI-65's limit only for a requester ITI-65 admits (`admits`,
 * before the body is read; else up to ITI-20's), and hands it here first: a Bundle with a List,
 * DocumentReference or Binary, or an MHD profile, is ITI-65's (`claims`); any other is ITI-20's.
 * Admitted by node role, then run by ProvideDocumentBundle; every error is an OperationOutcome.
 */
import type { Request, Response } from 'express';
import type { Bundle } from 'fhir/r4.js';
import { refused, roleRefusal } from '../../fhir/edge/roleGate.ts';
import { FhirError, sendResource } from '../../fhir/outcome.ts';
import { FhirSchemaValidator } from '../../fhir/schemaValidator.ts';
import { httpContext } from '../../kernel/httpContext.ts';
import { requesterOf } from '../http.ts';
import { PatientReferences } from '../mapping/patientReference.ts';
import { sendMhdError } from '../outcome.ts';
import type { MhdDeps } from '../deps.ts';
import { MHD } from '../transactions.ts';
import { ProvideDocumentBundle } from './provideDocumentBundle.ts';

const MHD_TYPES = new Set(['List', 'DocumentReference', 'Binary']);

export function isProvideBundle(b: unknown): b is Bundle {
  const bundle = b as Bundle | undefined;
  if (bundle?.resourceType !== 'Bundle') return false;
  if (bundle.meta?.profile?.some((p) => p.startsWith('https://profiles.ihe.net/ITI/MHD/'))) return true;
  return Array.isArray(bundle.entry) && bundle.entry.some((e) => MHD_TYPES.has(e?.resource?.resourceType ?? ''));
}

/** What the shared POST / is told of ITI-65. */
export interface ProvideBundleHandler {
  /** The transaction (the base's name of it, its IUA scope). */
  transaction: string;
  /** The largest Bundle (mhd.maxBundleBytes). */
  maxBytes: number;
  /** Whether the requester's node may provide documents: decided before the body is read. */
  admits(req: Request): boolean;
  /** Whether a parsed body is ITI-65's. */
  claims(body: unknown): boolean;
  /** Answers a body it claims. */
  handle(req: Request, res: Response): Promise<void>;
}

export function mhdProvideBundle(deps: MhdDeps): ProvideBundleHandler {
  const tx = MHD['ITI-65'];
  const provide = new ProvideDocumentBundle(
    { repository: deps.repository, registry: deps.registry, remoteRegistry: deps.remoteRegistry, audit: deps.audit },
    new PatientReferences(deps.config.affinityDomainOid),
    deps.schema ?? new FhirSchemaValidator(),
  );
  return {
    transaction: tx.id,
    maxBytes: deps.config.maxBundleBytes,
    admits: (req) => roleRefusal(tx, httpContext(req)) === undefined,
    claims: isProvideBundle,
    handle: async (req, res) => {
      const requester = requesterOf(req);
      try {
        const reason = roleRefusal(tx, httpContext(req));
        if (reason !== undefined) throw await refused(deps, tx, req, reason, (_req, r) => provide.refused(requester, r));
        sendResource(res, 200, await provide.run(requester, req.body));
      } catch (e) {
        if (!(e instanceof FhirError)) deps.log.error('mhd.iti65.failed', { error: e instanceof Error ? e.message : String(e) });
        sendMhdError(res, e);
      }
    },
  };
}
