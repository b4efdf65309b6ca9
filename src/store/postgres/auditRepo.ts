/**
 * Audit events on PostgreSQL: this server's own and those received (syslog, FHIR), the same tables
 * and search as sqlite/auditRepo.ts. The agent-set cache is shared by the store's transactions and
 * learns only what a transaction committed (`committed`). The tables are partitioned by the month
 * of recorded_at (migration 3, auditPartitions.ts): an event's index rows carry its recorded_at.
 * Text is stored as auditValues.ts says (no NUL; codes indexed by a prefix).
 */
import { createHash } from 'node:crypto';
import { patientKeyOfCx } from '../auditPatientKey.ts';
import { auditSearchWhere, patientMatch, type AgentKeyKind } from '../auditSearchSql.ts';
import { codeEquals, searchValue, storableOrNull, storableText } from '../auditValues.ts';
import type { AuditAgent, AuditPatientKey, AuditRecord, AuditSearch, AuditStatus, AuditWriter, StoredAuditRecord } from '../types.ts';
import type { Sql } from './sql.ts';

const US = '\x1f';
const RS = '\x1e';
const AGENT_SET_CACHE = 10_000;

/** Agent set ids by the agents as an event spells them (in its order, repeats and all). */
export type AgentSetCache = Map<string, number>;

/** An event's agent search keys, distinct, in the order of the set key (kind, then value as UTF-8 bytes). */
function agentSetMembers(agents: AuditAgent[]): [AgentKeyKind, string][] {
  const out: [AgentKeyKind, string][] = [];
  const add = (kind: AgentKeyKind, value: string) => {
    if (value && !out.some(([k, v]) => k === kind && v === value)) out.push([kind, value]);
  };
  for (const a of agents) {
    add('agent', storableText(a.userId));
    add('agent', storableText(a.userName));
    add('address', storableText(a.networkAccessPoint));
  }
  return out.sort(([k1, v1], [k2, v2]) => (k1 !== k2 ? (k1 < k2 ? -1 : 1) : Buffer.compare(Buffer.from(v1, 'utf8'), Buffer.from(v2, 'utf8'))));
}

export interface Row {
  id: number;
  recorded_at: string;
  event_time: string;
  event_id: string;
  event_type_code: string;
  action: string;
  outcome: number;
  origin: string;
  xml: string;
  status: AuditStatus;
  error: string | null;
  raw: Buffer | null;
  format: 'dicom' | 'fhir';
  transport: string;
  source_id: string;
  envelope: string | null;
  sender: string | null;
  sender_mark: 'source-not-sender' | 'unknown-sender' | null;
  patients: string[];
}

export const COLUMNS = `e.id, e.recorded_at, e.event_time, e.event_id, e.event_type_code, e.action, e.outcome, e.origin, e.xml, e.status, e.error, e.raw,
  e.format, e.transport, e.source_id, e.envelope, e.sender, e.sender_mark,
  ARRAY(SELECT p.patient_id FROM audit_event_patients p WHERE p.event_id = e.id AND p.recorded_at = e.recorded_at ORDER BY p.ctid) AS patients`;

export const toStored = (r: Row): StoredAuditRecord => ({
  id: r.id,
  recordedAt: r.recorded_at,
  eventTime: r.event_time,
  eventId: r.event_id,
  eventTypeCode: r.event_type_code,
  action: r.action,
  outcome: r.outcome,
  origin: r.origin,
  xml: r.xml,
  patientIds: [...new Set(r.patients)],
  status: r.status,
  error: r.error ?? undefined,
  raw: r.raw ?? undefined,
  format: r.format,
  transport: r.transport,
  sourceId: r.source_id,
  envelope: r.envelope ?? undefined,
  ...(r.sender !== null ? { sender: r.sender } : {}),
  ...(r.sender_mark !== null ? { senderMark: r.sender_mark } : {}),
});


export class PgAuditRepo implements AuditWriter {
  /** Sets this transaction made or found, for the shared cache once it commits. */
  private readonly learnt = new Map<string, number>();

  constructor(
    private readonly sql: Sql,
    private readonly cache: AgentSetCache = new Map(),
  ) {}

  async appendAudit(e: AuditRecord): Promise<number> {
    const recordedAt = new Date().toISOString();
    const { id } = (await this.sql.get<{ id: number }>(
      `INSERT INTO audit_events(recorded_at, event_time, event_id, event_type_code, action, outcome, origin, xml, status, error, raw, format, transport, source_id, envelope, agent_set, sender, sender_mark)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      recordedAt,
      storableText(e.eventTime),
      storableText(e.eventId),
      storableText(e.eventTypeCode),
      storableText(e.action),
      e.outcome,
      storableText(e.origin),
      storableText(typeof e.xml === 'string' ? e.xml : e.xml.toString('utf8')),
      e.status ?? 'valid',
      storableOrNull(e.error),
      e.raw ?? null,
      e.format ?? 'dicom',
      e.transport ?? 'self',
      storableText(e.sourceId ?? ''),
      storableOrNull(e.envelope),
      await this.agentSet(e.agents ?? []),
      storableOrNull(e.sender),
      e.senderMark ?? null,
    ))!;
    const patients = [...new Set(e.patientIds.map(storableText))];
    if (patients.length > 0) {
      const keys = patients.map(patientKeyOfCx);
      await this.sql.run(
        `INSERT INTO audit_event_patients(event_id, recorded_at, patient_id, id_value, authority_namespace, authority_oid)
         SELECT CAST(? AS bigint), CAST(? AS text), p.patient_id, p.id_value, p.namespace, p.oid FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[])) WITH ORDINALITY AS p(patient_id, id_value, namespace, oid, n) ORDER BY p.n`,
        id,
        recordedAt,
        patients,
        keys.map((k) => k.value),
        keys.map((k) => k.namespace ?? ''),
        keys.map((k) => k.oid ?? ''),
      );
    }
    const codes = (e.moreEventTypeCodes ?? []).map(storableText);
    if (codes.length > 0) await this.sql.run('INSERT INTO audit_event_types(event_id, recorded_at, code) SELECT CAST(? AS bigint), CAST(? AS text), unnest(CAST(? AS text[]))', id, recordedAt, codes);
    for (const o of e.objects ?? []) {
      if (o.typeCode === 1 && o.roleCode === 1) continue; // a patient: indexed above
      await this.sql.run(
        'INSERT INTO audit_event_objects(event_id, recorded_at, object_id, type_code, role_code, id_type_code) VALUES (?, ?, ?, ?, ?, ?)',
        id,
        recordedAt,
        storableText(o.id),
        o.typeCode,
        o.roleCode,
        storableText(o.idTypeCode),
      );
    }
    return id;
  }

  /**
   * The id of the set of these agents' search keys, made when it is new; null when there are none.
   * Two transactions making the same set at once: one meets the unique key and is retried, then
   * finds the other's.
   */
  private async agentSet(agents: AuditAgent[]): Promise<number | null> {
    if (agents.length === 0) return null;
    let spelled = '';
    for (const a of agents) spelled += storableText(a.userId) + US + storableText(a.userName) + US + storableText(a.networkAccessPoint) + RS;
    const known = this.cache.get(spelled) ?? this.learnt.get(spelled);
    if (known !== undefined) return known;
    const members = agentSetMembers(agents);
    if (members.length === 0) return null;
    let key = '';
    for (const [kind, value] of members) key += (key ? RS : '') + kind + US + value;
    // Found by the SHA-256 of the key: the key itself may be longer than an index entry can be.
    const digest = createHash('sha256').update(key, 'utf8').digest();
    let id = (await this.sql.get<{ id: number }>('SELECT id FROM audit_agent_sets WHERE key_sha256 = ?', digest))?.id;
    if (id === undefined) {
      id = (await this.sql.get<{ id: number }>('INSERT INTO audit_agent_sets(key, key_sha256) VALUES (?, ?) RETURNING id', key, digest))!.id;
      await this.sql.run(
        'INSERT INTO audit_agent_set_members(kind, value, set_id) SELECT m.kind, m.value, CAST(? AS bigint) FROM unnest(CAST(? AS text[]), CAST(? AS text[])) AS m(kind, value)',
        id,
        members.map(([k]) => k),
        members.map(([, v]) => v),
      );
    }
    this.learnt.set(spelled, id);
    return id;
  }

  /** Told by the store after this transaction committed: what it learnt is now true for everyone. */
  committed(): void {
    if (this.learnt.size === 0) return;
    if (this.cache.size + this.learnt.size > AGENT_SET_CACHE) this.cache.clear();
    for (const [k, v] of this.learnt) this.cache.set(k, v);
  }

  async auditEvents(filter: { eventTypeCode?: string; patientId?: string; status?: AuditStatus; limit?: number }): Promise<StoredAuditRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.eventTypeCode) {
      where.push(codeEquals('e.event_type_code'));
      args.push(searchValue(filter.eventTypeCode), searchValue(filter.eventTypeCode));
    }
    if (filter.patientId) {
      const patientId = storableText(filter.patientId);
      where.push('e.id IN (SELECT event_id FROM audit_event_patients WHERE id_value = ? AND patient_id = ?)');
      args.push(patientKeyOfCx(patientId).value, patientId);
    }
    if (filter.status) {
      where.push('e.status = ?');
      args.push(filter.status);
    }
    const sql = `SELECT ${COLUMNS} FROM audit_events e ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY e.id LIMIT ?`;
    return (await this.sql.all<Row>(sql, ...args, filter.limit ?? 1000)).map(toStored);
  }

  async auditEvent(id: number): Promise<StoredAuditRecord | undefined> {
    const r = await this.sql.get<Row>(`SELECT ${COLUMNS} FROM audit_events e WHERE e.id = ?`, id);
    return r && toStored(r);
  }

  async searchAudit(q: AuditSearch): Promise<StoredAuditRecord[]> {
    const args: unknown[] = [];
    const where = auditSearchWhere(q, args);
    const desc = q.sort === '-date';
    if (q.after) {
      where.push(desc ? '(e.event_time < ? OR (e.event_time = ? AND e.id < ?))' : '(e.event_time > ? OR (e.event_time = ? AND e.id > ?))');
      args.push(searchValue(q.after.eventTime), searchValue(q.after.eventTime), q.after.id);
    }
    const order = desc ? 'e.event_time DESC, e.id DESC' : 'e.event_time, e.id';
    const sql = `SELECT ${COLUMNS} FROM audit_events e WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`;
    return (await this.sql.all<Row>(sql, ...args, q.limit)).map(toStored);
  }

  async countAudit(q: AuditSearch): Promise<number> {
    const args: unknown[] = [];
    const where = auditSearchWhere(q, args);
    return (await this.sql.get<{ n: number }>(`SELECT count(*) AS n FROM audit_events e WHERE ${where.join(' AND ')}`, ...args))!.n;
  }

  async auditEventsOfPatients(keys: AuditPatientKey[], limit: number): Promise<StoredAuditRecord[]> {
    if (keys.length === 0) return [];
    const args: unknown[] = [];
    const match = keys.map((k) => `(${patientMatch(k, args)})`).join(' OR ');
    const sql = `SELECT ${COLUMNS} FROM audit_events e
      WHERE e.status <> 'unparsed' AND e.id IN (SELECT event_id FROM audit_event_patients WHERE ${match})
      ORDER BY e.event_time, e.id LIMIT ?`;
    return (await this.sql.all<Row>(sql, ...args, limit)).map(toStored);
  }
}
