/**
 * ITI-65 Provide Document Bundle at the FHIR base: POST /, which the Audit Record Repository's ITI-20
 * shares (a batch or transaction of AuditEvents). The ATNA router parses the body (keeping what it
 * cannot read, as ITI-20 does) and hands it here first: a Bundle with a List, DocumentReference or
 * Binary, or an MHD profile, is ITI-65's; any other goes on (`next()`). Admitted by node role, then
 * run by ProvideDocumentBundle; every error is an OperationOutcome.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Bundle } from 'fhir/r4.js';
import { FhirError, sendResource } from '../../fhir/outcome.ts';
import { FhirSchemaValidator } from '../../fhir/schemaValidator.ts';
import { httpContext } from '../../kernel/httpContext.ts';
import { admit } from '../admission.ts';
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

/** The handler of POST / for a parsed body: ITI-65's Bundles answered, any other passed on. */
export function mhdProvideBundle(deps: MhdDeps): (req: Request, res: Response, next: NextFunction) => void {
  const tx = MHD['ITI-65'];
  const provide = new ProvideDocumentBundle(
    { repository: deps.repository, registry: deps.registry, remoteRegistry: deps.remoteRegistry, audit: deps.audit },
    new PatientReferences(deps.config.affinityDomainOid),
    deps.schema ?? new FhirSchemaValidator(),
  );
  return (req, res, next) => {
    if (!isProvideBundle(req.body)) return next();
    const requester = requesterOf(req);
    (async () => {
      try {
        await admit(deps, tx, httpContext(req), requester.peer.endpoint, (reason) => provide.refused(requester, reason));
        sendResource(res, 200, await provide.run(requester, req.body));
      } catch (e) {
        if (!(e instanceof FhirError)) deps.log.error('mhd.iti65.failed', { error: e instanceof Error ? e.message : String(e) });
        sendMhdError(res, e);
      }
    })().catch(next);
  };
}
