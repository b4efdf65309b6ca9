/**
 * PDQm ITI-78 Mobile Patient Demographics Query, the Supplier's expected actions (ITI TF-2
 * 3.78.4.1.3), over the same demographic search as ITI-21 (identity/demographicSearch.ts) and the
 * requester's scoped reader: a page of Patients (Case 1-3) and a continuation for the next link that only the same requester (node and IUA user) may
 * follow, asking consent again; a domain asked for (`identifier=system|`) this server does not know
 * (Case 4, answered 404); read of one Patient by id. A patient the requester may not find is in no
 * page, no total and no read (404), as an unknown one.
 */
import type { Patient } from 'fhir/r4.js';
import { readScoped, type ScopedReadDeps, type ScopedReader } from '../../consent/scopedReader.ts';
import { FhirError } from '../../fhir/outcome.ts';
import { IndividualNumberRefused } from '../../fhir/individualNumber.ts';
import { DemographicSearch, type DemographicSearchConfig, type SearchOutcome } from '../../identity/demographicSearch.ts';
import type { Demographics } from '../../identity/types.ts';
import type { RequestContext } from '../../kernel/requestContext.ts';
import { cxString } from '../../pix/codec/cx.ts';
import { regionalIdOf } from '../../fhir/patientId.ts';
import { patientResource } from './patientResource.ts';
import type { AskedIdentifier, PdqmSearch } from './searchParameters.ts';

export interface PdqmPage {
  patients: Patient[];
  /** The continuation of the next page, when there is one. */
  next?: string;
  /** A domain of `identifier=system|` is not known (Case 4). */
  unknownDomain?: true;
  /** CX strings of the patients the page names (audit). */
  audited: string[];
}

/** An open search belongs to the node and the IUA user that opened it (searchRequester adds the node). */
const queryTagOf = (ctx: RequestContext) => `ITI-78\u0000${ctx.user ? `${ctx.user.issuer}\u0000${ctx.user.id}` : ''}`;

const NO_CRITERIA =
  'a search needs a name, address, birthdate (eq), telecom, identifier or _id the patients can be selected by (gender, active, a date range or a list of values refine such a search)';

export class PdqmQuery {
  private readonly search: DemographicSearch;

  constructor(
    private readonly deps: ScopedReadDeps,
    cfg: DemographicSearchConfig,
  ) {
    this.search = new DemographicSearch(cfg);
  }

  /** Open searches held (tests, monitoring). */
  openSearches(): Promise<number> {
    return this.search.openQueries();
  }

  async start(ctx: RequestContext, s: PdqmSearch, count: number): Promise<PdqmPage> {
    const domains = this.deps.identity.domains;
    if ([...s.identifiers.flat().map((i) => i.authority), ...s.whatDomains].some((a) => a && domains.isIndividualNumber(a))) {
      throw new IndividualNumberRefused('identifier');
    }
    return readScoped(this.deps, ctx, 'ITI-78', async (reader) => {
      if ((await this.search.check(reader, { identifiers: [], whatDomains: s.whatDomains })).length > 0) return { patients: [], unknownDomain: true, audited: [] };
      if (s.none) return { patients: [], audited: [] };
      let identifiers: { id: string; authority: typeof reader.domains.regional }[] = [];
      if (s.identifiers.length > 0) {
        const regionalIds = await this.identified(reader, s.identifiers);
        if (regionalIds.length === 0) return { patients: [], audited: [] };
        identifiers = regionalIds.map((id) => ({ id, authority: reader.domains.regional }));
      }
      const refine = s.refinements.length ? (d: Demographics) => s.refinements.every((r) => r(d)) : undefined;
      const request = { queryTag: queryTagOf(ctx), query: s.query, identifiers, whatDomains: s.whatDomains, limit: count, ...(refine ? { refine } : {}) };
      return this.page(reader, await this.search.start(reader, request));
    });
  }

  async continue(ctx: RequestContext, pointer: string, count: number): Promise<PdqmPage> {
    return readScoped(this.deps, ctx, 'ITI-78', async (reader) => this.page(reader, await this.search.continue(reader, { pointer, queryTag: queryTagOf(ctx), limit: count })));
  }

  /** One Patient by its logical id; 404 when unknown or not visible to the requester. */
  async read(ctx: RequestContext, id: string): Promise<{ patient: Patient; audited: string[] }> {
    const regionalId = regionalIdOf(id);
    const notFound = new FhirError(404, 'not-found', `Patient/${id} is not known`);
    if (regionalId === undefined) throw notFound;
    return readScoped(this.deps, ctx, 'ITI-78', async (reader) => {
      // The id of a patient merged into another names no Patient any more (ITI TF-2 3.83.4.2.2.5).
      const r = await reader.resolve(reader.domains.regional, regionalId, { subsumed: 'unknown' });
      if (r.kind !== 'person') throw notFound;
      const records = await reader.recordsOfPerson(r.person.id);
      if (records.length === 0) throw notFound;
      const latest = records.reduce((a, b) => (b.updatedAt > a.updatedAt ? b : a));
      const ids = await reader.identifiersOf(r.person);
      return { patient: patientResource(r.person.regionalId, ids, latest.demographics), audited: ids.map(cxString) };
    });
  }

  /**
   * The regional IDs of the persons every identifier list names (any identifier of a list, each
   * list: OR within, AND across, ITI TF-2 3.78.4.1.2.1), among those the requester may find.
   */
  private async identified(reader: ScopedReader, lists: AskedIdentifier[][]): Promise<string[]> {
    let persons: Map<number, string> | undefined;
    for (const list of lists) {
      const found = new Map<number, string>();
      for (const asked of list) {
        const candidates = asked.authority ? [await reader.domain(asked.authority)] : await reader.knownDomains();
        for (const domain of candidates) {
          if (!domain) continue;
          // _id names the Patient itself: a merged-away one is no longer there.
          const r = await reader.resolve(domain, asked.id, asked.logicalId ? { subsumed: 'unknown' } : {});
          if (r.kind === 'person') found.set(r.person.id, r.person.regionalId);
        }
      }
      persons = persons ? new Map([...persons].filter(([id]) => found.has(id))) : found;
    }
    return [...(persons ?? new Map()).values()];
  }

  private async page(reader: ScopedReader, outcome: SearchOutcome): Promise<PdqmPage> {
    if (outcome.kind === 'invalid') {
      const reasons = outcome.problems.map((p) => p.reason);
      if (reasons.includes('unknown-continuation')) throw new FhirError(410, 'not-found', 'the search this page continued is unknown, expired or not yours: run the search again');
      if (reasons.includes('unknown-what-domain')) return { patients: [], unknownDomain: true, audited: [] };
      throw new FhirError(400, 'required', NO_CRITERIA);
    }
    const patients: Patient[] = [];
    const audited: string[] = [];
    for (const p of outcome.page.patients) {
      // The Patient's id is its regional ID, also when the what-domains leave it out of the identifiers.
      const person = await reader.person(p.record.personId);
      if (!person) continue;
      patients.push(patientResource(person.regionalId, p.identifiers, p.record.demographics));
      audited.push(...p.identifiers.map(cxString));
    }
    const { continuation } = outcome.page;
    return { patients, ...(continuation ? { next: continuation } : {}), audited };
  }
}
