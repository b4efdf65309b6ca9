/**
 * What ITI-41, ITI-42, ITI-57 and ITI-62 share at the edge: the body element check, the ebXML
 * decoding, the typed errors turned into a RegistryResponse, and the frame of a registry request
 * that changes metadata in one write with its audit record (node authorization first: a refusal is
 * answered with RegistryErrors and audited as a Security Alert beside the transaction's failure).
 */
import type { AuditService } from '../audit/auditService.ts';
import type { EventOutcome, ParticipantObject } from '../audit/auditMessage.ts';
import { authorizationFailure } from '../audit/securityAlert.ts';
import { SubmissionNotAuthorized } from '../consent/submissionAuthorization.ts';
import { registryResponseXml, statusOf, type RegistryError } from '../ebxml/registryResponse.ts';
import type { Logger } from '../kernel/logger.ts';
import type { RequestContext } from '../kernel/requestContext.ts';
import type { SoapRequest, SoapTransaction } from '../soap/endpoint.ts';
import { SoapFault, Subcodes } from '../soap/fault.ts';
import type { Store, WriteTx } from '../store/types.ts';
import type { XmlElement } from '../xml/parse.ts';
import { xdsAudit } from './audit.ts';
import { errorsOf, type DeniedCode } from './registryErrors.ts';
import type { RegistryService } from './registry/service.ts';
import type { XdsTransactionDescriptor } from './transactions.ts';

export { errorsOf, type DeniedCode } from './registryErrors.ts';

export interface RegistryDeps {
  store: Store;
  registry: RegistryService;
  audit: AuditService;
  log: Logger;
}

/** The Body's element must be the transaction's request; anything else is the sender's fault. */
export function expectBody(body: XmlElement, ns: string, local: string, transaction: string): void {
  if (body.ns !== ns || body.local !== local) {
    throw new SoapFault('Sender', `${transaction} expects {${ns}}${local} in the Body, not {${body.ns}}${body.local}`, Subcodes.badBody);
  }
}

export function registryResponseBody(errors: RegistryError[]): string {
  return registryResponseXml(statusOf(errors), errors);
}

/** What a registry change tells its audit record: the patient and the objects concerned. */
export interface AuditFacts {
  patientId?: string;
  objects: ParticipantObject[];
}

/**
 * A registry transaction that changes metadata (ITI-42, ITI-57, ITI-62): the request decoded, the
 * change and its audit record committed in one write, a RegistryResponse with the warnings; on any
 * error nothing changes, the errors are answered, and the failure is audited on its own.
 */
export function registryChangeTransaction<T extends { warnings?: RegistryError[] }>(
  d: XdsTransactionDescriptor,
  deps: RegistryDeps,
  body: { ns: string; local: string },
  steps: {
    /** The request's content, and what the audit says if the change fails. */
    decode(body: XmlElement): { input: unknown; facts: AuditFacts };
    /** The change, node authorization first (it throws SubmissionNotAuthorized). */
    apply(tx: WriteTx, input: unknown, ctx: RequestContext): Promise<T>;
    /** The RegistryError code of each object refused by node authorization, by the rule refused. */
    denied: DeniedCode;
    /** What the audit says once the change is done. */
    factsOf?(outcome: T, before: AuditFacts): AuditFacts;
  },
): SoapTransaction {
  return {
    ...d,
    async handle(req: SoapRequest) {
      expectBody(req.body, body.ns, body.local, d.id);
      let facts: AuditFacts = { objects: [] };
      const audit = (outcome: EventOutcome, f: AuditFacts, description?: string) =>
        xdsAudit(deps.audit, { tx: d, req, outcome, outcomeDescription: description, patientId: f.patientId, objects: f.objects });
      try {
        const decoded = req.predecoded !== undefined ? (req.predecoded as ReturnType<typeof steps.decode>) : steps.decode(req.body);
        facts = decoded.facts;
        const outcome = await deps.store.write(async (tx) => {
          const o = await steps.apply(tx, decoded.input, req.context);
          await deps.audit.recordIn(tx, audit(0, steps.factsOf ? steps.factsOf(o, facts) : facts));
          return o;
        });
        return { bodyXml: registryResponseBody(outcome.warnings ?? []) };
      } catch (e) {
        const { errors, internal } = errorsOf(e, 'XDSRegistryError', steps.denied);
        if (e instanceof SubmissionNotAuthorized) await deps.audit.record(authorizationFailure(deps.audit, req.context, { transaction: d.id, endpoint: req.peer.endpoint, reason: e.message }));
        if (internal) deps.log.error(`xds.${d.id.toLowerCase().replace('-', '')}.error`, { error: e instanceof Error ? e.message : String(e) });
        await deps.audit.record(audit(internal ? 8 : 4, facts, errors.map((x) => x.errorCode).join(' ')));
        return { bodyXml: registryResponseBody(errors) };
      }
    },
  };
}
