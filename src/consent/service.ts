/**
 * The consent service: the one answer to "what may this requester see of this patient" (the
 * AccessDecisions every read path asks through the scoped reader), the patient's notification after
 * break-glass, and the changes of a consent (admin API, the desk CLI, BPPC acknowledgements) and of
 * declared disasters, each change kept in the history with who, when and from which source.
 */
import type { ConsentConfig } from '../kernel/config.ts';
import { hasRole, requesterName, type RequestContext } from '../kernel/requestContext.ts';
import type { ReadTx, WriteTx } from '../store/types.ts';
import type { AccessDecisions, PatientView } from './decision.ts';
import {
  addWithheld,
  describeChanges,
  emptyTerms,
  type Consent,
  type ConsentAction,
  type ConsentChange,
  type ConsentSource,
  type ConsentTerms,
  type Disaster,
  type Withheld,
} from './model.ts';
import { breakGlassOf, decideView, unrestrictedView } from './patientView.ts';

/** The outbox channel of notifications to patients (a portal or mailer delivers them). */
export const PATIENT_NOTIFICATIONS_CHANNEL = 'patient-notifications';

/** A consent change refused: the patient has no consent to change that way, an unknown disaster. */
export class ConsentChangeError extends Error {
  constructor(
    readonly reason: 'no-consent' | 'already-revoked' | 'unknown-disaster' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'ConsentChangeError';
  }
}

/** Who made a change and from which source. */
export interface ChangeBy {
  who: string;
  source: ConsentSource;
}

/** How a change names its requester: the node (and the XUA user), or the operator of an internal context. */
export function changedBy(ctx: RequestContext): string {
  const node = requesterName(ctx);
  return ctx.user ? `${node}/${ctx.user.name ?? ctx.user.id}` : node;
}

export class ConsentService implements AccessDecisions {
  constructor(
    private readonly cfg: Pick<ConsentConfig, 'enabled' | 'participationDefault' | 'emergencyPurposes' | 'disasterPurposes'>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private now(): string {
    return this.clock().toISOString();
  }

  async viewOf(tx: ReadTx, ctx: RequestContext, personId: number): Promise<PatientView> {
    if (!this.cfg.enabled || ctx.node?.facilities === '*') return unrestrictedView(personId);
    // A patient sees their own records whole, what they withhold from others too (their right of access).
    if (ctx.subject && (await this.isSubject(tx, ctx.subject.regionalId, personId))) return unrestrictedView(personId);
    const now = this.now();
    const facilities = ctx.node?.facilities ?? [];
    return decideView({
      personId,
      ctx,
      consent: await this.current(tx, personId),
      participationDefault: this.cfg.participationDefault,
      now,
      holdsRecord: async () => {
        if (facilities.length === 0) return false;
        return (await tx.identity.recordsOfPersonEver(personId)).some((r) => facilities.includes(r.domainKey));
      },
      breakGlass: await breakGlassOf(ctx, this.cfg, () => tx.consent.disasters({ activeAt: now })),
    });
  }

  /** The regional ID names this person or one merged into it. */
  private async isSubject(tx: ReadTx, regionalId: string, personId: number): Promise<boolean> {
    const p = await tx.identity.personByRegionalId(regionalId);
    return !!p && (p.id === personId || (await tx.registry.personsOf(personId)).includes(p.id));
  }

  async recordBreakGlass(tx: WriteTx, ctx: RequestContext, view: PatientView, what: { transaction: string; items: string[] }): Promise<void> {
    const glass = view.breakGlassUsed;
    if (!glass) return;
    const person = await tx.identity.person(view.personId);
    if (!person) return;
    const node = ctx.node;
    const notification = {
      type: 'break-glass',
      at: this.now(),
      patient: person.regionalId,
      access: glass.kind,
      purposeOfUse: glass.purposeOfUse,
      ...(glass.disasterId !== undefined ? { disasterId: glass.disasterId } : {}),
      requester: {
        node: node?.name ?? requesterName(ctx),
        facilities: node ? (node.facilities === '*' ? ['*'] : [...node.facilities]) : [],
        ...(ctx.user ? { user: ctx.user.name ?? ctx.user.id, organization: ctx.user.organization } : {}),
      },
      transaction: what.transaction,
      seen: what.items.length ? what.items : ['patient record'],
    };
    await tx.outbox.enqueue(PATIENT_NOTIFICATIONS_CHANNEL, person.regionalId, Buffer.from(JSON.stringify(notification), 'utf8'));
    // And the patient's own inbox, which their page shows until they read it (issue 19).
    await tx.consent.addPatientNotification({ personId: person.id, at: notification.at, kind: notification.type, body: notification });
  }

  /**
   * The consent that governs a person: its own record, else (a survivor without one) the latest
   * record of the persons merged into it, so that a merge never drops a patient's decision.
   */
  /** The audit trail is for audit record consumers: nodes with the role auditor. */
  auditTrailRefusal(ctx: RequestContext): string | undefined {
    return hasRole(ctx, 'auditor') ? undefined : `${requesterName(ctx)} does not have the role auditor`;
  }

  async current(tx: ReadTx, personId: number): Promise<Consent | undefined> {
    const [own] = await tx.consent.consents([personId]);
    if (own) return own;
    const merged = (await tx.registry.personsOf(personId)).filter((p) => p !== personId);
    if (merged.length === 0) return undefined;
    return (await tx.consent.consents(merged)).sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1))[0];
  }

  /** Every change of the person's consent and of the persons merged into it, oldest first. */
  async history(tx: ReadTx, personId: number): Promise<ConsentChange[]> {
    const all: ConsentChange[] = [];
    for (const p of await tx.registry.personsOf(personId)) all.push(...(await tx.consent.consentHistory(p)));
    return all.sort((a, b) => a.id - b.id);
  }

  /** Replaces the consent with these terms (a new consent: any revocation is lifted). */
  async set(tx: WriteTx, personId: number, terms: ConsentTerms, by: ChangeBy, action: ConsentAction = 'set'): Promise<ConsentChange> {
    const before = await this.current(tx, personId);
    return this.write(tx, personId, before, { ...terms, revokedAt: undefined }, by, action);
  }

  /** Adds to what the consent withholds (a person without a record gets one, not enrolled). */
  async withhold(tx: WriteTx, personId: number, more: Partial<Withheld>, by: ChangeBy): Promise<ConsentChange> {
    const before = await this.current(tx, personId);
    const base = before ?? { ...emptyTerms() };
    return this.write(tx, personId, before, { ...base, withheld: addWithheld(base.withheld, more) }, by, 'withhold');
  }

  /** The patient withdraws consent: nothing is shared from now on, until a new consent is set. */
  async revoke(tx: WriteTx, personId: number, by: ChangeBy): Promise<ConsentChange> {
    const before = await this.current(tx, personId);
    if (!before) throw new ConsentChangeError('no-consent', 'the patient has no consent to revoke');
    if (before.revokedAt) throw new ConsentChangeError('already-revoked', `the consent was already revoked at ${before.revokedAt}`);
    return this.write(tx, personId, before, { ...before, revokedAt: this.now() }, by, 'revoke');
  }

  private async write(
    tx: WriteTx,
    personId: number,
    before: Consent | undefined,
    after: ConsentTerms & { revokedAt?: string },
    by: ChangeBy,
    action: ConsentAction,
  ): Promise<ConsentChange> {
    const at = this.now();
    const consent: Consent = {
      personId,
      participation: after.participation,
      facilities: [...after.facilities],
      peerRegions: [...after.peerRegions],
      withheld: after.withheld,
      ...(after.validFrom ? { validFrom: after.validFrom } : {}),
      ...(after.validUntil ? { validUntil: after.validUntil } : {}),
      ...(after.revokedAt ? { revokedAt: after.revokedAt } : {}),
      // A survivor taking over a merged person's record starts its own count after it.
      version: (before?.version ?? 0) + 1,
      updatedAt: at,
      source: by.source,
    };
    const changes = describeChanges(before ?? emptyTerms(), consent);
    return tx.consent.recordConsent({ personId, at, who: by.who, source: by.source, action, changes, consent });
  }

  disasters(tx: ReadTx): Promise<Disaster[]> {
    return tx.consent.disasters();
  }

  async declareDisaster(tx: WriteTx, d: { description: string; facilities: string[]; start?: string; end?: string }, who: string): Promise<Disaster> {
    const now = this.now();
    const start = d.start ?? now;
    if (d.end && d.end <= start) throw new ConsentChangeError('invalid', `the disaster's end (${d.end}) is not after its start (${start})`);
    if (d.facilities.length === 0) throw new ConsentChangeError('invalid', 'a disaster needs an area: at least one facility');
    return tx.consent.declareDisaster({ description: d.description, facilities: d.facilities, start, ...(d.end ? { end: d.end } : {}), declaredBy: who, declaredAt: now });
  }

  async endDisaster(tx: WriteTx, id: number): Promise<Disaster> {
    const d = await tx.consent.disaster(id);
    if (!d) throw new ConsentChangeError('unknown-disaster', `no disaster ${id}`);
    return (await tx.consent.endDisaster(id, this.now()))!;
  }
}
