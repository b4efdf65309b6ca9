/**
 * The demographic search (PDQ's service, ITI TF-2 3.21.4.1.3; PDQm's later): every criterion must
 * match; what-domains limit the identifiers given and drop patients with none there; a page holds
 * at most the asked number of patients and the rest is continued under a pointer, for the requester
 * that opened it only. Reads go through the requester's scoped reader: a patient the requester may
 * not find is in no page and no count, on the first page and on every continued one.
 */
import { wantedDomains } from './wantedDomains.ts';
import type { ScopedReader } from '../consent/scopedReader.ts';
import { requesterName, type RequestContext } from '../kernel/requestContext.ts';
import { meetsQuery } from './searchKeys.ts';
import { Continuations, type OpenQueries, type OpenQuery } from './searchContinuations.ts';
import { StoredContinuations } from './storedContinuations.ts';
import type { ContinuationTable } from '../store/types.ts';
import type { DomainIdentifier } from './service.ts';
import type { AssigningAuthority, DemographicQuery, Demographics, Domain, PatientRecord, RecordMatch } from './types.ts';

export interface DemographicSearchConfig {
  /** Patients one query answers at most, over all its pages. */
  maxMatches: number;
  continuationTtlMs: number;
  maxOpenContinuations: number;
  /** Open continued queries one node may hold; beyond it its own oldest goes. */
  maxOpenContinuationsPerRequester: number;
}

export interface DemographicSearchRequest {
  queryTag: string;
  query: DemographicQuery;
  /** Identifiers asked for (PID-3 parameters); demographic criteria beside them narrow what they find. */
  identifiers: { id: string; authority: AssigningAuthority }[];
  /** Domains whose identifiers the answer gives (none: every domain). */
  whatDomains: AssigningAuthority[];
  /** Patients in this page at most. */
  limit: number;
  /**
   * A further test of each matching record's demographics (PDQm: :exact, date ranges, OR lists):
   * what fails it is passed over like a record that did not match, and counts toward nothing.
   */
  refine?: (d: Demographics) => boolean;
}

export interface ContinueRequest {
  pointer: string;
  queryTag: string;
  limit: number;
}

/** Why a search was not run; `index` is the 0-based position of the identifier or what-domain concerned. */
export type SearchProblem =
  | { reason: 'unknown-identifier-domain'; index: number }
  | { reason: 'unknown-what-domain'; index: number }
  | { reason: 'no-criteria'; sexOnly: boolean }
  | { reason: 'unknown-continuation' };

export interface FoundPatient {
  /** The patient's identifiers in the wanted domains (never empty). */
  identifiers: DomainIdentifier[];
  /** The record whose demographics matched. */
  record: PatientRecord;
}

export interface SearchPage {
  patients: FoundPatient[];
  /** The pointer to continue with, when at least one more patient is there. */
  continuation?: string;
  /** Patients the query answered so far, this page included: without a continuation, its total. */
  answered: number;
}

export type SearchOutcome = { kind: 'page'; page: SearchPage } | { kind: 'invalid'; problems: SearchProblem[] };

/** Whose an open query is: the node and the HL7 sending application and facility (MSH-3/4). */
export function searchRequester(ctx: RequestContext): string {
  return JSON.stringify([requesterName(ctx), ctx.hl7?.application ?? '', ctx.hl7?.facility ?? '']);
}

export class DemographicSearch {
  private readonly continuations: OpenQueries;

  /** With a table (the store's, shared by every process on its database) open queries are kept there; otherwise in memory. */
  constructor(
    private readonly cfg: DemographicSearchConfig,
    table?: ContinuationTable,
  ) {
    const limits = { ttlMs: cfg.continuationTtlMs, maxOpen: cfg.maxOpenContinuations, maxOpenPerRequester: cfg.maxOpenContinuationsPerRequester };
    this.continuations = table ? new StoredContinuations(table, limits) : new Continuations(limits);
  }

  /** Open queries held (for tests and monitoring). */
  async openQueries(): Promise<number> {
    return this.continuations.open();
  }

  /** Open queries one requester's node holds. */
  async openQueriesOf(ctx: RequestContext): Promise<number> {
    return this.continuations.open(requesterName(ctx));
  }

  /** The request's domains that this server does not know, what-domains first. */
  async check(reader: ScopedReader, req: Pick<DemographicSearchRequest, 'identifiers' | 'whatDomains'>): Promise<SearchProblem[]> {
    return (await this.domainsOf(reader, req)).problems;
  }

  private async domainsOf(reader: ScopedReader, req: Pick<DemographicSearchRequest, 'identifiers' | 'whatDomains'>) {
    const { wanted, unknown } = await wantedDomains(reader, req.whatDomains);
    const problems: SearchProblem[] = unknown.map((index) => ({ reason: 'unknown-what-domain', index }));
    const keys: (Domain | undefined)[] = [];
    for (const [index, qi] of req.identifiers.entries()) {
      const d = await reader.domain(qi.authority);
      if (!d && (qi.authority.namespace || qi.authority.oid)) problems.push({ reason: 'unknown-identifier-domain', index });
      keys.push(d);
    }
    return { problems, wanted, keys };
  }

  async start(reader: ScopedReader, req: DemographicSearchRequest): Promise<SearchOutcome> {
    const { problems, wanted, keys } = await this.domainsOf(reader, req);
    if (problems.length > 0) return { kind: 'invalid', problems };
    const byIdentifier: RecordMatch[] = [];
    for (const [index, qi] of req.identifiers.entries()) {
      const d = keys[index];
      if (!d) continue;
      const r = await reader.resolve(d, qi.id);
      if (r.kind !== 'person') continue;
      for (const rec of await reader.recordsOfPerson(r.person.id)) {
        // Demographic parameters beside identifiers narrow what the identifiers found.
        if (meetsQuery(rec.demographics, req.query) && (!req.refine || req.refine(rec.demographics))) byIdentifier.push({ recordId: rec.id, personId: r.person.id });
      }
    }
    const open: OpenQuery = {
      queryTag: req.queryTag,
      requester: searchRequester(reader.ctx),
      node: requesterName(reader.ctx),
      pending: byIdentifier,
      seen: new Set(),
      wantedDomainKeys: wanted.map((w) => w.key),
      returned: 0,
      expiresAt: 0,
      ...(req.refine ? { refine: req.refine } : {}),
    };
    if (req.identifiers.length === 0) {
      if (req.query.keys.length === 0 && !req.query.birthDate) return { kind: 'invalid', problems: [{ reason: 'no-criteria', sexOnly: !!req.query.sex }] };
      open.search = { query: req.query };
    }
    return { kind: 'page', page: await this.page(reader, open, req.limit) };
  }

  /** The next page of an open query; only its requester may continue it, and consent is asked again. */
  async continue(reader: ScopedReader, req: ContinueRequest): Promise<SearchOutcome> {
    const open = await this.continuations.take(req.pointer, req.queryTag, searchRequester(reader.ctx));
    if (!open) return { kind: 'invalid', problems: [{ reason: 'unknown-continuation' }] };
    return { kind: 'page', page: await this.page(reader, open, req.limit) };
  }

  /** Cancels the requester's open queries with this tag (QCN^J01); true when one was open. */
  async cancel(ctx: RequestContext, queryTag: string): Promise<boolean> {
    return this.continuations.cancel(queryTag, searchRequester(ctx), requesterName(ctx));
  }

  /** One page's worth of patients, and a continuation when at least one more is there. */
  private async page(reader: ScopedReader, q: OpenQuery, limit: number): Promise<SearchPage> {
    // Read a few more rows than the page needs: several records of one person count once.
    const batch = Math.min(500, Math.max(20, limit * 2));
    const patients: FoundPatient[] = [];
    while (patients.length < limit && q.returned < this.cfg.maxMatches) {
      const e = await this.nextPatient(reader, q, batch);
      if (!e) break;
      patients.push({ identifiers: e.ids, record: e.record });
      q.returned++;
    }
    let continuation: string | undefined;
    if (q.returned < this.cfg.maxMatches) {
      const more = await this.nextPatient(reader, q, batch);
      if (more) {
        // Looked at, not answered: it opens the next page.
        q.seen.delete(more.match.personId);
        q.pending.unshift(more.match);
        continuation = await this.continuations.put(q);
      }
    }
    return { patients, continuation, answered: q.returned };
  }

  /** The next patient of an open query not yet answered, visible, with an identifier in the wanted domains. */
  private async nextPatient(reader: ScopedReader, q: OpenQuery, batch: number): Promise<{ match: RecordMatch; ids: DomainIdentifier[]; record: PatientRecord } | undefined> {
    for (;;) {
      const m = q.pending.shift();
      if (!m) {
        if (!q.search) return undefined;
        const found = await reader.searchRecords(q.search.query, batch, q.search.after);
        q.pending = found.matches;
        q.search = found.next ? { query: q.search.query, after: found.next } : undefined;
        continue;
      }
      if (q.seen.has(m.personId)) continue;
      q.seen.add(m.personId);
      const person = await reader.person(m.personId);
      if (!person || person.id !== m.personId) continue;
      const ids = (await reader.identifiersOf(person)).filter((i) => q.wantedDomainKeys.length === 0 || q.wantedDomainKeys.includes(i.domain.key));
      if (ids.length === 0) continue;
      const record = await reader.recordById(m.recordId);
      if (!record) continue;
      if (q.refine && !q.refine(record.demographics)) {
        // Another record of the person may still meet the test.
        q.seen.delete(m.personId);
        continue;
      }
      return { match: m, ids, record };
    }
  }
}
