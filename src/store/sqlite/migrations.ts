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
  {
    version: 2,
    name: 'atna: received audit events, raw and errors, search indexes',
    sql: `
      ALTER TABLE audit_events ADD COLUMN status TEXT NOT NULL DEFAULT 'valid';
      ALTER TABLE audit_events ADD COLUMN error TEXT;
      ALTER TABLE audit_events ADD COLUMN raw BLOB;
      ALTER TABLE audit_events ADD COLUMN format TEXT NOT NULL DEFAULT 'dicom';
      ALTER TABLE audit_events ADD COLUMN transport TEXT NOT NULL DEFAULT 'self';
      ALTER TABLE audit_events ADD COLUMN source_id TEXT NOT NULL DEFAULT '';
      ALTER TABLE audit_events ADD COLUMN envelope TEXT;
      CREATE INDEX audit_events_event_id ON audit_events(event_id, event_time);
      CREATE INDEX audit_events_outcome ON audit_events(outcome, event_time);
      CREATE INDEX audit_events_not_valid ON audit_events(status, id) WHERE status <> 'valid';

      -- The index tables below are written only with their event, in the same transaction (auditRepo.ts):
      -- no foreign key check per row, which the ingest rate of received events would pay for.
      CREATE TABLE audit_event_types (
        event_id INTEGER NOT NULL,
        code TEXT NOT NULL
      );
      CREATE INDEX audit_event_types_code ON audit_event_types(code);

      CREATE TABLE audit_event_agents (
        event_id INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        user_name TEXT NOT NULL DEFAULT '',
        alt_user_id TEXT NOT NULL DEFAULT '',
        network_access_point TEXT NOT NULL DEFAULT '',
        requestor INTEGER NOT NULL
      );
      CREATE INDEX audit_event_agents_user ON audit_event_agents(user_id);
      CREATE INDEX audit_event_agents_name ON audit_event_agents(user_name) WHERE user_name <> '';
      CREATE INDEX audit_event_agents_address ON audit_event_agents(network_access_point) WHERE network_access_point <> '';

      -- Participant objects other than patients (those are in audit_event_patients), by type and role.
      CREATE TABLE audit_event_objects (
        event_id INTEGER NOT NULL,
        object_id TEXT NOT NULL,
        type_code INTEGER,
        role_code INTEGER,
        id_type_code TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX audit_event_objects_type ON audit_event_objects(type_code, role_code);

      -- Patients by CX-1 and assigning authority (CX-4 namespace & OID), whatever the CX spelling.
      ALTER TABLE audit_event_patients ADD COLUMN id_value TEXT NOT NULL DEFAULT '';
      ALTER TABLE audit_event_patients ADD COLUMN authority_namespace TEXT NOT NULL DEFAULT '';
      ALTER TABLE audit_event_patients ADD COLUMN authority_oid TEXT NOT NULL DEFAULT '';
      UPDATE audit_event_patients
        SET id_value = substr(patient_id, 1, instr(patient_id || '^', '^') - 1);
      WITH c1 AS (SELECT rowid AS r, substr(patient_id, instr(patient_id, '^') + 1) AS t FROM audit_event_patients WHERE instr(patient_id, '^') > 0),
        c2 AS (SELECT r, substr(t, instr(t, '^') + 1) AS t FROM c1 WHERE instr(t, '^') > 0),
        c3 AS (SELECT r, substr(t, instr(t, '^') + 1) AS t FROM c2 WHERE instr(t, '^') > 0),
        hd AS (SELECT r, substr(t, 1, instr(t || '^', '^') - 1) AS h FROM c3),
        parts AS (SELECT r, substr(h, 1, instr(h || '&', '&') - 1) AS ns,
                    CASE WHEN instr(h, '&') > 0 THEN substr(h, instr(h, '&') + 1) ELSE '' END AS rest FROM hd)
      UPDATE audit_event_patients
        SET authority_namespace = parts.ns, authority_oid = substr(parts.rest, 1, instr(parts.rest || '&', '&') - 1)
        FROM parts WHERE audit_event_patients.rowid = parts.r;
      CREATE INDEX audit_event_patients_value ON audit_event_patients(id_value);
      CREATE INDEX audit_event_patients_event ON audit_event_patients(event_id);
      -- Superseded by audit_event_patients_value: one random-key index less per received event.
      DROP INDEX audit_event_patients_patient;
    `,
  },
  {
    version: 3,
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
    version: 4,
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
  {
    version: 5,
    name: 'atna: active participants of audit events as shared agent sets',
    sql: `
      -- Received audit events arrive by the ten thousand a second, nearly all between the same few
      -- systems and users. An event now names the set of its agents' search keys (kind 'agent': UserID
      -- or UserName; 'address': NetworkAccessPointID), each distinct set stored once, instead of a
      -- row and three index entries per participant. key: the set's members sorted, kind US value RS ...
      CREATE TABLE audit_agent_sets (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE
      );
      CREATE TABLE audit_agent_set_members (
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        set_id INTEGER NOT NULL,
        PRIMARY KEY (kind, value, set_id)
      ) WITHOUT ROWID;
      ALTER TABLE audit_events ADD COLUMN agent_set INTEGER;

      CREATE TEMP TABLE agent_keys AS
        SELECT DISTINCT event_id, kind, value FROM (
          SELECT event_id, 'agent' AS kind, user_id AS value FROM audit_event_agents WHERE user_id <> ''
          UNION ALL SELECT event_id, 'agent', user_name FROM audit_event_agents WHERE user_name <> ''
          UNION ALL SELECT event_id, 'address', network_access_point FROM audit_event_agents WHERE network_access_point <> '');
      CREATE TEMP TABLE event_sets AS
        SELECT event_id, group_concat(kind || char(31) || value, char(30) ORDER BY kind, value) AS key FROM agent_keys GROUP BY event_id;
      INSERT OR IGNORE INTO audit_agent_sets(key) SELECT DISTINCT key FROM event_sets;
      INSERT OR IGNORE INTO audit_agent_set_members(kind, value, set_id)
        SELECT k.kind, k.value, s.id FROM agent_keys k JOIN event_sets e ON e.event_id = k.event_id JOIN audit_agent_sets s ON s.key = e.key;
      UPDATE audit_events SET agent_set = s.id FROM event_sets e JOIN audit_agent_sets s ON s.key = e.key WHERE e.event_id = audit_events.id;
      DROP TABLE temp.agent_keys;
      DROP TABLE temp.event_sets;
      DROP TABLE audit_event_agents;
      CREATE INDEX audit_events_agent_set ON audit_events(agent_set) WHERE agent_set IS NOT NULL;
    `,
  },
  {
    version: 6,
    name: 'xds: the facility that submitted each entry',
    sql: `
      -- The domain key (identity.domains) of the facility whose node submitted the entry: it alone
      -- may change or remove it (ITI-57, ITI-62), and consent always lets it see it. NULL for entries
      -- registered before nodes were known, which only a node acting for every facility may change.
      ALTER TABLE xds_entries ADD COLUMN facility TEXT;
    `,
  },
  {
    version: 7,
    name: 'consent: current consent per person, its history, declared disasters',
    sql: `
      -- One row per person (the survivor of a merge keeps its own): the consent as JSON (consent/model.ts).
      CREATE TABLE consents (
        person_id INTEGER PRIMARY KEY REFERENCES persons(id),
        participation TEXT NOT NULL,
        body TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      );
      -- Every change, never rewritten: who, when, from which source, what changed, the consent after it.
      CREATE TABLE consent_history (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        source_kind TEXT NOT NULL,
        source_document TEXT,
        action TEXT NOT NULL,
        changes TEXT NOT NULL,
        consent TEXT NOT NULL
      );
      CREATE INDEX consent_history_person ON consent_history(person_id, id);
      CREATE TABLE disasters (
        id INTEGER PRIMARY KEY,
        description TEXT NOT NULL,
        facilities TEXT NOT NULL,
        start TEXT NOT NULL,
        "end" TEXT,
        ended_at TEXT,
        declared_by TEXT NOT NULL,
        declared_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: 'atna: the node a received audit message came from, and a mark when its AuditSourceID is not that node\'s',
    sql: `
      -- sender: the configured node (nodes[].name, or the local identity) the message came from; NULL
      -- for this server's own events and peers matched to no node. sender_mark: 'source-not-sender'
      -- (its AuditSourceID is not one of the node's auditSourceIds) or 'unknown-sender' (the peer
      -- matched no node); NULL when the source is the sender's. Kept, never refused (issue 14).
      ALTER TABLE audit_events ADD COLUMN sender TEXT;
      ALTER TABLE audit_events ADD COLUMN sender_mark TEXT;
      CREATE INDEX audit_events_sender_mark ON audit_events(sender_mark, id) WHERE sender_mark IS NOT NULL;
    `,
  },
  {
    version: 9,
    name: 'identity: the pseudonym index (XCA links keyed on an organization pseudonym of the token)',
    sql: `
      -- One row per person with a token and pseudonym domain (identity.pseudonymDomains): the
      -- keyed pseudonym of the token, so that a Responding Gateway finds the person a peer link's
      -- pseudonym names by the key, never by computing every person's pseudonym (issue 16).
      CREATE TABLE pseudonyms (
        domain_key TEXT NOT NULL,
        pseudonym TEXT NOT NULL,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        PRIMARY KEY (domain_key, pseudonym)
      ) WITHOUT ROWID;
      CREATE INDEX pseudonyms_person ON pseudonyms(person_id, domain_key);
    `,
  },
  {
    version: 10,
    name: "identity: the 'address' search key (any part of the address, PDQm ITI-78) for the records stored before it",
    sql: `
      -- searchKeys() writes an 'address' key for each address component key since issue 18; the
      -- records stored earlier get theirs from the component keys they have (the same values).
      INSERT INTO record_keys (record_id, kind, key)
        SELECT DISTINCT record_id, 'address', key FROM record_keys WHERE kind LIKE 'addr.%' AND key <> ''
        EXCEPT SELECT record_id, kind, key FROM record_keys WHERE kind = 'address';
    `,
  },
  {
    version: 11,
    name: 'identity: the merge history (unmerge); consent: the patients\' notifications (break-glass accesses)',
    sql: `
      -- Every merge as applied, so that an operator's unmerge undoes exactly what it changed: the
      -- records moved and the persons or records redirected to the survivor (identity/types.ts MergeEvent).
      CREATE TABLE merge_history (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        from_id INTEGER NOT NULL,
        into_id INTEGER NOT NULL,
        moved TEXT NOT NULL,
        redirected TEXT NOT NULL,
        prior_person_id INTEGER,
        person_merge_id INTEGER,
        merged_at TEXT NOT NULL,
        undone_at TEXT,
        undo_reason TEXT
      );
      CREATE INDEX merge_history_from ON merge_history(kind, from_id, id);
      -- A patient's notifications (an access under break-glass), kept until read and after.
      CREATE TABLE patient_notifications (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES persons(id),
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        read_at TEXT
      );
      CREATE INDEX patient_notifications_person ON patient_notifications(person_id, id);
    `,
  },
];
