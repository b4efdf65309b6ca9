/** Patients' consent and declared disasters on SQLite: the current record as JSON, the history append-only. */
import type Database from 'better-sqlite3';
import type { Consent, ConsentChange, Disaster, NewConsentChange, NewDisaster, NewPatientNotification, PatientNotification } from '../../consent/model.ts';
import type { ConsentWriter } from '../types.ts';
import { marks, Statements } from './statements.ts';
import { type HistoryRow, type DisasterRow, type NotificationRow, toChange, toDisaster, toNotification } from '../rows/consent.ts';

export class SqliteConsentRepo implements ConsentWriter {
  private readonly st: Statements;

  constructor(db: Database.Database) {
    this.st = new Statements(db);
  }

  async consents(personIds: number[]): Promise<Consent[]> {
    if (personIds.length === 0) return [];
    if (personIds.length === 1) {
      const r = this.st.get<{ body: string }>('SELECT body FROM consents WHERE person_id = ?', personIds[0]);
      return r ? [JSON.parse(r.body) as Consent] : [];
    }
    return this.st.all<{ body: string }>(`SELECT body FROM consents WHERE person_id IN (${marks(personIds.length)})`, ...personIds).map((r) => JSON.parse(r.body) as Consent);
  }

  async consentHistory(personId: number): Promise<ConsentChange[]> {
    return this.st.all<HistoryRow>('SELECT * FROM consent_history WHERE person_id = ? ORDER BY id', personId).map(toChange);
  }

  async recordConsent(c: NewConsentChange): Promise<ConsentChange> {
    const body = JSON.stringify(c.consent);
    this.st.run(
      `INSERT INTO consents(person_id, participation, body, version, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(person_id) DO UPDATE SET participation = excluded.participation, body = excluded.body, version = excluded.version, updated_at = excluded.updated_at`,
      c.personId,
      c.consent.participation,
      body,
      c.consent.version,
      c.consent.updatedAt,
    );
    const r = this.st.run(
      `INSERT INTO consent_history(person_id, at, who, source_kind, source_document, action, changes, consent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      c.personId,
      c.at,
      c.who,
      c.source.kind,
      c.source.document ?? null,
      c.action,
      JSON.stringify(c.changes),
      body,
    );
    return { ...c, id: Number(r.lastInsertRowid) };
  }

  async disasters(filter: { activeAt?: string } = {}): Promise<Disaster[]> {
    if (filter.activeAt) {
      const t = filter.activeAt;
      return this.st
        .all<DisasterRow>(
          `SELECT * FROM disasters WHERE start <= ? AND ("end" IS NULL OR "end" > ?) AND (ended_at IS NULL OR ended_at > ?) ORDER BY id DESC`,
          t,
          t,
          t,
        )
        .map(toDisaster);
    }
    return this.st.all<DisasterRow>('SELECT * FROM disasters ORDER BY id DESC').map(toDisaster);
  }

  async disaster(id: number): Promise<Disaster | undefined> {
    const r = this.st.get<DisasterRow>('SELECT * FROM disasters WHERE id = ?', id);
    return r && toDisaster(r);
  }

  async declareDisaster(d: NewDisaster): Promise<Disaster> {
    const r = this.st.run(
      'INSERT INTO disasters(description, facilities, start, "end", declared_by, declared_at) VALUES (?, ?, ?, ?, ?, ?)',
      d.description,
      JSON.stringify(d.facilities),
      d.start,
      d.end ?? null,
      d.declaredBy,
      d.declaredAt,
    );
    return (await this.disaster(Number(r.lastInsertRowid)))!;
  }

  async endDisaster(id: number, at: string): Promise<Disaster | undefined> {
    this.st.run('UPDATE disasters SET ended_at = ? WHERE id = ? AND ended_at IS NULL', at, id);
    return this.disaster(id);
  }

  async patientNotifications(personIds: number[], limit: number): Promise<PatientNotification[]> {
    if (personIds.length === 0) return [];
    return this.st
      .all<NotificationRow>(`SELECT * FROM patient_notifications WHERE person_id IN (${marks(personIds.length)}) ORDER BY id DESC LIMIT ?`, ...personIds, limit)
      .map(toNotification);
  }

  async unreadNotifications(personIds: number[]): Promise<number> {
    if (personIds.length === 0) return 0;
    return this.st.get<{ n: number }>(`SELECT count(*) AS n FROM patient_notifications WHERE person_id IN (${marks(personIds.length)}) AND read_at IS NULL`, ...personIds)!.n;
  }

  async addPatientNotification(n: NewPatientNotification): Promise<PatientNotification> {
    const r = this.st.run('INSERT INTO patient_notifications(person_id, at, kind, body) VALUES (?, ?, ?, ?)', n.personId, n.at, n.kind, JSON.stringify(n.body));
    return { ...n, id: Number(r.lastInsertRowid), readAt: null };
  }

  async markNotificationsRead(personIds: number[], ids: number[], at: string): Promise<number> {
    if (personIds.length === 0 || ids.length === 0) return 0;
    return this.st.run(
      `UPDATE patient_notifications SET read_at = ? WHERE read_at IS NULL AND person_id IN (${marks(personIds.length)}) AND id IN (${marks(ids.length)})`,
      at,
      ...personIds,
      ...ids,
    ).changes;
  }
}
