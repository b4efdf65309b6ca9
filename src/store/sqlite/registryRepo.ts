/**
 * The XDS registry on SQLite: one row per entry (DocumentEntry, SubmissionSet, Folder, Association)
 * with the columns queries filter on, codes, authors and reference IDs beside it. Query SQL is
 * assembled only from the fixed fragments below; every request value is a bound parameter.
 */
import type Database from 'better-sqlite3';
import type { AssociationCriteria, EntryCriteria, NewEntry, StoredEntry } from '../../xds/registry/entries.ts';
import { padDtm } from '../../xds/registry/entries.ts';
import type { EntryKind } from '../../xds/registry/metadata.ts';
import type { RegistryWriter } from '../types.ts';
import { encodeBody } from '../registryBody.ts';
import { marks, Statements } from './statements.ts';
import { type EntryRow, TIME_COLUMNS, COLUMNS, toEntry } from '../rows/registry.ts';

/** Chunks of bound lists below SQLite's parameter limit. */
function chunks<T>(xs: T[], n = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export class SqliteRegistryRepo implements RegistryWriter {
  private readonly st: Statements;

  constructor(db: Database.Database) {
    this.st = new Statements(db);
  }

  async entries(uuids: string[]): Promise<StoredEntry[]> {
    const out: StoredEntry[] = [];
    for (const c of chunks([...new Set(uuids)])) out.push(...this.st.all<EntryRow>(`SELECT ${COLUMNS} FROM xds_entries e WHERE e.uuid IN (${marks(c.length)})`, ...c).map(toEntry));
    return out;
  }

  async entriesByUniqueId(kind: EntryKind, uniqueIds: string[]): Promise<StoredEntry[]> {
    const out: StoredEntry[] = [];
    for (const c of chunks([...new Set(uniqueIds)])) {
      out.push(...this.st.all<EntryRow>(`SELECT ${COLUMNS} FROM xds_entries e WHERE e.unique_id IN (${marks(c.length)}) AND e.kind = ? ORDER BY e.rid`, ...c, kind).map(toEntry));
    }
    return out;
  }

  async entriesByLid(lids: string[]): Promise<StoredEntry[]> {
    const out: StoredEntry[] = [];
    for (const c of chunks([...new Set(lids)])) {
      out.push(...this.st.all<EntryRow>(`SELECT ${COLUMNS} FROM xds_entries e WHERE e.lid IN (${marks(c.length)}) ORDER BY e.lid, e.version`, ...c).map(toEntry));
    }
    return out;
  }

  async findEntries(c: EntryCriteria, limit: number): Promise<StoredEntry[]> {
    if (c.personIds.length === 0 || c.statuses.length === 0) return [];
    const where = [`e.person_id IN (${marks(c.personIds.length)})`, 'e.kind = ?', `e.status IN (${marks(c.statuses.length)})`];
    const args: unknown[] = [...c.personIds, c.kind, ...c.statuses];
    if (c.objectTypes) {
      where.push(`e.object_type IN (${marks(c.objectTypes.length)})`);
      args.push(...c.objectTypes);
    }
    for (const t of c.times ?? []) {
      const col = TIME_COLUMNS[t.column];
      const bounds: string[] = [];
      const values: unknown[] = [];
      if (t.from) {
        bounds.push(`${col} >= ?`);
        values.push(padDtm(t.from));
      }
      if (t.to) {
        bounds.push(`${col} < ?`);
        values.push(padDtm(t.to));
      }
      if (bounds.length === 0) continue;
      let cond = bounds.join(' AND ');
      if (t.absentMatches) cond = `${col} IS NULL OR (${cond})`;
      if (t.exemptObjectType) {
        cond = `e.object_type = ? OR (${cond})`;
        values.unshift(t.exemptObjectType);
      }
      where.push(`(${cond})`);
      args.push(...values);
    }
    for (const code of c.codes ?? []) {
      where.push(`EXISTS (SELECT 1 FROM xds_codes k WHERE k.rid = e.rid AND k.attr = ? AND k.code IN (${marks(code.codes.length)}))`);
      args.push(code.attr, ...code.codes);
    }
    if (c.authors && c.authors.length > 0) {
      where.push(`EXISTS (SELECT 1 FROM xds_authors a WHERE a.rid = e.rid AND (${c.authors.map(() => "a.person LIKE ? ESCAPE '\\'").join(' OR ')}))`);
      args.push(...c.authors);
    }
    if (c.sourceIds) {
      where.push(`e.source_id IN (${marks(c.sourceIds.length)})`);
      args.push(...c.sourceIds);
    }
    if (c.referenceIds) {
      where.push(`EXISTS (SELECT 1 FROM xds_reference_ids r WHERE r.rid = e.rid AND r.reference_id IN (${marks(c.referenceIds.length)}))`);
      args.push(...c.referenceIds);
    }
    const sql = `SELECT ${COLUMNS} FROM xds_entries e WHERE ${where.join(' AND ')} ORDER BY e.rid LIMIT ?`;
    return this.st.all<EntryRow>(sql, ...args, limit).map(toEntry);
  }

  async associations(c: AssociationCriteria, limit: number): Promise<StoredEntry[]> {
    // Each end through its own index, united (an OR of the two ends under ORDER BY rid made SQLite
    // scan the whole table, which at a million entries is seconds a query).
    const ends: string[] = [];
    const args: unknown[] = [];
    const end = (column: 'source_object' | 'target_object', uuids: readonly string[]) => {
      ends.push(`SELECT rid FROM xds_entries WHERE kind = 'Association' AND ${column} IN (${marks(uuids.length)})`);
      args.push(...uuids);
    };
    if (c.sources) end('source_object', c.sources);
    if (c.targets) end('target_object', c.targets);
    if (c.either) {
      end('source_object', c.either);
      end('target_object', c.either);
    }
    if (ends.length === 0) return [];
    const where = [`e.rid IN (${ends.join(' UNION ALL ')})`, "e.kind = 'Association'"];
    if (c.types) {
      where.push(`e.assoc_type IN (${marks(c.types.length)})`);
      args.push(...c.types);
    }
    if (c.statuses) {
      where.push(`e.status IN (${marks(c.statuses.length)})`);
      args.push(...c.statuses);
    }
    return this.st.all<EntryRow>(`SELECT ${COLUMNS} FROM xds_entries e WHERE ${where.join(' AND ')} ORDER BY e.rid LIMIT ?`, ...args, limit).map(toEntry);
  }

  async personsOf(personId: number): Promise<number[]> {
    const rows = this.st.all<{ id: number }>(
      'WITH RECURSIVE m(id) AS (SELECT ? UNION SELECT p.id FROM persons p JOIN m ON p.merged_into = m.id) SELECT id FROM m',
      personId,
    );
    return rows.map((r) => r.id);
  }

  async insertEntry(e: NewEntry): Promise<void> {
    const x = e.index;
    const a = e.object.type === 'Association' ? e.object : undefined;
    const info = this.st.run(
      `INSERT INTO xds_entries(uuid, kind, lid, version, status, person_id, unique_id, object_type, creation_time, service_start_time,
        service_stop_time, submission_time, last_update_time, source_id, hash, size, repository_uid, assoc_type, source_object, target_object, facility, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      e.uuid,
      e.kind,
      e.lid,
      e.version,
      e.status,
      e.personId,
      x.uniqueId ?? null,
      x.objectType ?? null,
      padDtm(x.creationTime) ?? null,
      padDtm(x.serviceStartTime) ?? null,
      padDtm(x.serviceStopTime) ?? null,
      padDtm(x.submissionTime) ?? null,
      padDtm(x.lastUpdateTime) ?? null,
      x.sourceId ?? null,
      x.hash ?? null,
      x.size ?? null,
      x.repositoryUniqueId ?? null,
      a?.associationType ?? null,
      a?.sourceObject ?? null,
      a?.targetObject ?? null,
      e.facility,
      encodeBody(e.object),
    );
    const rid = info.lastInsertRowid;
    for (const c of x.codes) this.st.run('INSERT OR IGNORE INTO xds_codes(rid, attr, code) VALUES (?, ?, ?)', rid, c.attr, c.code);
    for (const p of x.authors) this.st.run('INSERT INTO xds_authors(rid, person) VALUES (?, ?)', rid, p);
    for (const r of x.referenceIds) this.st.run('INSERT INTO xds_reference_ids(rid, reference_id) VALUES (?, ?)', rid, r);
  }

  async setStatus(uuid: string, status: string): Promise<void> {
    this.st.run('UPDATE xds_entries SET status = ? WHERE uuid = ?', status, uuid);
  }

  async replaceObject(e: NewEntry): Promise<void> {
    await this.deleteEntries([e.uuid]);
    await this.insertEntry(e);
  }

  async deleteEntries(uuids: string[]): Promise<void> {
    for (const c of chunks(uuids)) {
      const rids = `SELECT rid FROM xds_entries WHERE uuid IN (${marks(c.length)})`;
      this.st.run(`DELETE FROM xds_codes WHERE rid IN (${rids})`, ...c);
      this.st.run(`DELETE FROM xds_authors WHERE rid IN (${rids})`, ...c);
      this.st.run(`DELETE FROM xds_reference_ids WHERE rid IN (${rids})`, ...c);
      this.st.run(`DELETE FROM xds_entries WHERE uuid IN (${marks(c.length)})`, ...c);
    }
  }
}
