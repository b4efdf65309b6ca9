/**
 * Delivers ITI-10 notifications to PIX Consumers over MLLP, one kept-open connection per consumer,
 * and records the ITI-10 audit event (ITI TF-2 3.10.5.1.1: Patient Record, action R, this server as
 * Source). A notification counts as delivered only when the consumer answers AA (or CA).
 */
import { hl7AuditMessage, patientObject } from '../../audit/hl7v2Audit.ts';
import type { AuditService } from '../../audit/auditService.ts';
import { EventIds, ihe } from '../../audit/codes.ts';
import { Hl7v2Message } from '../../hl7v2/message.ts';
import { MllpClient } from '../../hl7v2/mllp/client.ts';
import type { PixConsumerConfig } from '../../kernel/config.ts';
import type { OutboxMessage } from '../../store/types.ts';
import fs from 'node:fs';

export const ITI10 = ihe('ITI-10', 'PIX Update Notification');

export class Iti10Sender {
  private readonly clients = new Map<string, MllpClient>();

  constructor(
    private readonly consumers: readonly PixConsumerConfig[],
    private readonly audit: AuditService,
    private readonly replyTimeoutMs = 30_000,
  ) {}

  send = async (m: OutboxMessage): Promise<void> => {
    const consumer = this.consumers.find((c) => c.name === m.destination);
    if (!consumer) throw new Error(`no PIX Consumer named ${m.destination} in config`);
    const notification = Hl7v2Message.parse(m.payload.toString('utf8'));
    let outcome: 0 | 8 = 8;
    let description: string | undefined;
    try {
      const client = await this.client(consumer);
      const reply = await client.send(m.payload).catch((e) => {
        this.drop(consumer.name);
        throw e;
      });
      const ack = Hl7v2Message.parse(reply.toString('utf8'));
      const code = ack.first('MSA')?.get(1) ?? '';
      if (code !== 'AA' && code !== 'CA') {
        description = `consumer answered ${code || 'without MSA'}`;
        throw new Error(description);
      }
      outcome = 0;
    } catch (e) {
      description ??= e instanceof Error ? e.message : String(e);
      throw e;
    } finally {
      if (outcome === 0 || m.attempts === 0) await this.audit.record(this.auditMessage(consumer, notification, outcome, description));
    }
  };

  async close(): Promise<void> {
    for (const c of this.clients.values()) await c.close();
    this.clients.clear();
  }

  private async client(c: PixConsumerConfig): Promise<MllpClient> {
    const existing = this.clients.get(c.name);
    if (existing) return existing;
    const client = await MllpClient.connect({
      host: c.host,
      port: c.port,
      replyTimeoutMs: this.replyTimeoutMs,
      tls: c.tls
        ? {
            ca: c.tls.ca ? fs.readFileSync(c.tls.ca) : undefined,
            cert: c.tls.cert ? fs.readFileSync(c.tls.cert) : undefined,
            key: c.tls.key ? fs.readFileSync(c.tls.key) : undefined,
          }
        : undefined,
    });
    this.clients.set(c.name, client);
    void client.closed().then(() => {
      if (this.clients.get(c.name) === client) this.clients.delete(c.name);
    });
    return client;
  }

  private drop(name: string): void {
    const c = this.clients.get(name);
    this.clients.delete(name);
    void c?.close();
  }

  private auditMessage(c: PixConsumerConfig, n: Hl7v2Message, outcome: 0 | 8, description?: string) {
    const controlId = n.header.controlId;
    const pid3 = n.first('PID')?.reps(3).map((r) => r.raw) ?? [];
    return hl7AuditMessage(this.audit, {
      eventId: EventIds.patientRecord,
      eventType: ITI10,
      action: 'R',
      outcome,
      outcomeDescription: outcome === 0 ? undefined : description,
      source: { application: this.audit.node.application, facility: this.audit.node.facility, address: '' },
      destination: { application: c.application, facility: c.facility, address: c.host },
      self: 'source',
      objects: pid3.map((p) => patientObject(p, controlId)),
    });
  }
}
