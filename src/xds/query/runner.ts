/**
 * The stored-query service (ITI TF-2a 3.18.4.1.2.3.7): a query id, its parameters and a return type
 * in; registry objects (or the query's XdsError) out. It reads through the requester's scoped reader
 * only, so what the requester may not see is neither returned nor counted. ITI-18 is its first
 * face; ITI-38 and MHD's ITI-67 are meant to be others.
 */
import type { ScopedReader } from '../../consent/scopedReader.ts';
import type { Slot } from '../../ebxml/rim.ts';
import type { IndividualNumberDomain } from '../../identity/individualNumber/domain.ts';
import { numbersNamedIn } from '../../identity/individualNumber/textScreen.ts';
import { XdsError } from '../registry/errors.ts';
import { Params, parseParams } from './parameters.ts';
import type { PatientResolver } from './patientResolver.ts';
import { QUERIES_BY_ID } from './storedQueries.ts';
import type { StoredQueryRequest, StoredQueryResult } from './types.ts';

/**
 * A parameter that names an identifier of the individual-number domain ($XDSDocumentEntryPatientId,
 * $patientId, or any other) is refused before the query runs: the identifier is neither looked up nor
 * repeated. ITI TF-3 Table 4.2.4.1-2 has no code for it: XDSUnknownPatientId would have to repeat the
 * ID in its codeContext, so the general XDSRegistryError is given, located at the parameter.
 */
function refuseIndividualNumbers(slots: Slot[], domain: IndividualNumberDomain): void {
  for (const s of slots) {
    if (s.values.some((v) => numbersNamedIn(v, domain).length > 0)) {
      throw new XdsError('XDSRegistryError', `parameter ${s.name}: an identifier in the individual-number domain is not accepted`, s.name);
    }
  }
}

export type { QueryContext, ReturnType, StoredQueryRequest, StoredQueryResult } from './types.ts';

export class StoredQueryRunner {
  constructor(
    private readonly patients: PatientResolver,
    private readonly maxResults: number,
    /** Values one parameter may have (config xds.registry.maxQueryValues). */
    private readonly maxValues = Number.MAX_SAFE_INTEGER,
    /** Parameters naming an identifier of this domain are refused. */
    private readonly individualNumber?: IndividualNumberDomain,
  ) {}

  /** Throws XdsError: XDSUnknownStoredQuery, a parameter error, XDSTooManyResults, XDSResultNotSinglePatient. */
  async run(reader: ScopedReader, req: StoredQueryRequest): Promise<StoredQueryResult> {
    if (this.individualNumber) refuseIndividualNumbers(req.parameters, this.individualNumber);
    const query = QUERIES_BY_ID.get(req.queryId);
    if (!query) throw new XdsError('XDSUnknownStoredQuery', `stored query ${req.queryId} is not known`, req.queryId);
    return query.run({ reader, patients: this.patients, maxResults: this.maxResults, returnType: req.returnType }, new Params(parseParams(req.parameters, this.maxValues)));
  }
}
