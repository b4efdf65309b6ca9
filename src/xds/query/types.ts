/** The stored-query service's requests, results and the context a stored query reads with. */
import type { RegistryObject, Slot } from '../../ebxml/rim.ts';
import type { ScopedReader } from '../../consent/scopedReader.ts';
import type { PatientResolver } from './patientResolver.ts';

export type ReturnType = 'LeafClass' | 'ObjectRef';

export interface StoredQueryRequest {
  queryId: string;
  /** The AdhocQuery's slots: the parameters as ITI TF-2a 3.18.4.1.2.3 writes them. */
  parameters: Slot[];
  returnType: ReturnType;
}

export interface StoredQueryResult {
  objects: RegistryObject[];
  /** The patient ID the query named, when it names one (for the audit). */
  patientId?: string;
}

/** What a stored query reads with: never a store transaction, always the requester's reader. */
export interface QueryContext {
  reader: ScopedReader;
  patients: PatientResolver;
  maxResults: number;
  returnType: ReturnType;
}
