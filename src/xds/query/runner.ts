/**
 * The stored-query service (ITI TF-2a 3.18.4.1.2.3.7): a query id, its parameters and a return type
 * in; registry objects (or the query's XdsError) out. It reads through the requester's scoped reader
 * only, so what the requester may not see is neither returned nor counted. ITI-18 is its first
 * face; ITI-38 and MHD's ITI-67 are meant to be others.
 */
import type { ScopedReader } from '../../consent/scopedReader.ts';
import { XdsError } from '../registry/errors.ts';
import { Params, parseParams } from './parameters.ts';
import type { PatientResolver } from './patientResolver.ts';
import { QUERIES_BY_ID } from './storedQueries.ts';
import type { StoredQueryRequest, StoredQueryResult } from './types.ts';

export type { QueryContext, ReturnType, StoredQueryRequest, StoredQueryResult } from './types.ts';

export class StoredQueryRunner {
  constructor(
    private readonly patients: PatientResolver,
    private readonly maxResults: number,
    /** Values one parameter may have (config xds.registry.maxQueryValues). */
    private readonly maxValues = Number.MAX_SAFE_INTEGER,
  ) {}

  /** Throws XdsError: XDSUnknownStoredQuery, a parameter error, XDSTooManyResults, XDSResultNotSinglePatient. */
  async run(reader: ScopedReader, req: StoredQueryRequest): Promise<StoredQueryResult> {
    const query = QUERIES_BY_ID.get(req.queryId);
    if (!query) throw new XdsError('XDSUnknownStoredQuery', `stored query ${req.queryId} is not known`, req.queryId);
    return query.run({ reader, patients: this.patients, maxResults: this.maxResults, returnType: req.returnType }, new Params(parseParams(req.parameters, this.maxValues)));
  }
}
