/**
 * The only way a read path (ITI-18, ITI-43, ITI-9, ITI-21; later XCA and the FHIR faces) reaches
 * patients and documents: a reader made from one read transaction and the request context, which
 * asks the access decisions for every person it shows and hides what the requester may not see. What
 * it hides does not exist for the requester: it is not returned, not counted, not an association's
 * end. The transaction itself stays inside; `readScoped` is the one way to get a reader.
 */
import type { IdentityService, DomainIdentifier, Resolution } from '../identity/service.ts';
import type { AssigningAuthority, DemographicQuery, Domain, LinkProposal, PatientRecord, Person, SearchCursor, SearchPage } from '../identity/types.ts';
import type { RequestContext } from '../kernel/requestContext.ts';
import type { ReadTx, RepositoryDocument, Store } from '../store/types.ts';
import type { AssociationCriteria, EntryCriteria, StoredEntry } from '../xds/registry/entries.ts';
import type { AccessDecisions, PatientView } from './decision.ts';

export interface ScopedReadDeps {
  store: Store;
  decisions: AccessDecisions;
  identity: IdentityService;
}

/** What a request showed under break-glass for one person: recorded in a write once the answer is made. */
export interface BrokenGlass {
  view: PatientView;
  items: string[];
}

/**
 * Runs `fn` with a reader scoped to `ctx` in one read transaction; then, when an answer showed a
 * patient or document only because of break-glass, records it (the patient's notification) in one
 * write: the only write of a read path. Nothing is recorded when `fn` fails.
 */
export function readScoped<T>(deps: ScopedReadDeps, ctx: RequestContext, transaction: string, fn: (reader: ScopedReader) => Promise<T>): Promise<T> {
  return ScopedReader.run(deps, ctx, transaction, fn);
}

export class ScopedReader {
  private readonly views = new Map<number, Promise<PatientView>>();
  private readonly answered = new Map<number, PatientView>();
  /** Person -> the survivor of its merges. */
  private readonly survivors = new Map<number, Promise<number | undefined>>();
  private readonly entryVisible = new Map<string, Promise<boolean>>();
  /** Per person whose view was asked: what was shown (document uniqueIds, the patient's regional ID). */
  private readonly shown = new Map<number, Set<string>>();

  /** See readScoped: the one place a reader is made, so that a read path receives one, never a ReadTx. */
  static async run<T>(deps: ScopedReadDeps, ctx: RequestContext, transaction: string, fn: (reader: ScopedReader) => Promise<T>): Promise<T> {
    let reader: ScopedReader | undefined;
    const out = await deps.store.read((tx) => {
      reader = new ScopedReader(tx, ctx, deps.decisions, deps.identity);
      return fn(reader);
    });
    const glass = reader!.brokenGlass();
    if (glass.length > 0) {
      await deps.store.write(async (tx) => {
        for (const g of glass) await deps.decisions.recordBreakGlass(tx, ctx, g.view, { transaction, items: g.items });
      });
    }
    return out;
  }

  private constructor(
    private readonly tx: ReadTx,
    readonly ctx: RequestContext,
    private readonly decisions: AccessDecisions,
    private readonly identityService: IdentityService,
  ) {}

  // --- patients ---

  /** The view of a person (the survivor of its merges) for this request, asked once. */
  private view(personId: number): Promise<PatientView> {
    let v = this.views.get(personId);
    if (!v) {
      v = this.decisions.viewOf(this.tx, this.ctx, personId).then((view) => (this.answered.set(personId, view), view));
      this.views.set(personId, v);
    }
    return v;
  }

  private survivor(personId: number): Promise<number | undefined> {
    let s = this.survivors.get(personId);
    if (!s) {
      s = (async () => {
        const p = await this.tx.identity.person(personId);
        return p && (await this.identityService.followPerson(this.tx, p)).id;
      })();
      this.survivors.set(personId, s);
    }
    return s;
  }

  private mark(personId: number, item: string): void {
    let s = this.shown.get(personId);
    if (!s) this.shown.set(personId, (s = new Set()));
    s.add(item);
  }

  /** The person (a survivor) when the requester may find it, else undefined. */
  private async visiblePerson(person: Person): Promise<Person | undefined> {
    const survivor = await this.identityService.followPerson(this.tx, person);
    if (!(await this.view(survivor.id)).patientVisible) return undefined;
    this.mark(survivor.id, `patient ${survivor.regionalId}`);
    return survivor;
  }

  /** The domain an assigning authority names (domains are not patient data). */
  domain(a: Pick<AssigningAuthority, 'namespace' | 'oid'>): Promise<Domain | undefined> {
    return this.identityService.domains.find(this.tx, a);
  }

  get domains(): IdentityService['domains'] {
    return this.identityService.domains;
  }

  /** Every patient identifier domain this server knows (domains are not patient data): PDQm's identifier without a system. */
  knownDomains(): Promise<Domain[]> {
    return this.tx.identity.domains();
  }

  /**
   * The person an identifier names, following merges; unknown when the requester may not see the
   * patient. `subsumed: 'unknown'`: an identifier merged away names nobody (XDS, ITI TF-2 3.8.4.2.4).
   */
  async resolve(domain: Domain, id: string, opts: { subsumed?: 'follow' | 'unknown' } = {}): Promise<Resolution> {
    const r = await this.identityService.resolve(this.tx, domain, id);
    if (r.kind !== 'person') return r;
    if (opts.subsumed === 'unknown' && !(await this.namesSurvivor(domain, id, r.person))) return { kind: 'unknown-identifier' };
    const visible = await this.visiblePerson(r.person);
    return visible ? { kind: 'person', person: visible } : { kind: 'unknown-identifier' };
  }

  /** Issue 16: the person an XCA link's pseudonym names (IdentityService.resolvePseudonym); unknown when the requester may not see the patient. */
  async resolvePseudonym(domain: Domain, pseudonym: string): Promise<Resolution> {
    const r = await this.identityService.resolvePseudonym(this.tx, domain, pseudonym);
    if (r.kind !== 'person') return r;
    const visible = await this.visiblePerson(r.person);
    return visible ? { kind: 'person', person: visible } : { kind: 'unknown-identifier' };
  }

  private async namesSurvivor(domain: Domain, id: string, survivor: Person): Promise<boolean> {
    if (domain.kind === 'regional') return (await this.tx.identity.personByRegionalId(id))?.id === survivor.id;
    if (domain.kind === 'token') return (await this.tx.identity.personByToken(id))?.id === survivor.id;
    const rec = await this.tx.identity.record(domain.key, id);
    return !!rec && rec.mergedInto === null && rec.personId === survivor.id;
  }

  /** The identifiers of a person this server gives out (IdentityService.identifiersOf), for a visible person only. */
  async identifiersOf(person: Person): Promise<DomainIdentifier[]> {
    if (!(await this.visiblePerson(person))) return [];
    return this.identityService.identifiersOf(this.tx, person);
  }

  /** A person by its id, when the requester may find it (merges followed). */
  async person(personId: number): Promise<Person | undefined> {
    const p = await this.tx.identity.person(personId);
    return p && this.visiblePerson(p);
  }

  /** Active records of a visible person. */
  async recordsOfPerson(personId: number): Promise<PatientRecord[]> {
    const p = await this.person(personId);
    return p ? this.tx.identity.recordsOfPerson(p.id) : [];
  }

  /** A record, when its person is visible. */
  async recordById(recordId: number): Promise<PatientRecord | undefined> {
    const r = await this.tx.identity.recordById(recordId);
    return r && (await this.person(r.personId)) ? r : undefined;
  }

  /**
   * A page of a demographic search (IdentityReader.searchRecords) with the matches of patients the
   * requester may not find left out; `next` goes on after everything read, hidden or not.
   */
  async searchRecords(q: DemographicQuery, limit: number, after?: SearchCursor): Promise<SearchPage> {
    const page = await this.tx.identity.searchRecords(q, limit, after);
    const matches = [];
    for (const m of page.matches) if (await this.person(m.personId)) matches.push(m);
    return { matches, next: page.next };
  }

  /**
   * A page of link proposals (demographic matching's, for review) whose new record and candidate
   * person the requester may both find; `next` goes on after every proposal read, hidden or not.
   */
  async proposals(status: LinkProposal['status'] | undefined, page: { after?: number; limit: number }): Promise<{ proposals: LinkProposal[]; next?: number }> {
    const read = await this.tx.identity.proposals(status, page);
    const out: LinkProposal[] = [];
    for (const p of read) if ((await this.recordById(p.recordId)) && (await this.person(p.candidatePersonId))) out.push(p);
    return { proposals: out, ...(read.length === page.limit ? { next: read[read.length - 1]!.id } : {}) };
  }

  // --- registry ---

  /** Whether the requester may see a registry entry (a DocumentEntry by its patient's consent, a package by its patient, an association by both ends). */
  async visible(e: StoredEntry): Promise<boolean> {
    let v = this.entryVisible.get(e.uuid);
    if (!v) {
      v = this.judge(e);
      this.entryVisible.set(e.uuid, v);
    }
    return v;
  }

  private async judge(e: StoredEntry): Promise<boolean> {
    if (e.object.type === 'Association') {
      const ends = [e.object.sourceObject, e.object.targetObject];
      const found = await this.tx.registry.entries(ends);
      if (ends.some((id) => !found.some((f) => f.uuid === id))) return false;
      for (const f of found) if (!(await this.visible(f))) return false;
      return true;
    }
    if (e.personId === null) return false;
    const survivor = await this.survivor(e.personId);
    if (survivor === undefined) return false;
    const view = await this.view(survivor);
    if (e.kind !== 'DocumentEntry') return view.patientVisible;
    const ok = view.document(e);
    if (ok) this.mark(survivor, e.uniqueId ?? e.uuid);
    return ok;
  }

  private async keep(rows: StoredEntry[]): Promise<StoredEntry[]> {
    const out: StoredEntry[] = [];
    for (const r of rows) if (await this.visible(r)) out.push(r);
    return out;
  }

  /**
   * Up to `limit` visible rows of an ordered read: reads again with a larger limit while hidden rows
   * kept the visible ones below it and the store has more.
   */
  private async upTo(limit: number, read: (n: number) => Promise<StoredEntry[]>): Promise<StoredEntry[]> {
    let asked = limit;
    for (;;) {
      const rows = await read(asked);
      const kept = await this.keep(rows);
      if (kept.length >= limit || rows.length < asked) return kept.slice(0, limit);
      asked = Math.max(asked * 2, limit + (rows.length - kept.length));
    }
  }

  /** Visible entries of these entryUUIDs. */
  async entries(uuids: string[]): Promise<StoredEntry[]> {
    return uuids.length ? this.keep(await this.tx.registry.entries(uuids)) : [];
  }

  async entriesByUniqueId(kind: 'DocumentEntry' | 'SubmissionSet' | 'Folder', uniqueIds: string[]): Promise<StoredEntry[]> {
    return uniqueIds.length ? this.keep(await this.tx.registry.entriesByUniqueId(kind, uniqueIds)) : [];
  }

  /** Up to `limit` visible matches of a Find query (RegistryReader.findEntries). */
  findEntries(c: EntryCriteria, limit: number): Promise<StoredEntry[]> {
    return this.upTo(limit, (n) => this.tx.registry.findEntries(c, n));
  }

  /** Up to `limit` visible associations (both ends visible). */
  associations(c: AssociationCriteria, limit: number): Promise<StoredEntry[]> {
    return this.upTo(limit, (n) => this.tx.registry.associations(c, n));
  }

  /** The persons whose entries count as this visible person's (itself and those merged into it). */
  async personsOf(personId: number): Promise<number[]> {
    const p = await this.person(personId);
    if (!p) return [];
    const ids = await this.tx.registry.personsOf(p.id);
    for (const id of ids) this.survivors.set(id, Promise.resolve(p.id));
    return ids;
  }

  // --- repository ---

  /**
   * A document the repository holds, when the requester may see a DocumentEntry of it in this
   * server's registry. `unregistered: 'shown'` only for a repository whose registry is another
   * server (config xds.repository.registryUrl): there the registry's queries are where consent applies.
   */
  async repositoryDocument(repositoryUniqueId: string, uniqueId: string, unregistered: 'hidden' | 'shown' = 'hidden'): Promise<RepositoryDocument | undefined> {
    const [doc] = await this.tx.repository.documents(repositoryUniqueId, [uniqueId]);
    if (!doc) return undefined;
    const entries = (await this.tx.registry.entriesByUniqueId('DocumentEntry', [uniqueId])).filter((e) => e.repositoryUniqueId === null || e.repositoryUniqueId === repositoryUniqueId);
    if (entries.length === 0) return unregistered === 'shown' ? doc : undefined;
    for (const e of entries) if (await this.visible(e)) return doc;
    return undefined;
  }

  // --- break-glass ---

  /** The views that showed something only because of break-glass, with what this request showed of each. */
  private brokenGlass(): BrokenGlass[] {
    const out: BrokenGlass[] = [];
    for (const [personId, view] of this.answered) {
      if (view.breakGlassUsed) out.push({ view, items: [...(this.shown.get(personId) ?? [])] });
    }
    return out;
  }
}
