/**
 * The one audit service every actor reports to (Secure Node). It stores each message with the
 * request's own write transaction when there is one, so that a change and its audit record commit
 * together; failures are recorded in a transaction of their own.
 */
import type { Config } from '../server/config/types.ts';
import type { AuditRecord, Store, WriteTx } from '../store/types.ts';
import { auditMessageXml, type AuditMessage, type ParticipantObject } from './auditMessage.ts';
import { ApplicationServer } from './codes.ts';

export class AuditService {
  readonly processId = String(process.pid);

  constructor(
    private readonly store: Store,
    readonly node: Config['node'],
  ) {}

  get sourceIdentification(): AuditMessage['source'] {
    return { id: this.node.auditSourceId, enterpriseSiteId: this.node.auditEnterpriseSiteId, typeCodes: [ApplicationServer] };
  }

  /** This node as an HL7 application: facility|application, as ITI TF-2 writes UserID for HL7 v2 actors. */
  get hl7UserId(): string {
    return `${this.node.facility}|${this.node.application}`;
  }

  async recordIn(tx: WriteTx, m: AuditMessage): Promise<void> {
    await tx.audit.appendAudit(toRecord(m));
  }

  async record(m: AuditMessage): Promise<void> {
    await this.store.write((tx) => tx.audit.appendAudit(toRecord(m)));
  }
}

export function toRecord(m: AuditMessage): AuditRecord {
  return {
    eventTime: m.eventDateTime,
    eventId: m.eventId.code,
    eventTypeCode: m.eventTypeCodes[0]?.code ?? '',
    action: m.eventActionCode,
    outcome: m.eventOutcome,
    origin: 'self',
    xml: auditMessageXml(m),
    patientIds: patientIds(m.objects),
  };
}

export function patientIds(objects: ParticipantObject[]): string[] {
  return objects.filter((o) => o.typeCode === 1 && o.typeCodeRole === 1).map((o) => o.id);
}
