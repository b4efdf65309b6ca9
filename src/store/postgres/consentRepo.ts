/** Patients' consent and declared disasters on PostgreSQL: the current record as JSON, the history append-only (as sqlite/consentRepo.ts). */
import type { Consent, ConsentChange, Disaster, NewConsentChange, NewDisaster, NewPatientNotification, PatientNotification } from '../../consent/model.ts';
import type { ConsentWriter } from '../types.ts';
import type { Sql } from './sql.ts';
import { type HistoryRow, type DisasterRow, type NotificationRow, toChange, toDisaster, toNotification } from '../rows/consent.ts';

const DISASTER = 'id, description, facilities, start, "end", ended_at, declared_by, declared_at';

export class PgConsentRepo implements ConsentWriter {
  constructor(private readonly sql: Sql) {}

  async consents(personIds: number[]): Promise<Consent[]> {
    if (personIds.length === 0) return [];
    const rows = await this.sql.all<{ body: string }>('SELECT body FROM consents WHERE person_id = ANY(CAST(? AS bigint[]))', personIds);
    return rows.map((r) => JSON.parse(r.body) as Consent);
  }

  async consentHistory(personId: number): Promise<ConsentChange[]> {
    return (await this.sql.all<HistoryRow>('SELECT * FROM consent_history WHERE person_id = ? ORDER BY id', personId)).map(toChange);
  }

  async recordConsent(c: NewConsentChange): Promise<ConsentChange> {
    const body = JSON.stringify(c.consent);
    await this.sql.run(
      `INSERT INTO consents(person_id, participation, body, version, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(person_id) DO UPDATE SET participation = excluded.participation, body = excluded.body, version = excluded.version, updated_at = excluded.updated_at`,
      c.personId,
      c.consent.participation,
      body,
      c.consent.version,
      c.consent.updatedAt,
    );
    const { id } = (await this.sql.get<{ id: number }>(
      'INSERT INTO consent_history(person_id, at, who, source_kind, source_document, action, changes, consent) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
      c.personId,
      c.at,
      c.who,
      c.source.kind,
      c.source.document ?? null,
      c.action,
      JSON.stringify(c.changes),
      body,
    ))!;
    return { ...c, id };
  }

  async disasters(filter: { activeAt?: string } = {}): Promise<Disaster[]> {
    if (filter.activeAt) {
      const t = filter.activeAt;
      const rows = await this.sql.all<DisasterRow>(
        `SELECT ${DISASTER} FROM disasters WHERE start <= ? AND ("end" IS NULL OR "end" > ?) AND (ended_at IS NULL OR ended_at > ?) ORDER BY id DESC`,
        t,
        t,
        t,
      );
      return rows.map(toDisaster);
    }
    return (await this.sql.all<DisasterRow>(`SELECT ${DISASTER} FROM disasters ORDER BY id DESC`)).map(toDisaster);
  }

  async disaster(id: number): Promise<Disaster | undefined> {
    const r = await this.sql.get<DisasterRow>(`SELECT ${DISASTER} FROM disasters WHERE id = ?`, id);
    return r && toDisaster(r);
  }

  async declareDisaster(d: NewDisaster): Promise<Disaster> {
    const { id } = (await this.sql.get<{ id: number }>(
      'INSERT INTO disasters(description, facilities, start, "end", declared_by, declared_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
      d.description,
      JSON.stringify(d.facilities),
      d.start,
      d.end ?? null,
      d.declaredBy,
      d.declaredAt,
    ))!;
    return (await this.disaster(id))!;
  }

  async endDisaster(id: number, at: string): Promise<Disaster | undefined> {
    await this.sql.run('UPDATE disasters SET ended_at = ? WHERE id = ? AND ended_at IS NULL', at, id);
    return this.disaster(id);
  }

  async patientNotifications(personIds: number[], limit: number): Promise<PatientNotification[]> {
    if (personIds.length === 0) return [];
    const rows = await this.sql.all<NotificationRow>('SELECT * FROM patient_notifications WHERE person_id = ANY(CAST(? AS bigint[])) ORDER BY id DESC LIMIT ?', personIds, limit);
    return rows.map(toNotification);
  }

  async unreadNotifications(personIds: number[]): Promise<number> {
    if (personIds.length === 0) return 0;
    const r = await this.sql.get<{ n: number }>('SELECT count(*)::int AS n FROM patient_notifications WHERE person_id = ANY(CAST(? AS bigint[])) AND read_at IS NULL', personIds);
    return r!.n;
  }

  async addPatientNotification(n: NewPatientNotification): Promise<PatientNotification> {
    const { id } = (await this.sql.get<{ id: number }>('INSERT INTO patient_notifications(person_id, at, kind, body) VALUES (?, ?, ?, ?) RETURNING id', n.personId, n.at, n.kind, JSON.stringify(n.body)))!;
    return { ...n, id, readAt: null };
  }

  async markNotificationsRead(personIds: number[], ids: number[], at: string): Promise<number> {
    if (personIds.length === 0 || ids.length === 0) return 0;
    return this.sql.run(
      'UPDATE patient_notifications SET read_at = ? WHERE read_at IS NULL AND person_id = ANY(CAST(? AS bigint[])) AND id = ANY(CAST(? AS bigint[]))',
      at,
      personIds,
      ids,
    );
  }
}
