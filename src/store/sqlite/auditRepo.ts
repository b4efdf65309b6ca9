/**
 * Audit events on SQLite: this server's own and those received (syslog, FHIR), in one table with the
 * fields ITI-81 and the patient access report search by, each with its own index. Text is stored as
 * auditValues.ts says, as on PostgreSQL (NUL as U+FFFD).
 */
import type Database from 'better-sqlite3';
import { patientKeyOfCx } from '../auditPatientKey.ts';
import { auditSearchWhere, patientMatch, type AgentKeyKind } from '../auditSearchSql.ts';
import { storableOrNull, storableText } from '../auditValues.ts';
import type { AuditAgent, AuditPatientKey, AuditRecord, AuditSearch, AuditStatus, AuditWriter, StoredAuditRecord } from '../types.ts';
import { Statements } from './statements.ts';

const US = '\x1f';
const RS = '\x1e';
const AGENT_SET_CACHE = 10_000;

/** An event's agent search keys, distinct, in the order of the set key (kind, then value, as SQLite's BINARY collation sorts them). */
function agentSetMembers(agents: AuditAgent[]): [AgentKeyKind, string][] {
  const out: [AgentKeyKind, string][] = [];
  for (const a of agents) {
    addMember(out, 'agent', storableText(a.userId));
    addMember(out, 'agent', storableText(a.userName));
    addMember(out, 'address', storableText(a.networkAccessPoint));
  }
  return out.sort(byKindThenValue);
}

function addMember(out: [AgentKeyKind, string][], kind: AgentKeyKind, value: string): void {
  if (value && !out.some(([k, v]) => k === kind && v === value)) out.push([kind, value]);
}

function byKindThenValue([k1, v1]: [AgentKeyKind, string], [k2, v2]: [AgentKeyKind, string]): number {
  return k1 !== k2 ? (k1 < k2 ? -1 : 1) : compareUtf8(v1, v2);
}

/** BINARY collation order of two strings (UTF-8 bytes), which differs from UTF-16 order above U+D7FF. */
function compareUtf8(a: string, b: string): number {
  if (!ABOVE_D7FF.test(a) && !ABOVE_D7FF.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
const ABOVE_D7FF = /[\uD800-\uFFFF]/;

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
  status: AuditStatus;
  error: string | null;
  raw: Buffer | null;
  format: 'dicom' | 'fhir';
  transport: string;
  source_id: string;
  envelope: string | null;
  sender: string | null;
  sender_mark: 'source-not-sender' | 'unknown-sender' | null;
  patients: string | null;
}

const COLUMNS = `e.*, (SELECT json_group_array(patient_id) FROM audit_event_patients p WHERE p.event_id = e.id) AS patients`;

const toStored = (r: Row): StoredAuditRecord => ({
  id: r.id,
  recordedAt: r.recorded_at,
  eventTime: r.event_time,
  eventId: r.event_id,
  eventTypeCode: r.event_type_code,
  action: r.action,
  outcome: r.outcome,
  origin: r.origin,
  xml: r.xml,
  patientIds: r.patients ? [...new Set(JSON.parse(r.patients) as string[])] : [],
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


export class SqliteAuditRepo implements AuditWriter {
  private readonly st: Statements;
  private lastMs = 0;
  private lastIso = '';
  /** Agent set ids by the agents as an event spells them (in its order, repeats and all). */
  private readonly agentSets = new Map<string, number>();

  constructor(private readonly db: Database.Database) {
    this.st = new Statements(db);
  }

  async appendAudit(e: AuditRecord): Promise<number> {
    const info = this.st.run(
      `INSERT INTO audit_events(recorded_at, event_time, event_id, event_type_code, action, outcome, origin, xml, status, error, raw, format, transport, source_id, envelope, agent_set, sender, sender_mark)
       VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS TEXT), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      this.now(),
      storableText(e.eventTime),
      storableText(e.eventId),
      storableText(e.eventTypeCode),
      storableText(e.action),
      e.outcome,
      storableText(e.origin),
      // A Buffer is stored as its text (CAST) without being decoded here: a NUL byte is looked for first.
      typeof e.xml === 'string' ? storableText(e.xml) : e.xml.includes(0) ? storableText(e.xml.toString('utf8')) : e.xml,
      e.status ?? 'valid',
      storableOrNull(e.error),
      e.raw ?? null,
      e.format ?? 'dicom',
      e.transport ?? 'self',
      storableText(e.sourceId ?? ''),
      storableOrNull(e.envelope),
      this.agentSet(e.agents ?? []),
      storableOrNull(e.sender),
      e.senderMark ?? null,
    );
    const id = Number(info.lastInsertRowid);
    for (const p of new Set(e.patientIds.map(storableText))) {
      const k = patientKeyOfCx(p);
      this.st.run(
        'INSERT INTO audit_event_patients(event_id, patient_id, id_value, authority_namespace, authority_oid) VALUES (?, ?, ?, ?, ?)',
        id,
        p,
        k.value,
        k.namespace ?? '',
        k.oid ?? '',
      );
    }
    for (const code of e.moreEventTypeCodes ?? []) this.st.run('INSERT INTO audit_event_types(event_id, code) VALUES (?, ?)', id, storableText(code));
    for (const o of e.objects ?? []) {
      if (o.typeCode === 1 && o.roleCode === 1) continue; // a patient: indexed above
      this.st.run(
        'INSERT INTO audit_event_objects(event_id, object_id, type_code, role_code, id_type_code) VALUES (?, ?, ?, ?, ?)',
        id,
        storableText(o.id),
        o.typeCode,
        o.roleCode,
        storableText(o.idTypeCode),
      );
    }
    return id;
  }

  /** The id of the set of these agents' search keys (migration 5), made when it is new; null when there are none. */
  private agentSet(agents: AuditAgent[]): number | null {
    if (agents.length === 0) return null;
    let spelled = '';
    for (const a of agents) spelled += storableText(a.userId) + US + storableText(a.userName) + US + storableText(a.networkAccessPoint) + RS;
    const cached = this.agentSets.get(spelled);
    if (cached !== undefined) return cached;
    const members = agentSetMembers(agents);
    if (members.length === 0) return null;
    let key = '';
    for (const [kind, value] of members) key += (key ? RS : '') + kind + US + value;
    let id = this.st.get<{ id: number }>('SELECT id FROM audit_agent_sets WHERE key = ?', key)?.id;
    if (id === undefined) {
      id = Number(this.st.run('INSERT INTO audit_agent_sets(key) VALUES (?)', key).lastInsertRowid);
      for (const [kind, value] of members) this.st.run('INSERT INTO audit_agent_set_members(kind, value, set_id) VALUES (?, ?, ?)', kind, value, id);
    }
    if (this.agentSets.size >= AGENT_SET_CACHE) this.agentSets.clear();
    this.agentSets.set(spelled, id);
    return id;
  }

  /** The time of recording (events recorded in the same millisecond share the string). */
  private now(): string {
    const ms = Date.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  /**
   * Told by the write queue whenever work is rolled back: a set made by that work is gone, so the
   * cache forgets everything it may have learnt since the last commit.
   */
  rolledBack(): void {
    this.agentSets.clear();
  }

  async auditEvents(filter: { eventTypeCode?: string; patientId?: string; status?: AuditStatus; limit?: number }): Promise<StoredAuditRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.eventTypeCode) {
      where.push('e.event_type_code = ?');
      args.push(storableText(filter.eventTypeCode));
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
    return this.st.all<Row>(sql, ...args, filter.limit ?? 1000).map(toStored);
  }

  async auditEvent(id: number): Promise<StoredAuditRecord | undefined> {
    const r = this.st.get<Row>(`SELECT ${COLUMNS} FROM audit_events e WHERE e.id = ?`, id);
    return r && toStored(r);
  }

  async searchAudit(q: AuditSearch): Promise<StoredAuditRecord[]> {
    const args: unknown[] = [];
    const where = auditSearchWhere(q, args);
    const desc = q.sort === '-date';
    if (q.after) {
      where.push(desc ? '(e.event_time < ? OR (e.event_time = ? AND e.id < ?))' : '(e.event_time > ? OR (e.event_time = ? AND e.id > ?))');
      args.push(q.after.eventTime, q.after.eventTime, q.after.id);
    }
    const order = desc ? 'e.event_time DESC, e.id DESC' : 'e.event_time, e.id';
    const sql = `SELECT ${COLUMNS} FROM audit_events e WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`;
    return this.db.prepare(sql).all(...args, q.limit).map((r) => toStored(r as Row));
  }

  async countAudit(q: AuditSearch): Promise<number> {
    const args: unknown[] = [];
    const where = auditSearchWhere(q, args);
    const row = this.db.prepare(`SELECT count(*) AS n FROM audit_events e WHERE ${where.join(' AND ')}`).get(...args) as { n: number };
    return row.n;
  }

  async auditEventsOfPatients(keys: AuditPatientKey[], limit: number): Promise<StoredAuditRecord[]> {
    if (keys.length === 0) return [];
    const args: unknown[] = [];
    const match = keys.map((k) => `(${patientMatch(k, args)})`).join(' OR ');
    const sql = `SELECT ${COLUMNS} FROM audit_events e
      WHERE e.status <> 'unparsed' AND e.id IN (SELECT event_id FROM audit_event_patients WHERE ${match})
      ORDER BY e.event_time, e.id LIMIT ?`;
    return this.db.prepare(sql).all(...args, limit).map((r) => toStored(r as Row));
  }
}
