/** Consent history and declared disasters as both engines store them: the rows and their domain objects. */
import type { Consent, ConsentAction, ConsentChange, ConsentSourceKind, Disaster, PatientNotification } from '../../consent/model.ts';

export interface HistoryRow {
  id: number;
  person_id: number;
  at: string;
  who: string;
  source_kind: string;
  source_document: string | null;
  action: string;
  changes: string;
  consent: string;
}

export interface DisasterRow {
  id: number;
  description: string;
  facilities: string;
  start: string;
  end: string | null;
  ended_at: string | null;
  declared_by: string;
  declared_at: string;
}

export const toChange = (r: HistoryRow): ConsentChange => ({
  id: r.id,
  personId: r.person_id,
  at: r.at,
  who: r.who,
  source: { kind: r.source_kind as ConsentSourceKind, ...(r.source_document ? { document: r.source_document } : {}) },
  action: r.action as ConsentAction,
  changes: JSON.parse(r.changes) as string[],
  consent: JSON.parse(r.consent) as Consent,
});

export const toDisaster = (r: DisasterRow): Disaster => ({
  id: r.id,
  description: r.description,
  facilities: JSON.parse(r.facilities) as string[],
  start: r.start,
  ...(r.end ? { end: r.end } : {}),
  ...(r.ended_at ? { endedAt: r.ended_at } : {}),
  declaredBy: r.declared_by,
  declaredAt: r.declared_at,
});

export interface NotificationRow {
  id: number;
  person_id: number;
  at: string;
  kind: string;
  body: string;
  read_at: string | null;
}

export const toNotification = (r: NotificationRow): PatientNotification => ({
  id: r.id,
  personId: r.person_id,
  at: r.at,
  kind: r.kind,
  body: JSON.parse(r.body) as Record<string, unknown>,
  readAt: r.read_at,
});
