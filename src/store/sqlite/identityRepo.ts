/** Patients, their records, search keys and link proposals on SQLite. */
import type Database from 'better-sqlite3';
import type {
  DemographicQuery,
  Domain,
  LinkProposal,
  MergeEvent,
  PatientRecord,
  Person,
  RecordMatch,
  SearchCursor,
  SearchPage,
} from '../../identity/types.ts';
import type { IdentityWriter, NewRecord } from '../types.ts';
import { marks, Statements } from './statements.ts';
import { drivingOrder, keyCondition, PREFIX_END } from '../searchKeyCondition.ts';
import { type MergeRow, type RecordRow, type PersonRow, type ProposalRow, proposalsQuery, toMergeEvent, toRecord, toPerson, toProposal } from '../rows/identity.ts';

const now = () => new Date().toISOString();

export class SqliteIdentityRepo implements IdentityWriter {
  private readonly st: Statements;

  constructor(private readonly db: Database.Database) {
    this.st = new Statements(db);
  }

  async domain(key: string): Promise<Domain | undefined> {
    return this.st.get<Domain>('SELECT key, namespace, oid, type, kind FROM domains WHERE key = ?', key);
  }

  async domainByOid(oid: string): Promise<Domain | undefined> {
    return this.st.get<Domain>('SELECT key, namespace, oid, type, kind FROM domains WHERE oid = ?', oid);
  }

  async domainByNamespace(namespace: string): Promise<Domain | undefined> {
    return this.st.get<Domain>("SELECT key, namespace, oid, type, kind FROM domains WHERE namespace = ? ORDER BY oid = '', key LIMIT 1", namespace);
  }

  async domains(): Promise<Domain[]> {
    return this.st.all<Domain>('SELECT key, namespace, oid, type, kind FROM domains ORDER BY key');
  }

  async addDomain(d: Domain): Promise<void> {
    this.st.run(
      'INSERT INTO domains(key, namespace, oid, type, kind) VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET namespace = excluded.namespace, oid = excluded.oid, type = excluded.type, kind = excluded.kind',
      d.key,
      d.namespace,
      d.oid,
      d.type,
      d.kind,
    );
  }

  async record(domainKey: string, localId: string): Promise<PatientRecord | undefined> {
    const r = this.st.get<RecordRow>('SELECT * FROM patient_records WHERE domain_key = ? AND local_id = ?', domainKey, localId);
    return r && toRecord(r);
  }

  async recordById(id: number): Promise<PatientRecord | undefined> {
    const r = this.st.get<RecordRow>('SELECT * FROM patient_records WHERE id = ?', id);
    return r && toRecord(r);
  }

  async recordsOfPerson(personId: number): Promise<PatientRecord[]> {
    return this.st
      .all<RecordRow>('SELECT * FROM patient_records WHERE person_id = ? AND merged_into IS NULL ORDER BY id', personId)
      .map(toRecord);
  }

  async recordsOfPersonEver(personId: number): Promise<PatientRecord[]> {
    return this.st
      .all<RecordRow>(
        `WITH RECURSIVE merged(id) AS (SELECT ? UNION SELECT p.id FROM persons p JOIN merged m ON p.merged_into = m.id)
         SELECT * FROM patient_records WHERE person_id IN (SELECT id FROM merged) ORDER BY id`,
        personId,
      )
      .map(toRecord);
  }

  async personsMergedInto(personId: number): Promise<Person[]> {
    return this.st
      .all<PersonRow>(
        `WITH RECURSIVE merged(id) AS (SELECT p.id FROM persons p WHERE p.merged_into = ? UNION SELECT p.id FROM persons p JOIN merged m ON p.merged_into = m.id)
         SELECT id, token, regional_id, merged_into FROM persons WHERE id IN (SELECT id FROM merged) ORDER BY id`,
        personId,
      )
      .map(toPerson);
  }

  async person(id: number): Promise<Person | undefined> {
    const p = this.st.get<PersonRow>('SELECT id, token, regional_id, merged_into FROM persons WHERE id = ?', id);
    return p && toPerson(p);
  }

  async personByToken(token: string): Promise<Person | undefined> {
    const p = this.st.get<PersonRow>('SELECT id, token, regional_id, merged_into FROM persons WHERE token = ?', token);
    return p && toPerson(p);
  }

  async personByRegionalId(regionalId: string): Promise<Person | undefined> {
    const p = this.st.get<PersonRow>('SELECT id, token, regional_id, merged_into FROM persons WHERE regional_id = ?', regionalId);
    return p && toPerson(p);
  }

  async personByPseudonym(domainKey: string, pseudonym: string): Promise<Person | undefined> {
    const p = this.st.get<PersonRow>(
      'SELECT p.id, p.token, p.regional_id, p.merged_into FROM pseudonyms x JOIN persons p ON p.id = x.person_id WHERE x.domain_key = ? AND x.pseudonym = ?',
      domainKey,
      pseudonym,
    );
    return p && toPerson(p);
  }

  async personsWithoutPseudonym(domainKey: string, afterId: number, limit: number): Promise<{ id: number; token: string }[]> {
    return this.st.all<{ id: number; token: string }>(
      'SELECT p.id, p.token FROM persons p WHERE p.id > ? AND p.token IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pseudonyms x WHERE x.person_id = p.id AND x.domain_key = ?) ORDER BY p.id LIMIT ?',
      afterId,
      domainKey,
      limit,
    );
  }

  async searchRecords(q: DemographicQuery, limit: number, after?: SearchCursor): Promise<SearchPage> {
    const where: string[] = ['r.merged_into IS NULL'];
    const args: unknown[] = [];
    const keys = [...q.keys];
    let from = 'patient_records r';
    let sortKey = "''";
    let order = 'r.id';
    // Drive the query from the most selective index: an exact key, then the longest prefix, then birth date.
    if (keys.length > 0) {
      keys.sort(drivingOrder);
      const drive = keys.shift()!;
      // SQLite would look each hit up by rowid in the wide table; the covering index holds every
      // column this query reads of r (patient_records_search).
      from = 'record_keys d JOIN patient_records r INDEXED BY patient_records_search ON r.id = d.record_id';
      sortKey = 'd.key';
      order = 'd.key, d.record_id';
      where.push('d.kind = ?');
      args.push(drive.kind);
      const [cond, condArgs] = keyCondition('d', drive);
      where.push(cond);
      args.push(...condArgs);
      if (after) {
        where.push('(d.key, d.record_id) > (?, ?)');
        args.push(after.key, after.recordId);
      }
    } else if (q.birthDate) {
      if (after) {
        where.push('r.id > ?');
        args.push(after.recordId);
      }
    } else {
      return { matches: [] };
    }
    if (q.birthDate) {
      if (q.birthDate.length >= 8) {
        where.push('r.birth_date = ?');
        args.push(q.birthDate);
      } else {
        where.push('r.birth_date >= ? AND r.birth_date < ?');
        args.push(q.birthDate, q.birthDate + PREFIX_END);
      }
    }
    if (q.sex) {
      where.push('r.sex = ?');
      args.push(q.sex);
    }
    for (const k of keys) {
      // A prefix is checked among the candidate's own keys (a dozen rows by record_id): left to
      // itself SQLite scans the whole prefix range for every candidate, which at a million
      // patients made family name + given-name prefix take 15 s instead of 10 ms.
      const [cond, condArgs] = keyCondition('k', k);
      const anyPrefix = k.prefix || (k.or ?? []).some((o) => o.prefix);
      where.push(`EXISTS (SELECT 1 FROM record_keys k${anyPrefix ? ' INDEXED BY record_keys_record' : ''} WHERE k.kind = ? AND ${cond} AND k.record_id = r.id)`);
      args.push(k.kind, ...condArgs);
    }
    const sql = `SELECT r.id AS record_id, r.person_id, ${sortKey} AS sort_key FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`;
    const rows = this.st.all<{ record_id: number; person_id: number; sort_key: string }>(sql, ...args, limit);
    // A record can match the driving index through several keys: keep each once.
    const seen = new Set<number>();
    const matches: RecordMatch[] = [];
    for (const r of rows) {
      if (seen.has(r.record_id)) continue;
      seen.add(r.record_id);
      matches.push({ recordId: r.record_id, personId: r.person_id });
    }
    const last = rows[rows.length - 1];
    return { matches, next: rows.length === limit && last ? { key: last.sort_key, recordId: last.record_id } : undefined };
  }

  async matchCandidates(birthDate: string, nameKeys: string[], excludePersonId: number, limit: number): Promise<PatientRecord[]> {
    if (nameKeys.length === 0) return [];
    // Driven by the birth date (a few records a day in a region) rather than by the name: a common
    // full name has thousands of records at a million patients, each read to compare its birth date.
    const rows = this.st.all<RecordRow>(
      `SELECT r.* FROM patient_records r
       WHERE r.birth_date = ? AND r.person_id <> ? AND r.merged_into IS NULL
         AND EXISTS (SELECT 1 FROM record_keys k WHERE k.kind = 'name' AND k.key IN (${marks(nameKeys.length)}) AND k.record_id = r.id)
       ORDER BY r.id LIMIT ?`,
      birthDate,
      excludePersonId,
      ...nameKeys,
      limit,
    );
    return rows.map(toRecord);
  }

  async proposals(status?: LinkProposal['status'], page?: { after?: number; limit: number }): Promise<LinkProposal[]> {
    const q = proposalsQuery(status, page);
    const rows = this.st.all<ProposalRow>(q.sql, ...q.args);
    return rows.map(toProposal);
  }

  async proposal(id: number): Promise<LinkProposal | undefined> {
    const r = this.st.get<ProposalRow>('SELECT * FROM link_proposals WHERE id = ?', id);
    return r && toProposal(r);
  }

  async createPerson(token: string | null, regional: { prefix: string } | { id: string }): Promise<Person> {
    let regionalId: string;
    if ('id' in regional) regionalId = regional.id;
    else {
      // Sources may have fed IDs that look like ours: skip any already taken.
      do {
        const seq = this.st.get<{ value: number }>(
          "INSERT INTO sequences(name, value) VALUES ('regional_id', 1) ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
        )!.value;
        regionalId = `${regional.prefix}${String(seq).padStart(10, '0')}`;
      } while (this.st.get('SELECT 1 FROM persons WHERE regional_id = ?', regionalId));
    }
    const t = now();
    const info = this.st.run(
      'INSERT INTO persons(token, regional_id, created_at, updated_at) VALUES (?, ?, ?, ?)',
      token,
      regionalId,
      t,
      t,
    );
    return { id: Number(info.lastInsertRowid), token, regionalId, mergedInto: null };
  }

  async setPersonToken(personId: number, token: string): Promise<void> {
    this.st.run('UPDATE persons SET token = ?, updated_at = ? WHERE id = ?', token, now(), personId);
  }

  async setPseudonym(domainKey: string, pseudonym: string, personId: number): Promise<void> {
    this.st.run('INSERT OR REPLACE INTO pseudonyms(domain_key, pseudonym, person_id) VALUES (?, ?, ?)', domainKey, pseudonym, personId);
  }

  async mergePerson(fromId: number, intoId: number): Promise<number> {
    const t = now();
    const moved = this.st.all<{ id: number }>('SELECT id FROM patient_records WHERE person_id = ? ORDER BY id', fromId).map((r) => r.id);
    const redirected = this.st.all<{ id: number }>('SELECT id FROM persons WHERE merged_into = ? ORDER BY id', fromId).map((r) => r.id);
    this.st.run('UPDATE patient_records SET person_id = ?, updated_at = ? WHERE person_id = ?', intoId, t, fromId);
    this.st.run('UPDATE persons SET merged_into = ?, updated_at = ? WHERE id = ?', intoId, t, fromId);
    this.st.run('UPDATE persons SET merged_into = ?, updated_at = ? WHERE merged_into = ?', intoId, t, fromId);
    return this.addMerge('person', fromId, intoId, moved, redirected, null, null, t);
  }

  async insertRecord(r: NewRecord): Promise<PatientRecord> {
    const t = now();
    const demographics = JSON.stringify(r.demographics);
    const info = this.st.run(
      'INSERT INTO patient_records(domain_key, local_id, person_id, demographics, birth_date, sex, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      r.domainKey,
      r.localId,
      r.personId,
      demographics,
      r.birthDate,
      r.sex,
      t,
    );
    const id = Number(info.lastInsertRowid);
    this.insertKeys(id, r.keys);
    return { id, domainKey: r.domainKey, localId: r.localId, personId: r.personId, mergedInto: null, demographics: r.demographics, updatedAt: t };
  }

  async updateRecord(id: number, r: Omit<NewRecord, 'domainKey' | 'localId' | 'personId'>): Promise<void> {
    this.st.run(
      'UPDATE patient_records SET demographics = ?, birth_date = ?, sex = ?, updated_at = ? WHERE id = ?',
      JSON.stringify(r.demographics),
      r.birthDate,
      r.sex,
      now(),
      id,
    );
    this.st.run('DELETE FROM record_keys WHERE record_id = ?', id);
    this.insertKeys(id, r.keys);
  }

  async moveRecord(id: number, personId: number): Promise<void> {
    this.st.run('UPDATE patient_records SET person_id = ?, updated_at = ? WHERE id = ?', personId, now(), id);
  }

  async mergeRecord(fromId: number, intoId: number, personMergeId?: number): Promise<number> {
    const into = this.st.get<{ person_id: number }>('SELECT person_id FROM patient_records WHERE id = ?', intoId)!;
    const from = this.st.get<{ person_id: number }>('SELECT person_id FROM patient_records WHERE id = ?', fromId)!;
    const redirected = this.st.all<{ id: number }>('SELECT id FROM patient_records WHERE merged_into = ? ORDER BY id', fromId).map((r) => r.id);
    const t = now();
    this.st.run('UPDATE patient_records SET merged_into = ?, person_id = ?, updated_at = ? WHERE id = ?', intoId, into.person_id, t, fromId);
    this.st.run('UPDATE patient_records SET merged_into = ?, person_id = ?, updated_at = ? WHERE merged_into = ?', intoId, into.person_id, t, fromId);
    this.st.run('DELETE FROM record_keys WHERE record_id = ?', fromId);
    return this.addMerge('record', fromId, intoId, [], redirected, from.person_id, personMergeId ?? null, t);
  }

  async mergeEvent(id: number): Promise<MergeEvent | undefined> {
    const r = this.st.get<MergeRow>('SELECT * FROM merge_history WHERE id = ?', id);
    return r && toMergeEvent(r);
  }

  async lastMerge(kind: MergeEvent['kind'], fromId: number): Promise<MergeEvent | undefined> {
    const r = this.st.get<MergeRow>('SELECT * FROM merge_history WHERE kind = ? AND from_id = ? AND undone_at IS NULL ORDER BY id DESC LIMIT 1', kind, fromId);
    return r && toMergeEvent(r);
  }

  async undoMerge(id: number, at: string, reason: string): Promise<void> {
    const e = (await this.mergeEvent(id))!;
    if (e.kind === 'person') {
      this.st.run('UPDATE persons SET merged_into = NULL, updated_at = ? WHERE id = ?', at, e.fromId);
      for (const p of e.redirected) this.st.run('UPDATE persons SET merged_into = ?, updated_at = ? WHERE id = ?', e.fromId, at, p);
      for (const r of e.moved) this.st.run('UPDATE patient_records SET person_id = ?, updated_at = ? WHERE id = ?', e.fromId, at, r);
    } else {
      this.st.run('UPDATE patient_records SET merged_into = NULL, person_id = ?, updated_at = ? WHERE id = ?', e.priorPersonId, at, e.fromId);
      for (const r of e.redirected) this.st.run('UPDATE patient_records SET merged_into = ?, person_id = ?, updated_at = ? WHERE id = ?', e.fromId, e.priorPersonId, at, r);
    }
    this.st.run('UPDATE merge_history SET undone_at = ?, undo_reason = ? WHERE id = ?', at, reason, id);
  }

  private addMerge(kind: MergeEvent['kind'], fromId: number, intoId: number, moved: number[], redirected: number[], priorPersonId: number | null, personMergeId: number | null, at: string): number {
    const info = this.st.run(
      'INSERT INTO merge_history(kind, from_id, into_id, moved, redirected, prior_person_id, person_merge_id, merged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      kind,
      fromId,
      intoId,
      JSON.stringify(moved),
      JSON.stringify(redirected),
      priorPersonId,
      personMergeId,
      at,
    );
    return Number(info.lastInsertRowid);
  }

  async addProposal(p: Omit<LinkProposal, 'id' | 'status' | 'createdAt' | 'decidedAt'>): Promise<LinkProposal | undefined> {
    const t = now();
    const row = this.st.get<ProposalRow>(
      'INSERT INTO link_proposals(record_id, candidate_person_id, score, reasons, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(record_id, candidate_person_id) DO NOTHING RETURNING *',
      p.recordId,
      p.candidatePersonId,
      p.score,
      JSON.stringify(p.reasons),
      t,
    );
    return row && toProposal(row);
  }

  async decideProposal(id: number, status: 'accepted' | 'rejected'): Promise<void> {
    this.st.run('UPDATE link_proposals SET status = ?, decided_at = ? WHERE id = ?', status, now(), id);
  }

  async closeProposalsBetween(personA: number, personB: number): Promise<void> {
    this.st.run(
      `UPDATE link_proposals SET status = 'accepted', decided_at = ?
       WHERE status = 'pending' AND (
         (candidate_person_id = ? AND record_id IN (SELECT id FROM patient_records WHERE person_id = ?)) OR
         (candidate_person_id = ? AND record_id IN (SELECT id FROM patient_records WHERE person_id = ?)))`,
      now(),
      personA,
      personB,
      personB,
      personA,
    );
  }

  private insertKeys(recordId: number, keys: NewRecord['keys']): void {
    for (const k of keys) this.st.run('INSERT INTO record_keys(record_id, kind, key) VALUES (?, ?, ?)', recordId, k.kind, k.key);
  }
}
