/**
 * PDQm ITI-78 Mobile Patient Demographics Query, the Supplier's expected actions (ITI TF-2
 * 3.78.4.1.3), over the same demographic search as ITI-21 (identity/demographicSearch.ts) and the
 * requester's scoped reader: a page of Patients, and a continuation for the next link that only the
 * same requester (node and IUA user) may follow, asking consent again; read of one Patient by id.
 * A patient the requester may not find is in no page and no read (404), as for an unknown one.
 */
import type { Patient } from 'fhir/r4.js';
import { readScoped, type ScopedReadDeps, type ScopedReader } from '../../consent/scopedReader.ts';
import { FhirError } from '../../fhir/outcome.ts';
import { DemographicSearch, type DemographicSearchConfig, type SearchOutcome } from '../../identity/demographicSearch.ts';
import type { DomainIdentifier } from '../../identity/service.ts';
import type { RequestContext } from '../../kernel/requestContext.ts';
import { cxString } from '../../pix/codec/cx.ts';
import { regionalIdOf } from '../../pix/codec/fhirPatientId.ts';
import { patientResource } from './patientResource.ts';
import type { PdqmSearch } from './searchParameters.ts';

export interface PdqmPage {
  patients: Patient[];
  /** The continuation of the next page, when there is one. */
  next?: string;
  /** Why nothing could match (an identifier system this server does not know): an OperationOutcome entry. */
  warning?: string;
  /** CX strings of the patients the page names (audit). */
  audited: string[];
}

/** An open search belongs to the node and the IUA user that opened it (searchRequester adds the node). */
const queryTagOf = (ctx: RequestContext) => `ITI-78\u0000${ctx.user ? `${ctx.user.issuer}\u0000${ctx.user.id}` : ''}`;

export class PdqmQuery {
  private readonly search: DemographicSearch;

  constructor(
    private readonly deps: ScopedReadDeps,
    cfg: DemographicSearchConfig,
  ) {
    this.search = new DemographicSearch(cfg);
  }

  /** Open searches held (tests, monitoring). */
  get openSearches(): number {
    return this.search.openQueries;
  }

  async start(ctx: RequestContext, s: PdqmSearch, count: number): Promise<PdqmPage> {
    if (s.identifiers.some((i) => this.deps.identity.domains.isIndividualNumber(i.authority))) {
      throw new FhirError(400, 'code-invalid', 'identifier names the individual-number domain, which this server never takes', ['identifier']);
    }
    return readScoped(this.deps, ctx, 'ITI-78', async (reader) => {
      const request = { queryTag: queryTagOf(ctx), query: s.query, identifiers: s.identifiers, whatDomains: [], limit: count };
      return this.page(reader, await this.search.start(reader, request), s);
    });
  }

  async continue(ctx: RequestContext, pointer: string, count: number, s: Pick<PdqmSearch, 'exact'>): Promise<PdqmPage> {
    return readScoped(this.deps, ctx, 'ITI-78', async (reader) => this.page(reader, await this.search.continue(reader, { pointer, queryTag: queryTagOf(ctx), limit: count }), s));
  }

  /** One Patient by its logical id; 404 when unknown or not visible to the requester. */
  async read(ctx: RequestContext, id: string): Promise<{ patient: Patient; audited: string[] }> {
    const regionalId = regionalIdOf(id);
    const notFound = new FhirError(404, 'not-found', `Patient/${id} is not known`);
    if (regionalId === undefined) throw notFound;
    return readScoped(this.deps, ctx, 'ITI-78', async (reader) => {
      const r = await reader.resolve(reader.domains.regional, regionalId);
      if (r.kind !== 'person') throw notFound;
      const records = await reader.recordsOfPerson(r.person.id);
      if (records.length === 0) throw notFound;
      const latest = records.reduce((a, b) => (b.updatedAt > a.updatedAt ? b : a));
      const ids = await reader.identifiersOf(r.person);
      return { patient: patientResource(r.person.regionalId, ids, latest.demographics), audited: ids.map(cxString) };
    });
  }

  private page(_reader: ScopedReader, outcome: SearchOutcome, s: Pick<PdqmSearch, 'exact'>): PdqmPage {
    if (outcome.kind === 'invalid') {
      const reasons = outcome.problems.map((p) => p.reason);
      if (reasons.includes('unknown-continuation')) throw new FhirError(410, 'not-found', 'the search this page continued is unknown, expired or not yours: run the search again');
      if (reasons.includes('no-criteria')) {
        throw new FhirError(400, 'required', 'a search needs a name, birthdate, address, telecom, identifier or _id (gender alone is not a query)');
      }
      // An identifier system this server does not know: nothing can match it.
      return { patients: [], warning: 'identifier: the system is not an assigning authority this server knows', audited: [] };
    }
    const patients: Patient[] = [];
    const audited: string[] = [];
    for (const p of outcome.page.patients) {
      if (!meetsExact(p.record.demographics.fields[5] ?? [], s.exact)) continue;
      const regional = p.identifiers.find((i) => i.domain.kind === 'regional');
      if (!regional) continue;
      patients.push(patientResource(regional.id, p.identifiers, p.record.demographics));
      audited.push(...p.identifiers.map((i: DomainIdentifier) => cxString(i)));
    }
    return { patients, next: outcome.page.continuation, audited };
  }
}

/** :exact (FHIR R4 3.1.1.5.4): some name repetition holds the whole string, casing and accents included. */
function meetsExact(names: string[][][], exact: Pick<PdqmSearch, 'exact'>['exact']): boolean {
  const part = (rep: string[][], c: number) => (rep[c - 1]?.[0] ?? '').trim();
  return (
    exact.family.every((v) => names.some((n) => part(n, 1) === v)) &&
    exact.given.every((v) => names.some((n) => part(n, 2) === v || part(n, 3) === v))
  );
}
