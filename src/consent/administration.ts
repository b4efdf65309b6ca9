/**
 * Consent given outside a BPPC document: the operations the admin API and the desk CLI share. Each
 * finds the patient as the access report does (identity/patientReference.ts), makes the change
 * through the consent service and audits it, all in one write. Answers name the patient by its
 * local and regional IDs, never by the token.
 */
import type { AuditService } from '../audit/auditService.ts';
import type { IdentityService } from '../identity/service.ts';
import { findPatient } from '../identity/patientReference.ts';
import type { Person } from '../identity/types.ts';
import type { AuthorityConfig, ConsentConfig } from '../kernel/config.ts';
import type { RequestContext } from '../kernel/requestContext.ts';
import type { ReadTx, Store, WriteTx } from '../store/types.ts';
import { auditablePatientIds, consentChangedAudit, disasterAudit } from './audit.ts';
import { facilityResolver } from './bppc.ts';
import { parseDisaster, parseTerms, parseWithheld } from './input.ts';
import { consentInForce, type Consent, type ConsentChange, type ConsentSourceKind, type Disaster, type PatientNotification } from './model.ts';
import { sharedAtAll } from './patientView.ts';
import { changedBy, type ConsentService } from './service.ts';

export interface PatientConsent {
  patient: { regionalId: string; identifiers: string[] };
  /** The recorded consent (the survivor's, or of a person merged into it); null: none recorded. */
  consent: Consent | null;
  /** The region's default for a patient without a decision. */
  participationDefault: 'opt-in' | 'opt-out';
  /** The record is neither revoked nor outside its validity period. */
  inForce: boolean;
  /** The patient's data are shared with the network now (under the record's limits). */
  shared: boolean;
}

export interface Requester {
  ctx: RequestContext;
  /** 'admin' over the API and the operators' console, 'desk' at the CLI, 'portal' the patient on their own page. */
  source: Exclude<ConsentSourceKind, 'bppc'>;
  /** The operator at the desk (the Application Launcher of the audit message). */
  operator?: string;
}

export class ConsentAdministration {
  readonly resolveFacility: (name: string) => string | undefined;

  constructor(
    private readonly deps: {
      store: Store;
      identity: IdentityService;
      audit: AuditService;
      consent: ConsentService;
      config: { consent: Pick<ConsentConfig, 'participationDefault'>; domains: readonly AuthorityConfig[] };
      clock?: () => Date;
    },
  ) {
    this.resolveFacility = facilityResolver(deps.config.domains);
  }

  private async patient(tx: ReadTx, person: Person): Promise<PatientConsent['patient']> {
    return { regionalId: person.regionalId, identifiers: auditablePatientIds(await this.deps.identity.identifiersOf(tx, person)) };
  }

  async show(reference: string): Promise<PatientConsent> {
    return this.deps.store.read(async (tx) => {
      const person = await findPatient(tx, this.deps.identity, reference);
      const consent = (await this.deps.consent.current(tx, person.id)) ?? null;
      const now = (this.deps.clock?.() ?? new Date()).toISOString();
      const def = this.deps.config.consent.participationDefault;
      return {
        patient: await this.patient(tx, person),
        consent,
        participationDefault: def,
        inForce: consent ? consentInForce(consent, now) : false,
        shared: sharedAtAll(consent ?? undefined, def, now),
      };
    });
  }

  async history(reference: string): Promise<{ patient: PatientConsent['patient']; history: ConsentChange[] }> {
    return this.deps.store.read(async (tx) => {
      const person = await findPatient(tx, this.deps.identity, reference);
      return { patient: await this.patient(tx, person), history: await this.deps.consent.history(tx, person.id) };
    });
  }

  /**
   * The patient's notifications (accesses under break-glass), newest first, with how many are unread;
   * those of the persons merged into the patient too.
   */
  async notifications(reference: string, limit = 200): Promise<{ unread: number; items: PatientNotification[] }> {
    return this.deps.store.read(async (tx) => {
      const persons = await tx.registry.personsOf((await findPatient(tx, this.deps.identity, reference)).id);
      return { unread: await tx.consent.unreadNotifications(persons), items: await tx.consent.patientNotifications(persons, limit) };
    });
  }

  /** Marks the patient's notifications read (those shown to them); never another patient's. */
  async markNotificationsRead(reference: string, ids: number[]): Promise<number> {
    if (ids.length === 0) return 0;
    const at = (this.deps.clock?.() ?? new Date()).toISOString();
    return this.deps.store.write(async (tx) => {
      const persons = await tx.registry.personsOf((await findPatient(tx, this.deps.identity, reference)).id);
      return tx.consent.markNotificationsRead(persons, ids, at);
    });
  }

  /** PUT: the whole consent, from JSON. */
  set(reference: string, body: unknown, by: Requester): Promise<ConsentChange> {
    const terms = parseTerms(body, this.resolveFacility);
    return this.change(reference, by, (tx, personId) => this.deps.consent.set(tx, personId, terms, this.changeBy(by)));
  }

  /**
   * Reads the consent and replaces it in one write transaction: `next` makes the new consent's JSON
   * from the one recorded, so that no change made meanwhile by another request is lost.
   */
  update(reference: string, next: (current: Consent | null) => unknown, by: Requester): Promise<ConsentChange> {
    return this.change(reference, by, async (tx, personId) => {
      const terms = parseTerms(next((await this.deps.consent.current(tx, personId)) ?? null), this.resolveFacility);
      return this.deps.consent.set(tx, personId, terms, this.changeBy(by));
    });
  }

  withhold(reference: string, body: unknown, by: Requester): Promise<ConsentChange> {
    const more = parseWithheld(body, this.resolveFacility, 'withhold', true);
    return this.change(reference, by, (tx, personId) => this.deps.consent.withhold(tx, personId, more, this.changeBy(by)));
  }

  revoke(reference: string, by: Requester): Promise<ConsentChange> {
    return this.change(reference, by, (tx, personId) => this.deps.consent.revoke(tx, personId, this.changeBy(by)));
  }

  disasters(): Promise<Disaster[]> {
    return this.deps.store.read((tx) => this.deps.consent.disasters(tx));
  }

  declareDisaster(body: unknown, by: Requester): Promise<Disaster> {
    const d = parseDisaster(body, this.resolveFacility);
    return this.deps.store.write(async (tx) => {
      const declared = await this.deps.consent.declareDisaster(tx, d, this.changeBy(by).who);
      await this.deps.audit.recordIn(tx, disasterAudit(this.deps.audit, by.ctx, declared, true, by.operator));
      return declared;
    });
  }

  endDisaster(id: number, by: Requester): Promise<Disaster> {
    return this.deps.store.write(async (tx) => {
      const ended = await this.deps.consent.endDisaster(tx, id);
      await this.deps.audit.recordIn(tx, disasterAudit(this.deps.audit, by.ctx, ended, false, by.operator));
      return ended;
    });
  }

  private changeBy(by: Requester) {
    return { who: by.operator ?? changedBy(by.ctx), source: { kind: by.source } };
  }

  private change(reference: string, by: Requester, apply: (tx: WriteTx, personId: number) => Promise<ConsentChange>): Promise<ConsentChange> {
    return this.deps.store.write(async (tx) => {
      const person = await findPatient(tx, this.deps.identity, reference);
      const change = await apply(tx, person.id);
      const ids = auditablePatientIds(await this.deps.identity.identifiersOf(tx, person));
      await this.deps.audit.recordIn(tx, consentChangedAudit(this.deps.audit, by.ctx, change, ids, by.operator));
      return change;
    });
  }
}
