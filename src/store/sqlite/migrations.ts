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
  {
    version: 2,
    name: 'xds registry and repository',
    sql: `
      CREATE TABLE xds_entries (
        rid INTEGER PRIMARY KEY,
        uuid TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        lid TEXT NOT NULL,
        version INTEGER NOT NULL,
        status TEXT NOT NULL,
        person_id INTEGER,
        unique_id TEXT,
        object_type TEXT,
        creation_time TEXT,
        service_start_time TEXT,
        service_stop_time TEXT,
        submission_time TEXT,
        last_update_time TEXT,
        source_id TEXT,
        hash TEXT,
        size INTEGER,
        repository_uid TEXT,
        assoc_type TEXT,
        source_object TEXT,
        target_object TEXT,
        body TEXT NOT NULL
      );
      -- FindDocuments / FindSubmissionSets / FindFolders: the patient first, then kind and status.
      CREATE INDEX xds_entries_find ON xds_entries(person_id, kind, status, creation_time);
      CREATE INDEX xds_entries_lid ON xds_entries(lid, version);
      CREATE INDEX xds_entries_unique_id ON xds_entries(unique_id, kind);
      CREATE INDEX xds_entries_source ON xds_entries(source_object) WHERE kind = 'Association';
      CREATE INDEX xds_entries_target ON xds_entries(target_object) WHERE kind = 'Association';

      CREATE TABLE xds_codes (
        rid INTEGER NOT NULL REFERENCES xds_entries(rid) ON DELETE CASCADE,
        attr TEXT NOT NULL,
        code TEXT NOT NULL,
        PRIMARY KEY (rid, attr, code)
      ) WITHOUT ROWID;

      CREATE TABLE xds_authors (
        rid INTEGER NOT NULL REFERENCES xds_entries(rid) ON DELETE CASCADE,
        person TEXT NOT NULL
      );
      CREATE INDEX xds_authors_rid ON xds_authors(rid);

      CREATE TABLE xds_reference_ids (
        rid INTEGER NOT NULL REFERENCES xds_entries(rid) ON DELETE CASCADE,
        reference_id TEXT NOT NULL
      );
      CREATE INDEX xds_reference_ids_rid ON xds_reference_ids(rid);

      CREATE TABLE xds_repository_documents (
        repository_uid TEXT NOT NULL,
        unique_id TEXT NOT NULL,
        mime_type TEXT NOT NULL,
        hash TEXT NOT NULL,
        size INTEGER NOT NULL,
        blob TEXT NOT NULL,
        stored_at TEXT NOT NULL,
        PRIMARY KEY (repository_uid, unique_id)
      );
      CREATE INDEX xds_repository_documents_blob ON xds_repository_documents(blob);

      -- The registry follows merges from the survivor to the persons merged into it.
      CREATE INDEX persons_merged_into ON persons(merged_into) WHERE merged_into IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'ss-mix2 ingest checkpoint',
    sql: `
      -- One row per storage file (or clinical feed message) taken in, written in the same transaction
      -- as what it did (a registered document, a patient feed), so a rerun takes nothing twice.
      CREATE TABLE ingest_items (
        facility TEXT NOT NULL,
        source TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ms INTEGER NOT NULL,
        sha1 TEXT NOT NULL,
        version_key TEXT NOT NULL,
        timestamp TEXT NOT NULL,
        condition INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        entry_uuid TEXT,
        unique_id TEXT,
        ingested_at TEXT NOT NULL,
        PRIMARY KEY (facility, source)
      ) WITHOUT ROWID;
      CREATE INDEX ingest_items_version ON ingest_items(facility, version_key, timestamp);
    `,
  },
];
