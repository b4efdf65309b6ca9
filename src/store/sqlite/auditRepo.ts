/** Audit events on SQLite: the DICOM audit message plus the fields it is found by. */
import type Database from 'better-sqlite3';
import type { AuditRecord, AuditWriter, StoredAuditRecord } from '../types.ts';
import { Statements } from './statements.ts';

interface Row {
  id: number;
  recorded_at: string;
  event_time: string;
  event_id: string;
  event_type_code: string;
  action: string;
  outcome: number;
  origin: string;
  xml: string;
  patients: string | null;
}

export class SqliteAuditRepo implements AuditWriter {
  private readonly st: Statements;

  constructor(db: Database.Database) {
    this.st = new Statements(db);
  }

  async appendAudit(e: AuditRecord): Promise<void> {
    const info = this.st.run(
      'INSERT INTO audit_events(recorded_at, event_time, event_id, event_type_code, action, outcome, origin, xml) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      new Date().toISOString(),
      e.eventTime,
      e.eventId,
      e.eventTypeCode,
      e.action,
      e.outcome,
      e.origin,
      e.xml,
    );
    for (const p of new Set(e.patientIds)) {
      this.st.run('INSERT INTO audit_event_patients(event_id, patient_id) VALUES (?, ?)', info.lastInsertRowid, p);
    }
  }

  async auditEvents(filter: { eventTypeCode?: string; patientId?: string; limit?: number }): Promise<StoredAuditRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.eventTypeCode) {
      where.push('e.event_type_code = ?');
      args.push(filter.eventTypeCode);
    }
    if (filter.patientId) {
      where.push('e.id IN (SELECT event_id FROM audit_event_patients WHERE patient_id = ?)');
      args.push(filter.patientId);
    }
    const sql = `SELECT e.*, (SELECT json_group_array(patient_id) FROM audit_event_patients p WHERE p.event_id = e.id) AS patients
      FROM audit_events e ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY e.id LIMIT ?`;
    return this.st.all<Row>(sql, ...args, filter.limit ?? 1000).map((r) => ({
      id: r.id,
      recordedAt: r.recorded_at,
      eventTime: r.event_time,
      eventId: r.event_id,
      eventTypeCode: r.event_type_code,
      action: r.action,
      outcome: r.outcome,
      origin: r.origin,
      xml: r.xml,
      patientIds: r.patients ? JSON.parse(r.patients) : [],
    }));
  }
}
