/**
 * The one question every read path asks (ITI-18, ITI-43, ITI-9, ITI-21, ITI-81, the access report,
 * later XCA and the FHIR faces): what may this requester see of this patient? The answer is a view of
 * one person, made once per request and patient, asked per document. Implemented by the consent
 * service (consent/service.ts); read paths reach documents and patients only through a reader scoped
 * to the request context (consent/scopedReader.ts), which asks it.
 */
import type { RequestContext } from '../kernel/requestContext.ts';
import type { ReadTx, WriteTx } from '../store/types.ts';
import type { StoredEntry } from '../xds/registry/entries.ts';

/** Why a withheld item was shown all the same: the purpose of use that broke the glass. */
export interface BreakGlass {
  /** EMERGENCY (or another configured emergency purpose) or DISASTER. */
  kind: 'emergency' | 'disaster';
  purposeOfUse: string;
  /** For a declared disaster: its id. */
  disasterId?: number;
}

export interface PatientView {
  readonly personId: number;
  /**
   * The patient may be found and named by this requester at all (PIX, PDQ, a query by patient ID):
   * false for a patient not enrolled (under opt-in) or opted out, unless the requester's facility
   * holds a record of the patient or break-glass applies.
   */
  readonly patientVisible: boolean;
  /** Whether this registry entry (a DocumentEntry; SubmissionSets, Folders and Associations follow their documents) may be seen. */
  document(entry: StoredEntry): boolean;
  /** Set once `document` or `patientVisible` answered yes only because of break-glass. */
  readonly breakGlassUsed?: BreakGlass;
}

export interface AccessDecisions {
  /** The view of one person (the survivor of any merge) for one request. */
  viewOf(tx: ReadTx, ctx: RequestContext, personId: number): Promise<PatientView>;
  /**
   * After an answer that showed something only because of break-glass: the patient's notification
   * (an outbox row a portal or mailer delivers), in the request's write.
   */
  recordBreakGlass(tx: WriteTx, ctx: RequestContext, view: PatientView, what: { transaction: string; items: string[] }): Promise<void>;
  /**
   * Whether the requester may read the audit trail (ITI-81, the patient access report): the reason
   * it may not, or undefined when it may.
   */
  auditTrailRefusal(ctx: RequestContext): string | undefined;
}
