/**
 * Versioned schema migrations, applied in order at open under an exclusive lock, each recorded in
 * schema_migrations. Never edit a released migration: add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'identity, audit, outbox',
    sql: `
      CREATE TABLE domains (
        key TEXT PRIMARY KEY,
        namespace TEXT NOT NULL DEFAULT '',
        oid TEXT NOT NULL DEFAULT '',
        type TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL
      );
      CREATE INDEX domains_namespace ON domains(namespace);
      CREATE INDEX domains_oid ON domains(oid);

      CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);

      CREATE TABLE persons (
        id INTEGER PRIMARY KEY,
        token TEXT UNIQUE,
        regional_id TEXT NOT NULL UNIQUE,
        merged_into INTEGER REFERENCES persons(id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE patient_records (
        id INTEGER PRIMARY KEY,
        domain_key TEXT NOT NULL REFERENCES domains(key),
        local_id TEXT NOT NULL,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        merged_into INTEGER REFERENCES patient_records(id),
        demographics TEXT NOT NULL,
        birth_date TEXT NOT NULL DEFAULT '',
        sex TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        UNIQUE (domain_key, local_id)
      );
      CREATE INDEX patient_records_person ON patient_records(person_id);
      CREATE INDEX patient_records_local_id ON patient_records(local_id);
      CREATE INDEX patient_records_birth_date ON patient_records(birth_date);
      -- searchRecords joins search-key hits to their records for these columns only: read from this
      -- small covering index (it stays in the page cache) rather than from the wide rows.
      CREATE INDEX patient_records_search ON patient_records(id, merged_into, person_id, birth_date, sex);

      CREATE TABLE record_keys (
        record_id INTEGER NOT NULL REFERENCES patient_records(id),
        kind TEXT NOT NULL,
        key TEXT NOT NULL
      );
      CREATE INDEX record_keys_lookup ON record_keys(kind, key, record_id);
      CREATE INDEX record_keys_record ON record_keys(record_id);

      CREATE TABLE link_proposals (
        id INTEGER PRIMARY KEY,
        record_id INTEGER NOT NULL REFERENCES patient_records(id),
        candidate_person_id INTEGER NOT NULL REFERENCES persons(id),
        score REAL NOT NULL,
        reasons TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        created_at TEXT NOT NULL,
        decided_at TEXT,
        UNIQUE (record_id, candidate_person_id)
      );
      CREATE INDEX link_proposals_status ON link_proposals(status);

      CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY,
        recorded_at TEXT NOT NULL,
        event_time TEXT NOT NULL,
        event_id TEXT NOT NULL,
        event_type_code TEXT NOT NULL,
        action TEXT NOT NULL,
        outcome INTEGER NOT NULL,
        origin TEXT NOT NULL,
        xml TEXT NOT NULL
      );
      CREATE INDEX audit_events_time ON audit_events(event_time);
      CREATE INDEX audit_events_type ON audit_events(event_type_code, event_time);

      CREATE TABLE audit_event_patients (
        event_id INTEGER NOT NULL REFERENCES audit_events(id),
        patient_id TEXT NOT NULL
      );
      CREATE INDEX audit_event_patients_patient ON audit_event_patients(patient_id);

      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        destination TEXT NOT NULL,
        payload BLOB NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        last_error TEXT,
        sent_at TEXT
      );
      CREATE INDEX outbox_due ON outbox(channel, sent_at, next_attempt_at);
    `,
  },
];
