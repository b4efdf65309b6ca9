/**
 * The XDS registry on PostgreSQL: the rows of sqlite/registryRepo.ts (one per entry with the columns
 * queries filter on; codes, authors and reference IDs beside it) and the same JSON body. Lists are
 * bound as one array parameter each, so a query's text does not depend on how many values it has.
 */
import type { AssociationCriteria, EntryCriteria, NewEntry, StoredEntry } from '../../xds/registry/entries.ts';
import { padDtm } from '../../xds/registry/entries.ts';
import type { EntryKind } from '../../xds/registry/metadata.ts';
import type { RegistryWriter } from '../types.ts';
import { encodeBody } from '../registryBody.ts';
import type { Sql } from './sql.ts';
import { type EntryRow, TIME_COLUMNS, COLUMNS, toEntry } from '../rows/registry.ts';

/** One bound list: `= ANY(?)` with the values as a text[] (bigint[] for ids). */
const anyText = (column: string) => `${column} = ANY(CAST(? AS text[]))`;

export class PgRegistryRepo implements RegistryWriter {
  constructor(private readonly sql: Sql) {}

  async entries(uuids: string[]): Promise<StoredEntry[]> {
    if (uuids.length === 0) return [];
    return (await this.sql.all<EntryRow>(`SELECT ${COLUMNS} FROM xds_entries e WHERE ${anyText('e.uuid')}`, [...new Set(uuids)])).map(toEntry);
  }

  async entriesByUniqueId(kind: EntryKind, uniqueIds: string[]): Promise<StoredEntry[]> {
    if (uniqueIds.length === 0) return [];
    const rows = await this.sql.all<EntryRow>(`SELECT ${COLUMNS} FROM xds_entries e WHERE ${anyText('e.unique_id')} AND e.kind = ? ORDER BY e.rid`, [...new Set(uniqueIds)], kind);
    return rows.map(toEntry);
  }

  async entriesByLid(lids: string[]): Promise<StoredEntry[]> {
    if (lids.length === 0) return [];
    return (await this.sql.all<EntryRow>(`SELECT ${COLUMNS} FROM xds_entries e WHERE ${anyText('e.lid')} ORDER BY e.lid, e.version`, [...new Set(lids)])).map(toEntry);
  }

  async findEntries(c: EntryCriteria, limit: number): Promise<StoredEntry[]> {
    if (c.personIds.length === 0 || c.statuses.length === 0) return [];
    const where = ['e.person_id = ANY(CAST(? AS bigint[]))', 'e.kind = ?', anyText('e.status')];
    const args: unknown[] = [c.personIds, c.kind, c.statuses];
    if (c.objectTypes) {
      where.push(anyText('e.object_type'));
      args.push(c.objectTypes);
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
      where.push(`EXISTS (SELECT 1 FROM xds_codes k WHERE k.rid = e.rid AND k.attr = ? AND ${anyText('k.code')})`);
      args.push(code.attr, code.codes);
    }
    if (c.authors && c.authors.length > 0) {
      // ILIKE under the "C" collation folds ASCII letters only, as SQLite's LIKE does.
      where.push(`EXISTS (SELECT 1 FROM xds_authors a WHERE a.rid = e.rid AND (${c.authors.map(() => "a.person ILIKE ? ESCAPE '\\'").join(' OR ')}))`);
      args.push(...c.authors);
    }
    if (c.sourceIds) {
      where.push(anyText('e.source_id'));
      args.push(c.sourceIds);
    }
    if (c.referenceIds) {
      where.push(`EXISTS (SELECT 1 FROM xds_reference_ids r WHERE r.rid = e.rid AND ${anyText('r.reference_id')})`);
      args.push(c.referenceIds);
    }
    const sql = `SELECT ${COLUMNS} FROM xds_entries e WHERE ${where.join(' AND ')} ORDER BY e.rid LIMIT ?`;
    return (await this.sql.all<EntryRow>(sql, ...args, limit)).map(toEntry);
  }

  async associations(c: AssociationCriteria, limit: number): Promise<StoredEntry[]> {
    const ends: string[] = [];
    const args: unknown[] = [];
    if (c.sources) {
      ends.push(anyText('e.source_object'));
      args.push(c.sources);
    }
    if (c.targets) {
      ends.push(anyText('e.target_object'));
      args.push(c.targets);
    }
    if (c.either) {
      ends.push(anyText('e.source_object'), anyText('e.target_object'));
      args.push(c.either, c.either);
    }
    if (ends.length === 0) return [];
    const where = [`(${ends.join(' OR ')})`, "e.kind = 'Association'"];
    if (c.types) {
      where.push(anyText('e.assoc_type'));
      args.push(c.types);
    }
    if (c.statuses) {
      where.push(anyText('e.status'));
      args.push(c.statuses);
    }
    return (await this.sql.all<EntryRow>(`SELECT ${COLUMNS} FROM xds_entries e WHERE ${where.join(' AND ')} ORDER BY e.rid LIMIT ?`, ...args, limit)).map(toEntry);
  }

  async personsOf(personId: number): Promise<number[]> {
    const rows = await this.sql.all<{ id: number }>(
      'WITH RECURSIVE m(id) AS (SELECT CAST(? AS bigint) UNION SELECT p.id FROM persons p JOIN m ON p.merged_into = m.id) SELECT id FROM m',
      personId,
    );
    return rows.map((r) => r.id);
  }

  async insertEntry(e: NewEntry): Promise<void> {
    const x = e.index;
    const a = e.object.type === 'Association' ? e.object : undefined;
    const { rid } = (await this.sql.get<{ rid: number }>(
      `INSERT INTO xds_entries(uuid, kind, lid, version, status, person_id, unique_id, object_type, creation_time, service_start_time,
        service_stop_time, submission_time, last_update_time, source_id, hash, size, repository_uid, assoc_type, source_object, target_object, facility, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING rid`,
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
    ))!;
    if (x.codes.length > 0) {
      await this.sql.run(
        'INSERT INTO xds_codes(rid, attr, code) SELECT CAST(? AS bigint), c.attr, c.code FROM unnest(CAST(? AS text[]), CAST(? AS text[])) AS c(attr, code) ON CONFLICT DO NOTHING',
        rid,
        x.codes.map((c) => c.attr),
        x.codes.map((c) => c.code),
      );
    }
    if (x.authors.length > 0) await this.sql.run('INSERT INTO xds_authors(rid, person) SELECT CAST(? AS bigint), unnest(CAST(? AS text[]))', rid, x.authors);
    if (x.referenceIds.length > 0) await this.sql.run('INSERT INTO xds_reference_ids(rid, reference_id) SELECT CAST(? AS bigint), unnest(CAST(? AS text[]))', rid, x.referenceIds);
  }

  async setStatus(uuid: string, status: string): Promise<void> {
    await this.sql.run('UPDATE xds_entries SET status = ? WHERE uuid = ?', status, uuid);
  }

  async replaceObject(e: NewEntry): Promise<void> {
    await this.deleteEntries([e.uuid]);
    await this.insertEntry(e);
  }

  async deleteEntries(uuids: string[]): Promise<void> {
    // Codes, authors and reference IDs go with their entry (ON DELETE CASCADE).
    if (uuids.length > 0) await this.sql.run(`DELETE FROM xds_entries WHERE ${anyText('uuid')}`, uuids);
  }
}
