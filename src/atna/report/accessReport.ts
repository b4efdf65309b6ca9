/**
 * The patient access report: for one patient, every access to and disclosure of their data that the
 * audit trail holds (this server's own events and those hospital systems sent), found under every
 * identifier the patient was ever known by: when, by which facility and user, from which address,
 * through which transaction, for which purpose, emergency access marked. The regional network's answer
 * to a patient who asks who has seen their records. Reading it is itself audited (Audit Log Used).
 *
 * The token and the organization pseudonyms are searched for but never shown.
 */
import type { AuditEvent } from 'fhir/r4.js';
import type { AuditService } from '../../audit/auditService.ts';
import { auditLogUsed, type AuditLogReader } from '../../audit/auditLogUsed.ts';
import { authorizationFailure } from '../../audit/securityAlert.ts';
import type { AccessDecisions } from '../../consent/decision.ts';
import type { RequestContext } from '../../kernel/requestContext.ts';
import { Roles } from '../../audit/codes.ts';
import { cxString } from '../../pix/codec/cx.ts';
import type { IdentityService } from '../../identity/service.ts';
import type { AuditPatientKey, StoredAuditRecord, Store } from '../../store/types.ts';
import type { ReadAuditMessage, ReadCode } from '../dicom/model.ts';
import { AuditMessageReader } from '../dicom/reader.ts';
import { codeSystemNameOf } from '../fhir/codeSystems.ts';
import { findPatient } from '../../identity/patientReference.ts';
import { DisplayNames, namesNoOne, UNKNOWN } from './displayNames.ts';

/**
 * PurposeOfUse codes of emergency access (break-glass) when config names none: HL7 v3 ActReason
 * ETREAT, BTG; XSPA/ISO 14265 EMERGENCY. The server passes config consent.emergencyPurposes and
 * consent.disasterPurposes, so that disaster access is marked too.
 */
const EMERGENCY = ['EMERGENCY', 'ETREAT', 'BTG'];

export interface AccessEntry {
  eventId: number;
  time: string;
  /** What happened, in the patient's terms. */
  kind: 'record created' | 'record updated' | 'record deleted' | 'record read' | 'searched' | 'documents sent' | 'documents received' | 'audit trail read' | 'other';
  event: { code: string; name: string };
  transaction?: { code: string; name: string };
  action: string;
  success: boolean;
  facility: string;
  /** The facility as the config names it (identity.domains[].displayName), else its code. */
  facilityName: string;
  /** Identifiers of the users (never a URL, a file path or an anonymous address). */
  users: string[];
  /** Who it was, for the patient: the users by their display names, else the facility or node, else unknown. */
  who: string;
  addresses: string[];
  purposeOfUse: { code: string; name: string }[];
  emergency: boolean;
  /** The identifier of the patient the event names. */
  patientIdentifier: string;
  /** Who reported the event: this server (self) or the system that sent it. */
  reportedBy: string;
  /** False for a message kept although it failed validation (read on a best-effort basis). */
  verified: boolean;
  /** A received message: the configured node it came from. */
  receivedFrom?: string;
  /** A received message whose AuditSourceID is not its sending node's, or sent by a peer that matched no node. */
  senderMark?: 'source-not-sender' | 'unknown-sender';
}

export interface AccessReport {
  generatedAt: string;
  /** IANA time zone the report is read in (config atna.reportTimeZone); the times themselves are UTC. */
  timeZone: string;
  patient: { identifiers: string[] };
  entries: AccessEntry[];
  /** True when there were more events than the report lists (config atna.reportMaxEvents). */
  truncated: boolean;
  summary: { total: number; facilities: string[]; facilityNames: string[]; emergency: number };
}

const KIND: Record<string, AccessEntry['kind']> = {
  '110110C': 'record created',
  '110110U': 'record updated',
  '110110D': 'record deleted',
  '110110R': 'record read',
  '110110E': 'record read',
  '110112': 'searched',
  '110106': 'documents sent',
  '110107': 'documents received',
  '110101': 'audit trail read',
};

const name = (c: ReadCode) => c.originalText || c.displayName || c.code;

export class AccessReporter {
  private readonly reader = new AuditMessageReader();
  /**
   * Messages already read, by audit event id: a stored audit event never changes, and a patient's
   * report reads the same events each time it is opened (the console's "who saw my records").
   */
  private readonly messages = new Map<number, ReturnType<AccessReporter['readMessage']>>();
  private readonly breakGlass: ReadonlySet<string>;
  private readonly names: DisplayNames;

  constructor(
    private readonly deps: {
      store: Store;
      identity: IdentityService;
      audit: AuditService;
      /** Who may read the audit trail: the one decision service (consent/decision.ts). */
      decisions: Pick<AccessDecisions, 'auditTrailRefusal'>;
      maxEvents: number;
      breakGlassPurposes?: readonly string[];
      /** Facility and node display names (config identity.domains, nodes, access.local). */
      names?: DisplayNames;
      /** IANA time zone of the report (config atna.reportTimeZone); UTC when absent. */
      timeZone?: string;
    },
  ) {
    this.breakGlass = new Set((deps.breakGlassPurposes ?? EMERGENCY).map((p) => p.trim().toUpperCase()));
    this.names = deps.names ?? new DisplayNames();
  }

  /**
   * Whether this requester may read access reports (the decision service: the role auditor). A refusal is audited as a
   * Security Alert and as an Audit Log Used that failed, before anything is read; returns the reason.
   */
  async refusal(ctx: RequestContext, via: string): Promise<string | undefined> {
    const reason = this.deps.decisions.auditTrailRefusal(ctx);
    if (reason === undefined) return undefined;
    await this.deps.audit.record(authorizationFailure(this.deps.audit, ctx, { transaction: 'patient access report', endpoint: via, reason }));
    await this.deps.audit.record(auditLogUsed(this.deps.audit, { context: ctx, via }, [], 4));
    return reason;
  }

  /** The report for the patient `reference` names (see patientReference.ts); `reader` says who asked. */
  async report(reference: string, reader: AuditLogReader): Promise<AccessReport> {
    const { store, identity } = this.deps;
    const found = await store.read(async (tx) => {
      const person = await findPatient(tx, identity, reference);
      const ever = await identity.identifiersEver(tx, person);
      const shown = ever.filter((i) => i.domain.kind === 'local' || i.domain.kind === 'regional');
      const keys: AuditPatientKey[] = ever.map((i) => ({ value: i.id, oid: i.domain.oid || undefined, namespace: i.domain.namespace || undefined }));
      const events = await tx.audit.auditEventsOfPatients(keys, this.deps.maxEvents + 1);
      return { shown, keys, events, hidden: ever.filter((i) => !shown.includes(i)).map((i) => i.id) };
    });
    const entries = found.events.slice(0, this.deps.maxEvents).map((e) => this.entry(e, found.keys, new Set(found.hidden))).reverse();
    const identifiers = [...new Set(found.shown.map((i) => cxString(i)))];
    await this.deps.audit.record(auditLogUsed(this.deps.audit, reader, identifiers));
    const facilities = [...new Set(entries.map((e) => e.facility).filter(Boolean))].sort();
    return {
      generatedAt: new Date().toISOString(),
      timeZone: this.deps.timeZone ?? 'UTC',
      patient: { identifiers },
      entries,
      truncated: found.events.length > this.deps.maxEvents,
      summary: {
        total: entries.length,
        facilities,
        facilityNames: [...new Set(facilities.map((f) => this.names.facility(f)))],
        emergency: entries.filter((e) => e.emergency).length,
      },
    };
  }

  private readMessage(e: StoredAuditRecord) {
    return e.format === 'fhir' ? fromFhir(JSON.parse(e.xml) as AuditEvent) : this.reader.read(e.xml).message;
  }

  private entry(e: StoredAuditRecord, keys: AuditPatientKey[], hidden: Set<string>): AccessEntry {
    let m = this.messages.get(e.id);
    if (m === undefined && !this.messages.has(e.id)) {
      m = this.readMessage(e);
      if (this.messages.size >= MESSAGE_CACHE) this.messages.delete(this.messages.keys().next().value!);
      this.messages.set(e.id, m);
    }
    const requestors = (m?.participants ?? []).filter((p) => /^\s*(true|1)\s*$/.test(p.requestor));
    const who = requestors.length ? requestors : (m?.participants ?? []).filter((p) => !p.roles.some((r) => r.code === Roles.destination.code));
    const facilityOf = (userId: string) => (userId.includes('|') ? userId.split('|')[0] : '');
    // HL7 v2 actors are named facility|application (ITI TF-2 3.8.5); a node acts for its facility; the
    // SS-MIX2 ingest names the storage it reads `ssmix2:FACILITY` (its Destination); others name none.
    const facility =
      who.map((p) => facilityOf(p.userId)).find(Boolean) ??
      who.map((p) => this.names.nodeNameOf(p)).map((n) => (n === undefined ? undefined : this.names.facilityOfNode(n))).find(Boolean) ??
      (m?.participants ?? []).map((p) => /^ssmix2:(.+)$/.exec(p.userId)?.[1]).find(Boolean) ??
      '';
    const facilityName = facility ? this.names.facility(facility) : '';
    const shown = [...new Set(who.map((p) => this.names.user(p)).filter((x): x is string => !!x))];
    const purposes = (m?.purposeOfUse ?? []).map((c) => ({ code: c.code, name: name(c) }));
    const matched = e.patientIds.find((p) => keys.some((k) => matches(p, k))) ?? e.patientIds[0] ?? '';
    const transaction = m?.eventTypes[0];
    return {
      eventId: e.id,
      time: e.eventTime,
      kind: KIND[e.eventId + e.action] ?? KIND[e.eventId] ?? 'other',
      event: { code: e.eventId, name: m?.eventId ? name(m.eventId) : e.eventId },
      ...(transaction ? { transaction: { code: transaction.code, name: name(transaction) } } : {}),
      action: e.action,
      success: e.outcome === 0,
      facility,
      facilityName,
      users: [...new Set(who.map((p) => (namesNoOne(p.userId) ? p.userName : p.userName ? `${p.userName} (${p.userId})` : p.userId)).filter(Boolean))],
      who: shown.join(', ') || facilityName || (e.sender ? this.names.node(e.sender) : '') || UNKNOWN,
      addresses: [...new Set(who.map((p) => p.networkAccessPointId).filter(Boolean))],
      purposeOfUse: purposes,
      emergency: purposes.some((p) => this.breakGlass.has(p.code.trim().toUpperCase())),
      patientIdentifier: hidden.has(matched.split('^')[0]) ? '(pseudonymous identifier)' : matched,
      reportedBy: e.transport === 'self' ? 'self' : e.sourceId || e.origin,
      verified: e.status === 'valid',
      ...(e.sender ? { receivedFrom: e.sender } : {}),
      ...(e.senderMark ? { senderMark: e.senderMark } : {}),
    };
  }
}

/** Audit messages kept read, oldest dropped first: about a report's worth of the largest (reportMaxEvents). */
const MESSAGE_CACHE = 10_000;

function matches(cx: string, k: AuditPatientKey): boolean {
  const c = cx.split('^');
  const hd = (c[3] ?? '').split('&');
  return c[0] === k.value && (!k.oid || hd[1] === k.oid || (!!k.namespace && hd[0] === k.namespace) || (!hd[0] && !hd[1]));
}

/** The parts of a FHIR AuditEvent the report shows, in the DICOM model. */
function fromFhir(e: AuditEvent): ReadAuditMessage {
  const code = (c?: { code?: string; system?: string; display?: string }): ReadCode => ({
    code: c?.code ?? '',
    codeSystemName: codeSystemNameOf(c?.system),
    originalText: c?.display ?? '',
    displayName: '',
  });
  return {
    actionCode: e.action ?? '',
    dateTime: e.recorded,
    outcome: e.outcome ?? '',
    eventId: code(e.type),
    eventTypes: (e.subtype ?? []).map(code),
    purposeOfUse: (e.purposeOfEvent ?? []).flatMap((p) => (p.coding ?? []).map(code)),
    participants: (e.agent ?? []).map((a) => ({
      userId: a.who?.identifier?.value ?? a.who?.display ?? '',
      altUserId: a.altId ?? '',
      userName: a.name ?? '',
      requestor: String(a.requestor),
      networkAccessPointId: a.network?.address ?? '',
      networkAccessPointTypeCode: a.network?.type ?? '',
      roles: [...(a.type?.coding ?? []), ...(a.role ?? []).flatMap((r) => r.coding ?? [])].map(code),
    })),
    source: { id: e.source?.observer?.identifier?.value ?? e.source?.observer?.display ?? '', enterpriseSiteId: e.source?.site ?? '', types: [] },
    objects: [],
  };
}
