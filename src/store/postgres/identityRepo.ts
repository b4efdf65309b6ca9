/** Patients, their records, search keys and link proposals on PostgreSQL (the same rows as sqlite/identityRepo.ts). */
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
import type { Sql } from './sql.ts';
import { drivingOrder, keyCondition, PREFIX_END } from '../searchKeyCondition.ts';
import { type MergeRow, type RecordRow, type PersonRow, type ProposalRow, proposalsQuery, toMergeEvent, toRecord, toPerson, toProposal } from '../rows/identity.ts';

/** Upper bound of a prefix range under the "C" collation of the key columns (migrations.ts). */

const RECORD = 'id, domain_key, local_id, person_id, merged_into, demographics, updated_at';
const PERSON = 'id, token, regional_id, merged_into';

const now = () => new Date().toISOString();

export class PgIdentityRepo implements IdentityWriter {
  constructor(private readonly sql: Sql) {}

  async domain(key: string): Promise<Domain | undefined> {
    return this.sql.get<Domain>('SELECT key, namespace, oid, type, kind FROM domains WHERE key = ?', key);
  }

  async domainByOid(oid: string): Promise<Domain | undefined> {
    return this.sql.get<Domain>('SELECT key, namespace, oid, type, kind FROM domains WHERE oid = ? ORDER BY key LIMIT 1', oid);
  }

  async domainByNamespace(namespace: string): Promise<Domain | undefined> {
    return this.sql.get<Domain>("SELECT key, namespace, oid, type, kind FROM domains WHERE namespace = ? ORDER BY oid = '', key LIMIT 1", namespace);
  }

  async domains(): Promise<Domain[]> {
    return this.sql.all<Domain>('SELECT key, namespace, oid, type, kind FROM domains ORDER BY key COLLATE "C"');
  }

  async addDomain(d: Domain): Promise<void> {
    await this.sql.run(
      'INSERT INTO domains(key, namespace, oid, type, kind) VALUES (?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET namespace = excluded.namespace, oid = excluded.oid, type = excluded.type, kind = excluded.kind',
      d.key,
      d.namespace,
      d.oid,
      d.type,
      d.kind,
    );
  }

  async record(domainKey: string, localId: string): Promise<PatientRecord | undefined> {
    const r = await this.sql.get<RecordRow>(`SELECT ${RECORD} FROM patient_records WHERE domain_key = ? AND local_id = ?`, domainKey, localId);
    return r && toRecord(r);
  }

  async recordById(id: number): Promise<PatientRecord | undefined> {
    const r = await this.sql.get<RecordRow>(`SELECT ${RECORD} FROM patient_records WHERE id = ?`, id);
    return r && toRecord(r);
  }

  async recordsOfPerson(personId: number): Promise<PatientRecord[]> {
    return (await this.sql.all<RecordRow>(`SELECT ${RECORD} FROM patient_records WHERE person_id = ? AND merged_into IS NULL ORDER BY id`, personId)).map(toRecord);
  }

  async recordsOfPersonEver(personId: number): Promise<PatientRecord[]> {
    const rows = await this.sql.all<RecordRow>(
      `WITH RECURSIVE merged(id) AS (SELECT CAST(? AS bigint) UNION SELECT p.id FROM persons p JOIN merged m ON p.merged_into = m.id)
       SELECT ${RECORD} FROM patient_records WHERE person_id IN (SELECT id FROM merged) ORDER BY id`,
      personId,
    );
    return rows.map(toRecord);
  }

  async personsMergedInto(personId: number): Promise<Person[]> {
    const rows = await this.sql.all<PersonRow>(
      `WITH RECURSIVE merged(id) AS (SELECT p.id FROM persons p WHERE p.merged_into = ? UNION SELECT p.id FROM persons p JOIN merged m ON p.merged_into = m.id)
       SELECT ${PERSON} FROM persons WHERE id IN (SELECT id FROM merged) ORDER BY id`,
      personId,
    );
    return rows.map(toPerson);
  }

  async person(id: number): Promise<Person | undefined> {
    const p = await this.sql.get<PersonRow>(`SELECT ${PERSON} FROM persons WHERE id = ?`, id);
    return p && toPerson(p);
  }

  async personByToken(token: string): Promise<Person | undefined> {
    const p = await this.sql.get<PersonRow>(`SELECT ${PERSON} FROM persons WHERE token = ?`, token);
    return p && toPerson(p);
  }

  async personByRegionalId(regionalId: string): Promise<Person | undefined> {
    const p = await this.sql.get<PersonRow>(`SELECT ${PERSON} FROM persons WHERE regional_id = ?`, regionalId);
    return p && toPerson(p);
  }

  async personByPseudonym(domainKey: string, pseudonym: string): Promise<Person | undefined> {
    const p = await this.sql.get<PersonRow>(
      'SELECT p.id, p.token, p.regional_id, p.merged_into FROM pseudonyms x JOIN persons p ON p.id = x.person_id WHERE x.domain_key = ? AND x.pseudonym = ?',
      domainKey,
      pseudonym,
    );
    return p && toPerson(p);
  }

  async personsWithoutPseudonym(domainKey: string, afterId: number, limit: number): Promise<{ id: number; token: string }[]> {
    return this.sql.all<{ id: number; token: string }>(
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
    // Driven by the most selective index: an exact key, then the longest prefix, then birth date.
    if (keys.length > 0) {
      keys.sort(drivingOrder);
      const drive = keys.shift()!;
      from = 'record_keys d JOIN patient_records r ON r.id = d.record_id';
      sortKey = 'd.key';
      order = 'd.key, d.record_id';
      where.push('d.kind = ?');
      args.push(drive.kind);
      const [cond, condArgs] = keyCondition('d', drive);
      where.push(cond);
      args.push(...condArgs);
      if (after) {
        where.push('(d.key, d.record_id) > (?, CAST(? AS bigint))');
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
      const [cond, condArgs] = keyCondition('k', k);
      where.push(`EXISTS (SELECT 1 FROM record_keys k WHERE k.record_id = r.id AND k.kind = ? AND ${cond})`);
      args.push(k.kind, ...condArgs);
    }
    const sql = `SELECT r.id AS record_id, r.person_id, ${sortKey} AS sort_key FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`;
    const rows = await this.sql.all<{ record_id: number; person_id: number; sort_key: string }>(sql, ...args, limit);
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
    const rows = await this.sql.all<RecordRow>(
      `SELECT ${RECORD} FROM patient_records r
       WHERE r.birth_date = ? AND r.person_id <> ? AND r.merged_into IS NULL
         AND EXISTS (SELECT 1 FROM record_keys k WHERE k.kind = 'name' AND k.key = ANY(CAST(? AS text[])) AND k.record_id = r.id)
       ORDER BY r.id LIMIT ?`,
      birthDate,
      excludePersonId,
      nameKeys,
      limit,
    );
    return rows.map(toRecord);
  }

  async proposals(status?: LinkProposal['status'], page?: { after?: number; limit: number }): Promise<LinkProposal[]> {
    const q = proposalsQuery(status, page);
    const rows = await this.sql.all<ProposalRow>(q.sql, ...q.args);
    return rows.map(toProposal);
  }

  async proposal(id: number): Promise<LinkProposal | undefined> {
    const r = await this.sql.get<ProposalRow>('SELECT * FROM link_proposals WHERE id = ?', id);
    return r && toProposal(r);
  }

  async createPerson(token: string | null, regional: { prefix: string } | { id: string }): Promise<Person> {
    let regionalId: string;
    if ('id' in regional) regionalId = regional.id;
    else {
      // Sources may have fed IDs that look like ours: skip any already taken.
      do {
        const seq = (await this.sql.get<{ value: number }>("SELECT nextval('regional_id_seq') AS value"))!.value;
        regionalId = `${regional.prefix}${String(seq).padStart(10, '0')}`;
      } while (await this.sql.get('SELECT 1 FROM persons WHERE regional_id = ?', regionalId));
    }
    const t = now();
    const row = (await this.sql.get<{ id: number }>(
      'INSERT INTO persons(token, regional_id, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id',
      token,
      regionalId,
      t,
      t,
    ))!;
    return { id: row.id, token, regionalId, mergedInto: null };
  }

  async setPersonToken(personId: number, token: string): Promise<void> {
    await this.sql.run('UPDATE persons SET token = ?, updated_at = ? WHERE id = ?', token, now(), personId);
  }

  async setPseudonym(domainKey: string, pseudonym: string, personId: number): Promise<void> {
    await this.sql.run(
      'INSERT INTO pseudonyms(domain_key, pseudonym, person_id) VALUES (?, ?, ?) ON CONFLICT (domain_key, pseudonym) DO UPDATE SET person_id = excluded.person_id',
      domainKey,
      pseudonym,
      personId,
    );
  }

  async mergePerson(fromId: number, intoId: number): Promise<number> {
    const t = now();
    const moved = (await this.sql.all<{ id: number }>('SELECT id FROM patient_records WHERE person_id = ? ORDER BY id', fromId)).map((r) => r.id);
    const redirected = (await this.sql.all<{ id: number }>('SELECT id FROM persons WHERE merged_into = ? ORDER BY id', fromId)).map((r) => r.id);
    await this.sql.run('UPDATE patient_records SET person_id = ?, updated_at = ? WHERE person_id = ?', intoId, t, fromId);
    await this.sql.run('UPDATE persons SET merged_into = ?, updated_at = ? WHERE id = ?', intoId, t, fromId);
    await this.sql.run('UPDATE persons SET merged_into = ?, updated_at = ? WHERE merged_into = ?', intoId, t, fromId);
    return this.addMerge('person', fromId, intoId, moved, redirected, null, null, t);
  }

  async insertRecord(r: NewRecord): Promise<PatientRecord> {
    const t = now();
    const row = (await this.sql.get<{ id: number }>(
      'INSERT INTO patient_records(domain_key, local_id, person_id, demographics, birth_date, sex, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
      r.domainKey,
      r.localId,
      r.personId,
      JSON.stringify(r.demographics),
      r.birthDate,
      r.sex,
      t,
    ))!;
    await this.insertKeys(row.id, r.keys);
    return { id: row.id, domainKey: r.domainKey, localId: r.localId, personId: r.personId, mergedInto: null, demographics: r.demographics, updatedAt: t };
  }

  async updateRecord(id: number, r: Omit<NewRecord, 'domainKey' | 'localId' | 'personId'>): Promise<void> {
    await this.sql.run(
      'UPDATE patient_records SET demographics = ?, birth_date = ?, sex = ?, updated_at = ? WHERE id = ?',
      JSON.stringify(r.demographics),
      r.birthDate,
      r.sex,
      now(),
      id,
    );
    await this.sql.run('DELETE FROM record_keys WHERE record_id = ?', id);
    await this.insertKeys(id, r.keys);
  }

  async moveRecord(id: number, personId: number): Promise<void> {
    await this.sql.run('UPDATE patient_records SET person_id = ?, updated_at = ? WHERE id = ?', personId, now(), id);
  }

  async mergeRecord(fromId: number, intoId: number, personMergeId?: number): Promise<number> {
    const into = (await this.sql.get<{ person_id: number }>('SELECT person_id FROM patient_records WHERE id = ?', intoId))!;
    const from = (await this.sql.get<{ person_id: number }>('SELECT person_id FROM patient_records WHERE id = ?', fromId))!;
    const redirected = (await this.sql.all<{ id: number }>('SELECT id FROM patient_records WHERE merged_into = ? ORDER BY id', fromId)).map((r) => r.id);
    const t = now();
    await this.sql.run('UPDATE patient_records SET merged_into = ?, person_id = ?, updated_at = ? WHERE id = ?', intoId, into.person_id, t, fromId);
    await this.sql.run('UPDATE patient_records SET merged_into = ?, person_id = ?, updated_at = ? WHERE merged_into = ?', intoId, into.person_id, t, fromId);
    await this.sql.run('DELETE FROM record_keys WHERE record_id = ?', fromId);
    return this.addMerge('record', fromId, intoId, [], redirected, from.person_id, personMergeId ?? null, t);
  }

  async mergeEvent(id: number): Promise<MergeEvent | undefined> {
    const r = await this.sql.get<MergeRow>('SELECT * FROM merge_history WHERE id = ?', id);
    return r && toMergeEvent(r);
  }

  async lastMerge(kind: MergeEvent['kind'], fromId: number): Promise<MergeEvent | undefined> {
    const r = await this.sql.get<MergeRow>('SELECT * FROM merge_history WHERE kind = ? AND from_id = ? AND undone_at IS NULL ORDER BY id DESC LIMIT 1', kind, fromId);
    return r && toMergeEvent(r);
  }

  async undoMerge(id: number, at: string, reason: string): Promise<void> {
    const e = (await this.mergeEvent(id))!;
    if (e.kind === 'person') {
      await this.sql.run('UPDATE persons SET merged_into = NULL, updated_at = ? WHERE id = ?', at, e.fromId);
      await this.sql.run('UPDATE persons SET merged_into = ?, updated_at = ? WHERE id = ANY(CAST(? AS bigint[]))', e.fromId, at, e.redirected);
      await this.sql.run('UPDATE patient_records SET person_id = ?, updated_at = ? WHERE id = ANY(CAST(? AS bigint[]))', e.fromId, at, e.moved);
    } else {
      await this.sql.run('UPDATE patient_records SET merged_into = NULL, person_id = ?, updated_at = ? WHERE id = ?', e.priorPersonId, at, e.fromId);
      await this.sql.run('UPDATE patient_records SET merged_into = ?, person_id = ?, updated_at = ? WHERE id = ANY(CAST(? AS bigint[]))', e.fromId, e.priorPersonId, at, e.redirected);
    }
    await this.sql.run('UPDATE merge_history SET undone_at = ?, undo_reason = ? WHERE id = ?', at, reason, id);
  }

  private async addMerge(kind: MergeEvent['kind'], fromId: number, intoId: number, moved: number[], redirected: number[], priorPersonId: number | null, personMergeId: number | null, at: string): Promise<number> {
    const row = (await this.sql.get<{ id: number }>(
      'INSERT INTO merge_history(kind, from_id, into_id, moved, redirected, prior_person_id, person_merge_id, merged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
      kind,
      fromId,
      intoId,
      JSON.stringify(moved),
      JSON.stringify(redirected),
      priorPersonId,
      personMergeId,
      at,
    ))!;
    return row.id;
  }

  async addProposal(p: Omit<LinkProposal, 'id' | 'status' | 'createdAt' | 'decidedAt'>): Promise<LinkProposal | undefined> {
    const row = await this.sql.get<ProposalRow>(
      'INSERT INTO link_proposals(record_id, candidate_person_id, score, reasons, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (record_id, candidate_person_id) DO NOTHING RETURNING *',
      p.recordId,
      p.candidatePersonId,
      p.score,
      JSON.stringify(p.reasons),
      now(),
    );
    return row && toProposal(row);
  }

  async decideProposal(id: number, status: 'accepted' | 'rejected'): Promise<void> {
    await this.sql.run('UPDATE link_proposals SET status = ?, decided_at = ? WHERE id = ?', status, now(), id);
  }

  async closeProposalsBetween(personA: number, personB: number): Promise<void> {
    await this.sql.run(
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

  private async insertKeys(recordId: number, keys: NewRecord['keys']): Promise<void> {
    if (keys.length === 0) return;
    await this.sql.run(
      'INSERT INTO record_keys(record_id, kind, key) SELECT CAST(? AS bigint), k.kind, k.key FROM unnest(CAST(? AS text[]), CAST(? AS text[])) AS k(kind, key)',
      recordId,
      keys.map((k) => k.kind),
      keys.map((k) => k.key),
    );
  }
}
