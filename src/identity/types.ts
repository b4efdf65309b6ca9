/**
 * The patient in this server: a person keyed on the medical-field token, with local patient records
 * (one per local ID in a facility's assigning authority) and a regional ID in the affinity domain.
 */

/** An assigning authority (HL7 HD): namespace, universal id (an OID) and its type. */
export interface AssigningAuthority {
  namespace: string;
  oid: string;
  /** Universal id type: ISO for OIDs. */
  type: string;
}

export type DomainKind = 'local' | 'regional' | 'token' | 'pseudonym';

export interface Domain extends AssigningAuthority {
  /** The store key: the OID when there is one, else `ns:<namespace>`. */
  key: string;
  kind: DomainKind;
}

export function domainKey(a: Pick<AssigningAuthority, 'namespace' | 'oid'>): string {
  return a.oid ? a.oid : `ns:${a.namespace}`;
}

/** A patient identifier (HL7 CX): an id in an assigning authority, with its type code (CX-5). */
export interface PatientIdentifier {
  id: string;
  authority: AssigningAuthority;
  typeCode?: string;
}

/**
 * Demographics as received: each PID field kept as repetitions of components of subcomponents,
 * unescaped, so that a response can give back exactly what a source sent.
 */
export interface Demographics {
  /** PID field number -> repetitions -> components -> subcomponents. */
  fields: Record<number, string[][][]>;
}

export interface PatientRecord {
  id: number;
  domainKey: string;
  localId: string;
  personId: number;
  /** The record this one was merged into (ITI-8 A40), if any. */
  mergedInto: number | null;
  demographics: Demographics;
  updatedAt: string;
}

export interface Person {
  id: number;
  token: string | null;
  regionalId: string;
  mergedInto: number | null;
}

/**
 * One merge as the store applied it, kept so that it can be undone exactly (unmerge): what it
 * changed besides `fromId`. kind 'person': `fromId` merged into person `intoId`, `moved` the records
 * moved from it, `redirected` the persons that had been merged into it. kind 'record': record
 * `fromId` merged into record `intoId` (ITI-8 A40), `priorPersonId` the person it was on before,
 * `redirected` the records that had been merged into it, `personMergeId` the person merge made in
 * the same step (the prior ID's patient joining the survivor's).
 */
export interface MergeEvent {
  id: number;
  kind: 'person' | 'record';
  fromId: number;
  intoId: number;
  moved: number[];
  redirected: number[];
  priorPersonId: number | null;
  personMergeId: number | null;
  mergedAt: string;
  undoneAt: string | null;
  undoReason: string | null;
}

export interface LinkProposal {
  id: number;
  recordId: number;
  candidatePersonId: number;
  score: number;
  reasons: string[];
  status: 'pending' | 'accepted' | 'rejected';
  createdAt: string;
  decidedAt: string | null;
}

/** A search key of a patient record: `kind` names the demographic, `key` is its normalized value. */
export interface SearchKey {
  kind: SearchKeyKind;
  key: string;
}

/** family/given/name: PID-5 parts; addr.N: PID-11 component N; address: any of them; phone: PID-13/14; account: PID-18. */
export type SearchKeyKind = 'family' | 'given' | 'name' | `addr.${number}` | 'address' | 'phone' | 'account';

/** PDQ criteria in domain terms, built from QPD-3 by the ITI-21 codec. Keys are already normalized. */
export interface DemographicQuery {
  /** Every key must match; `or`: other values of the same kind, any of which matches as well (PDQm OR lists). */
  keys: (SearchKey & { prefix: boolean; or?: { key: string; prefix: boolean }[] })[];
  birthDate?: string;
  sex?: string;
}

/** A search hit: which record matched, and whose it is. */
export interface RecordMatch {
  recordId: number;
  personId: number;
}

/** Where a search stopped: the sort position of the last row it read. */
export interface SearchCursor {
  key: string;
  recordId: number;
}

/** Matches in a stable order, each record once; `next` continues after them, absent at the end. */
export interface SearchPage {
  matches: RecordMatch[];
  next?: SearchCursor;
}
