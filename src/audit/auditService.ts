/**
 * The one audit service every actor reports to (Secure Node). It stores each message with the
 * request's own write transaction when there is one, so that a change and its audit record commit
 * together; failures are recorded in a transaction of their own.
 */
import os from 'node:os';
import { indexFields } from '../atna/dicom/index.ts';
import { AuditMessageReader } from '../atna/dicom/reader.ts';
import { formatSyslog } from '../atna/syslog/rfc5424.ts';
import type { AuditRepositoryConfig, Config } from '../kernel/config.ts';
import { StoreUnavailableError } from '../kernel/storeUnavailable.ts';
import type { AuditRecord, Store, WriteTx } from '../store/types.ts';
import { auditMessageXml, type ActiveParticipant, type AuditMessage } from './auditMessage.ts';
import { ApplicationServer, Roles } from './codes.ts';

/** The outbox channel of audit forwarding to external repositories. */
export const ATNA_CHANNEL = 'atna';

export class AuditService {
  readonly processId = String(process.pid);
  private readonly reader = new AuditMessageReader();
  private readonly hostname = os.hostname();
  /** Called after a message queued for forwarding has committed (the dispatcher looks at once). */
  onQueued?: () => void;
  /** Told of the audit of a failure that could not be stored for want of the database. */
  onUnrecorded?: (m: AuditMessage, error: Error) => void;

  constructor(
    private readonly store: Store,
    readonly node: Config['node'],
    private readonly repositories: readonly AuditRepositoryConfig[] = [],
    /** Applied to every message before it is kept or forwarded (individualNumberScreen.ts). */
    private readonly screen: (m: AuditMessage) => AuditMessage = (m) => m,
  ) {}

  get sourceIdentification(): AuditMessage['source'] {
    return { id: this.node.auditSourceId, enterpriseSiteId: this.node.auditEnterpriseSiteId, typeCodes: [ApplicationServer] };
  }

  /** This process as an active participant: the Application (110150) on this host. */
  get applicationParticipant(): ActiveParticipant {
    return {
      userId: this.node.application,
      alternativeUserId: this.processId,
      userIsRequestor: false,
      roleIdCodes: [Roles.application],
      networkAccessPointId: this.hostname,
      networkAccessPointTypeCode: '1',
    };
  }

  /** This node as an HL7 application: facility|application, as ITI TF-2 writes UserID for HL7 v2 actors. */
  get hl7UserId(): string {
    return `${this.node.facility}|${this.node.application}`;
  }

  /**
   * Stores the message with the request's own transaction, and queues it for every configured
   * repository in the same transaction: it is forwarded if and only if it was stored.
   */
  async recordIn(tx: WriteTx, message: AuditMessage): Promise<void> {
    const m = this.screen(message);
    const r = this.toRecord(m);
    await tx.audit.appendAudit(r);
    if (this.repositories.length === 0) return;
    const payload = this.syslogMessage(m, r.xml);
    for (const repo of this.repositories) await tx.outbox.enqueue(ATNA_CHANNEL, repo.name, payload);
  }

  /**
   * Stores a message in a transaction of its own. With the database unavailable, the audit of a
   * failure is told to `onUnrecorded` (the log) instead, so that the failed request is still
   * answered with its protocol's error; the audit of a success fails the request.
   */
  async record(m: AuditMessage): Promise<void> {
    try {
      await this.store.write((tx) => this.recordIn(tx, m));
    } catch (e) {
      if (!(e instanceof StoreUnavailableError) || m.eventOutcome === 0) throw e;
      this.onUnrecorded?.(m, e);
      return;
    }
    if (this.repositories.length) this.onQueued?.();
  }

  /** ITI TF-2 3.20.4.1.2: PRI facility 10 (security), severity 5 (4 for failures); MSGID IHE+RFC-3881; MSG the XML. */
  private syslogMessage(m: AuditMessage, xml: string): Buffer {
    return formatSyslog({
      facility: 10,
      severity: m.eventOutcome === 0 ? 5 : 4,
      timestamp: new Date().toISOString(),
      hostname: this.hostname,
      appName: this.node.application,
      procId: this.processId,
      msgId: 'IHE+RFC-3881',
      msg: xml,
    });
  }

  /**
   * The stored form of one of this server's messages: read back and validated by the same reader as
   * received messages, so that both are indexed alike; one that fails validation is kept with its error.
   */
  toRecord(m: AuditMessage): AuditRecord & { xml: string } {
    const xml = auditMessageXml(m);
    const read = this.reader.read(xml);
    if (!read.message) throw new Error(`audit message not well-formed: ${read.errors.join('; ')}`);
    const fields = indexFields(read.message, m.eventDateTime);
    // Completed in place, not spread into a new object: see withFields (ebxml/rim.ts).
    return Object.assign(fields, {
      origin: 'self',
      xml,
      status: read.errors.length ? ('invalid' as const) : ('valid' as const),
      error: read.errors.length ? read.errors.join('; ') : undefined,
      transport: 'self',
    });
  }
}
